"""Stripe's test cards and the checks the hosted Checkout page makes on the card fields.

Behaviour follows Stripe's testing documentation: 4242… pays, …0002 is a generic decline,
…9995 has insufficient funds, 4000 0027 6000 3184 always asks for 3-D Secure and
4000 0000 0000 0341 is accepted now but fails when charged again (at renewal). Any other
valid number is refused, as Stripe refuses real cards in test mode.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SUCCEEDS = "succeeds"
FAILS_LATER = "fails_later"
THREE_D_SECURE = "three_d_secure"

# Declines as Stripe reports them: error code, decline code, and the reader-facing message.
DECLINES: dict[str, dict[str, str]] = {
    "generic_decline": {
        "code": "card_declined",
        "decline_code": "generic_decline",
        "message": "Your card was declined.",
    },
    "insufficient_funds": {
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
    },
    "test_mode_live_card": {
        "code": "card_declined",
        "decline_code": "test_mode_live_card",
        "message": "Your card was declined. Your request was in test mode, but used a non "
        "test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
    },
}
AUTHENTICATION_FAILED = {
    "code": "payment_intent_authentication_failure",
    "message": "We are unable to authenticate your payment method. Please choose a "
    "different payment method and try again.",
}

# number → (brand, funding, behaviour)
TEST_CARDS: dict[str, tuple[str, str, str]] = {
    "4242424242424242": ("visa", "credit", SUCCEEDS),
    "4000056655665556": ("visa", "debit", SUCCEEDS),
    "5555555555554444": ("mastercard", "credit", SUCCEEDS),
    "4000000000000002": ("visa", "credit", "generic_decline"),
    "4000000000009995": ("visa", "credit", "insufficient_funds"),
    "4000002760003184": ("visa", "credit", THREE_D_SECURE),
    "4000000000000341": ("visa", "credit", FAILS_LATER),
}


@dataclass
class CardForm:
    """The hosted page's fields, as typed."""

    email: str
    number: str
    expiry: str
    cvc: str
    name: str


def check(form: CardForm, now: int) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Validate the fields; return the card (with its test behaviour) or field errors."""
    errors: dict[str, str] = {}
    email = form.email.strip()
    if not email:
        errors["email"] = "Your email is incomplete."
    elif "@" not in email or "." not in email.rpartition("@")[2]:
        errors["email"] = "Your email address is invalid."
    number = "".join(form.number.split())
    if not number:
        errors["number"] = "Your card number is incomplete."
    elif not number.isdigit() or not 13 <= len(number) <= 19 or not _luhn(number):
        errors["number"] = "Your card number is invalid."
    expiry = _expiry(form.expiry)
    if expiry is None:
        errors["expiry"] = "Your card's expiration date is incomplete."
    else:
        today = datetime.fromtimestamp(now, UTC)
        if expiry[1] < today.year or (expiry[1] == today.year and expiry[0] < today.month):
            errors["expiry"] = "Your card's expiration date is in the past."
    cvc = form.cvc.strip()
    if not cvc.isdigit() or len(cvc) not in (3, 4):
        errors["cvc"] = "Your card's security code is incomplete."
    name = form.name.strip()
    if not name:
        errors["name"] = "Your name on the card is required."
    if errors or expiry is None:
        return None, errors
    brand, funding, behaviour = TEST_CARDS.get(number, ("visa", "credit", "test_mode_live_card"))
    card = {
        "brand": brand,
        "funding": funding,
        "behaviour": behaviour,
        "last4": number[-4:],
        "exp_month": expiry[0],
        "exp_year": expiry[1],
        # Stripe's fingerprint is stable per card number; a short hash imitates that.
        "fingerprint": hashlib.sha256(number.encode()).hexdigest()[:16],
        "email": email,
        "name": name,
        "three_d_secure": False,
    }
    return card, {}


def behaviour_of(last4: str) -> str:
    """A stored card's test behaviour from its last four digits (the test cards differ there)."""
    for number, (_, _, behaviour) in TEST_CARDS.items():
        if number.endswith(last4):
            return behaviour
    return SUCCEEDS


def _expiry(text: str) -> tuple[int, int] | None:
    """`MM / YY` (or `MM/YYYY`, or `MMYY`) → (month, four-digit year)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if "/" in text:
        month_text, _, year_text = text.partition("/")
        month_text, year_text = month_text.strip(), year_text.strip()
    elif len(digits) == 4:
        month_text, year_text = digits[:2], digits[2:]
    else:
        return None
    if not (month_text.isdigit() and year_text.isdigit() and len(year_text) in (2, 4)):
        return None
    month, year = int(month_text), int(year_text)
    if not 1 <= month <= 12:
        return None
    return month, year + 2000 if year < 100 else year


def _luhn(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
