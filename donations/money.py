"""Money: integers in minor units with their currency; turned to and from text here."""

from __future__ import annotations

import re
from decimal import Decimal

SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}
# Every currency we take has two decimal places (Stripe's "two-decimal" currencies).
MINOR_PER_MAJOR = 100
_PLAIN_NUMBER = re.compile(r"\d{1,9}(\.\d+)?")


class AmountError(ValueError):
    """Text that is not an amount of money; the message is fit to show a reader."""


def parse_major(text: str) -> int:
    """'12.50', '12,50', '1,000' or '$12' -> minor units; raise AmountError otherwise."""
    cleaned = text.strip().lstrip("$€£").strip().replace(" ", "")
    if not cleaned:
        raise AmountError("Please enter an amount.")
    cleaned = _normalise_separators(cleaned)
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        raise AmountError("Please enter the amount as a number, for example 15.")
    minor = Decimal(cleaned) * MINOR_PER_MAJOR
    if minor != minor.to_integral_value():
        raise AmountError("Please use at most two decimal places.")
    return int(minor)


def _normalise_separators(text: str) -> str:
    """Readers write 1,000.50 and 12,50: a comma is a thousands separator only before 3 digits."""
    if "," in text and "." in text:
        return text.replace(",", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return text.replace(",", "")
    return text.replace(",", ".")


def major_text(amount: int, thousands: str = "") -> str:
    """500 -> '5', 1250 -> '12.50': the number a reader types, without a symbol."""
    major, cents = divmod(abs(amount), MINOR_PER_MAJOR)
    number = f"{major:,}".replace(",", thousands)
    return number if cents == 0 else f"{number}.{cents:02d}"


def format_money(amount: int, currency: str) -> str:
    """1250, 'usd' -> '$12.50'; whole amounts drop the cents: 500 -> '$5'."""
    number = major_text(amount, thousands=",")
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency.lower())
    if symbol is None:
        return f"{sign}{number} {currency.upper()}"
    return f"{sign}{symbol}{number}"


def to_minor(major: int | float) -> int:
    """A configured amount in major units (5) -> minor units (500)."""
    return int(Decimal(str(major)) * MINOR_PER_MAJOR)
