"""Money: an amount in minor units with its currency, and its words in the reader's locale."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, get_currency_symbol
from flask import has_app_context
from flask_babel import get_locale, lazy_gettext

# Every currency we take has two decimal places (Stripe's "two-decimal" currencies).
MINOR_PER_MAJOR = 100
_PLAIN_NUMBER = re.compile(r"\d{1,9}(\.\d+)?")
_SYMBOLS = "$€£"
# What a reader is told about text that is no amount (the browser says the same: amounts.py).
NO_AMOUNT = lazy_gettext("Please enter an amount.")
NOT_A_NUMBER = lazy_gettext("Please enter the amount as a number, for example 15.")
TOO_PRECISE = lazy_gettext("Please use at most two decimal places.")


class AmountError(ValueError):
    """Text that is not an amount of money; the message is fit to show a reader."""


@dataclass(frozen=True, order=True)
class Money:
    amount: int  # minor units: 1250 is $12.50
    currency: str  # ISO 4217, lower case as Stripe writes it

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"money is counted in whole minor units, not {self.amount!r}")
        if not (isinstance(self.currency, str) and len(self.currency) == 3):
            raise ValueError(f"not a currency code: {self.currency!r}")
        object.__setattr__(self, "currency", self.currency.lower())

    @classmethod
    def of_major(cls, major: int | float | str | Decimal, currency: str) -> Money:
        """A configured amount in major units (5) → Money(500, …)."""
        return cls(int(Decimal(str(major)) * MINOR_PER_MAJOR), currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """What a reader typed: '12.50', '12,50', '1,000' or '$12'; AmountError otherwise."""
        cleaned = text.strip().lstrip(_SYMBOLS).strip().replace(" ", "")
        if not cleaned:
            raise AmountError(NO_AMOUNT)
        cleaned = _normalise_separators(cleaned)
        if not _PLAIN_NUMBER.fullmatch(cleaned):
            raise AmountError(NOT_A_NUMBER)
        minor = Decimal(cleaned) * MINOR_PER_MAJOR
        if minor != minor.to_integral_value():
            raise AmountError(TOO_PRECISE)
        return cls(int(minor), currency)

    @property
    def major_text(self) -> str:
        """500 → '5', 1250 → '12.50': the number a reader types, without a symbol."""
        return major_text(self.amount)

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def _same(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")
        return other

    def format(self, locale: str | Locale | None = None) -> str:
        """'$12.50' in English, '12,50 $' in Russian; whole amounts drop the cents: '$5'."""
        locale = Locale.parse(locale or current_locale())
        code = self.currency.upper()
        number = Decimal(self.amount) / MINOR_PER_MAJOR
        if self.amount % MINOR_PER_MAJOR:
            return format_currency(number, code, locale=locale)
        pattern = locale.currency_formats["standard"].pattern
        whole = re.sub(r"0([.,]0+)", "0", pattern.split(";")[0])
        return format_currency(number, code, format=whole, locale=locale, currency_digits=False)

    def __str__(self) -> str:
        return self.format()


def major_text(amount: int) -> str:
    """500 → '5', 1250 → '12.50', -400 → '-4': minor units as the plain number."""
    major, cents = divmod(abs(amount), MINOR_PER_MAJOR)
    sign = "-" if amount < 0 else ""
    return f"{sign}{major}" if cents == 0 else f"{sign}{major}.{cents:02d}"


def symbol(currency: str, locale: str | Locale | None = None) -> str:
    return get_currency_symbol(currency.upper(), locale=Locale.parse(locale or current_locale()))


def symbol_after(locale: str | Locale | None = None) -> bool:
    """Whether the locale writes the currency's symbol after the number ("25 $" in Russian,
    "$25" in English), from its standard currency pattern, so a money field puts the symbol on
    the side the reader sees it in every amount on the page."""
    pattern = Locale.parse(locale or current_locale()).currency_formats["standard"].pattern
    positive = pattern.split(";")[0]
    return positive.index("¤") > positive.index("0")


def current_locale() -> Locale:
    """The request's locale (Flask-Babel), or English outside the app."""
    locale = get_locale() if has_app_context() else None
    return locale or Locale.parse("en")


def _normalise_separators(text: str) -> str:
    """Readers write 1,000.50 and 12,50: a comma is a thousands separator only before 3 digits."""
    if "," in text and "." in text:
        return text.replace(",", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return text.replace(",", "")
    return text.replace(",", ".")
