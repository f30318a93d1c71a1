"""Money: whole minor units with their currency; what readers type, and what they are shown."""

import pytest

from donations.payments.money import AmountError, Money


@pytest.mark.parametrize(
    "text, minor",
    [
        ("5", 500),
        ("12.50", 1250),
        ("12,5", 1250),
        ("$7", 700),
        (" 0.99 ", 99),
        ("10000", 1_000_000),
        ("1,000", 100_000),
        ("1,000.50", 100_050),
    ],
)
def test_amounts_readers_type_become_minor_units(text, minor):
    assert Money.parse(text, "usd") == Money(minor, "usd")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Please enter an amount."),
        ("five", "as a number"),
        ("1e3", "as a number"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("1.999", "at most two decimal places"),
    ],
)
def test_text_that_is_not_money_is_refused_in_plain_words(text, message):
    with pytest.raises(AmountError, match=message):
        Money.parse(text, "usd")


@pytest.mark.parametrize(
    "minor, currency, locale, shown",
    [
        (500, "usd", "en", "$5"),
        (1250, "eur", "en", "€12.50"),
        (1_000_000, "gbp", "en", "£10,000"),
        (99, "chf", "en", "CHF0.99"),
        (-400, "usd", "en", "-$4"),
        (500, "usd", "ru", "5\xa0$"),
        (1250, "eur", "ru", "12,50\xa0€"),
        (1_000_000, "rub", "ru", "10\xa0000\xa0₽"),
    ],
)
def test_amounts_are_shown_in_the_readers_locale(minor, currency, locale, shown):
    assert Money(minor, currency).format(locale) == shown


def test_money_is_whole_minor_units_and_never_mixes_currencies():
    with pytest.raises(TypeError):
        Money(4.5, "usd")
    with pytest.raises(ValueError):
        Money(500, "dollars")
    with pytest.raises(ValueError, match="cannot mix"):
        Money(500, "usd") + Money(500, "eur")
    assert Money(1000, "USD") - Money(400, "usd") == Money(600, "usd")
    assert Money.of_major("12.5", "eur") == Money(1250, "eur")
    assert Money(1250, "eur").major_text == "12.50" and Money(500, "eur").major_text == "5"
