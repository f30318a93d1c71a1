"""What a Stripe event did, as records: stored with the event, and said in words for staff and logs.

Each record is a plain mapping with a `kind` and its values (JSON in StripeEvent.details), so a
page can show "refunded $4.00 of $10.00" in the reader's locale long after the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from donations.payments.enums import EventOutcome
from donations.payments.models import Pledge
from donations.payments.money import Money

Detail = Mapping[str, Any]

PHRASES = {
    "moved": "pledge {before} → {after}",
    "already": "pledge already {status}",
    "older": "kept {status}: this event is older than the last change",
    "refused_move": "kept {status}: a pledge cannot move from {status} to {wanted}",
    "payment_recorded": "payment of {amount} recorded ({reference})",
    "refunded": "refunded {refunded} of {amount}",
    "disputed": "payment disputed",
    "subscription_synced": "subscription details updated",
    "subscription_older": "subscription details kept: this event is older",
    "subscription_status": "subscription {stripe_status}: status kept",
    "linked": "invoice {invoice} paid by {payment_intent}",
    "card_saved": "card saved for later payments",
    "card_not_saved": "no card saved for later payments",
    "waiting": "no {what} yet",
    "processing": "checkout completed; the payment is still processing",
    "recovery_scheduled": "reminders to finish the gift scheduled (the reader agreed)",
    "ignored": "not an event this service acts on",
    "malformed": "malformed {event_type}: {error}",
    "api_version": (
        "endpoint API version {received}; this app reads {pinned}; "
        "set the endpoint's version to {pinned}"
    ),
    "found_through_stripe": "asked Stripe: payment intent {payment_intent} paid {invoice}",
    "duplicate": "already received",
    "note": "{text}",
}
# Values stored in minor units, shown as money in the record's currency.
MONEY_VALUES = ("amount", "refunded")


@dataclass
class Result:
    """What applying one event came to, and what it changed."""

    outcome: EventOutcome
    details: list[Detail] = field(default_factory=list)
    pledge: Pledge | None = None
    # The Stripe id an unmatched event needs before it can apply.
    waiting_for: str | None = None
    # E-mails to queue with the change: (kind, reference), about `pledge`.
    notices: list[tuple[str, str]] = field(default_factory=list)

    def note(self, kind: str, **values: Any) -> Result:
        if kind not in PHRASES:
            raise KeyError(f"no words for {kind!r} in outcome.PHRASES")
        self.details.append({"kind": kind, **values})
        return self

    @property
    def malformed(self) -> bool:
        """Refused because no handler could read it (not for its API version)."""
        return self.outcome == EventOutcome.REFUSED and any(
            detail["kind"] == "malformed" for detail in self.details
        )

    def payments_recorded(self) -> list[Detail]:
        return [detail for detail in self.details if detail["kind"] == "payment_recorded"]

    @property
    def words(self) -> str:
        return in_words(self.details)


def in_words(details: Iterable[Detail]) -> str:
    return "; ".join(describe(detail) for detail in details)


def describe(detail: Detail) -> str:
    """One record in words, money in the reader's locale."""
    values = dict(detail)
    currency = values.get("currency")
    for name in MONEY_VALUES:
        if currency and isinstance(values.get(name), int):
            values[name] = Money(values[name], currency)
    phrase = PHRASES.get(str(values.get("kind")), "{kind}")
    try:
        return phrase.format(**values)
    except (KeyError, IndexError, ValueError):
        return str(values.get("kind"))


def unmatched(what: str, waiting_for: str | None) -> Result:
    return Result(EventOutcome.UNMATCHED, waiting_for=waiting_for).note("waiting", what=what)
