"""Money in minor units: what readers type, and what they are shown."""

import pytest

from donations.money import AmountError, format_money, parse_major


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
    assert parse_major(text) == minor


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
        parse_major(text)


@pytest.mark.parametrize(
    "minor, currency, shown",
    [
        (500, "usd", "$5"),
        (1250, "eur", "€12.50"),
        (1_000_000, "gbp", "£10,000"),
        (99, "chf", "0.99 CHF"),
    ],
)
def test_amounts_are_shown_as_readers_write_them(minor, currency, shown):
    assert format_money(minor, currency) == shown
