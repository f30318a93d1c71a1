"""What each Stripe event does to pledges and payments.

Events arrive late, twice and out of order, so every handler is an upsert keyed by Stripe's
ids, and a status only moves along the transition table and never back to an older state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from donations import pledge_status
from donations.extensions import db
from donations.models import Payment, Pledge
from donations.pledge_status import IllegalTransition

log = logging.getLogger(__name__)

StripeObject = dict[str, Any]


@dataclass
class Result:
    outcome: str  # applied, ignored, unmatched, refused, duplicate
    reason: str = ""
    pledge: Pledge | None = None


def on_checkout_session_completed(session: StripeObject, event: StripeObject) -> Result:
    pledge = find_pledge(
        session.get("metadata"),
        Pledge.checkout_session_id == session["id"],
        client_reference_id=session.get("client_reference_id"),
    )
    if pledge is None:
        return Result("unmatched", f"no pledge for checkout session {session['id']}")
    pledge.checkout_session_id = pledge.checkout_session_id or session["id"]
    remember_stripe_ids(
        pledge,
        customer=object_id(session.get("customer")),
        subscription=object_id(session.get("subscription")),
        payment_intent=object_id(session.get("payment_intent")),
    )
    if not pledge.email:
        pledge.email = ((session.get("customer_details") or {}).get("email") or "").lower() or None
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return Result("applied", "checkout completed; the payment is still processing", pledge)
    paid_at = timestamp(event["created"])
    if pledge.is_recurring:
        invoice_id = object_id(session.get("invoice"))
        if invoice_id:
            record_payment(
                pledge, session["amount_total"], session["currency"], paid_at, invoice_id=invoice_id
            )
        note = advance(pledge, pledge_status.ACTIVE, event)
    else:
        payment_intent = object_id(session.get("payment_intent"))
        if payment_intent:
            record_payment(
                pledge,
                session["amount_total"],
                session["currency"],
                paid_at,
                payment_intent_id=payment_intent,
            )
        note = advance(pledge, pledge_status.PAID, event)
    return Result("applied", note, pledge)


def on_invoice_paid(invoice: StripeObject, event: StripeObject) -> Result:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    subscription = object_id(details.get("subscription")) or object_id(invoice.get("subscription"))
    if not subscription:
        return Result("unmatched", f"invoice {invoice['id']} is not for a subscription")
    pledge = find_pledge(details.get("metadata"), Pledge.subscription_id == subscription)
    if pledge is None:
        return Result("unmatched", f"no pledge for subscription {subscription}")
    remember_stripe_ids(
        pledge, customer=object_id(invoice.get("customer")), subscription=subscription
    )
    paid_at = timestamp(
        (invoice.get("status_transitions") or {}).get("paid_at") or event["created"]
    )
    if invoice.get("amount_paid", 0) > 0:
        record_payment(
            pledge, invoice["amount_paid"], invoice["currency"], paid_at, invoice_id=invoice["id"]
        )
    return Result("applied", advance(pledge, pledge_status.ACTIVE, event), pledge)


HANDLERS: dict[str, Callable[[StripeObject, StripeObject], Result]] = {
    "checkout.session.completed": on_checkout_session_completed,
    "invoice.paid": on_invoice_paid,
}


def find_pledge(
    metadata: dict[str, Any] | None, *by_stripe_id: Any, client_reference_id: str | None = None
) -> Pledge | None:
    """The pledge an object belongs to: our metadata first, then the Stripe ids we stored.

    The row is locked (on PostgreSQL) so two events for one pledge apply one after the other.
    """
    public_id = (metadata or {}).get("pledge_id") or client_reference_id
    condition = Pledge.public_id == public_id if public_id else by_stripe_id[0]
    return db.session.scalar(select(Pledge).where(condition).with_for_update())


def remember_stripe_ids(pledge: Pledge, **ids: str | None) -> None:
    """Fill in Stripe ids we did not know yet; never overwrite one we had."""
    columns = {
        "customer": "customer_id",
        "subscription": "subscription_id",
        "payment_intent": "payment_intent_id",
    }
    for name, value in ids.items():
        if value and not getattr(pledge, columns[name]):
            setattr(pledge, columns[name], value)


def record_payment(
    pledge: Pledge,
    amount: int,
    currency: str,
    paid_at: datetime,
    *,
    invoice_id: str | None = None,
    payment_intent_id: str | None = None,
) -> bool:
    """Store a payment once per Stripe invoice or payment intent; False if already stored."""
    key = (
        Payment.stripe_invoice_id == invoice_id
        if invoice_id
        else Payment.stripe_payment_intent_id == payment_intent_id
    )
    if db.session.scalar(select(Payment.id).where(key)) is not None or amount <= 0:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                Payment(
                    pledge=pledge,
                    amount=amount,
                    currency=currency.lower(),
                    paid_at=paid_at,
                    stripe_invoice_id=invoice_id,
                    stripe_payment_intent_id=payment_intent_id,
                )
            )
    except IntegrityError:
        return False  # a concurrent delivery stored it first
    return True


def advance(pledge: Pledge, status: str, event: StripeObject) -> str:
    """Move the pledge if the table allows and the event is not older than the last move."""
    happened = timestamp(event["created"])
    if pledge.status == status:
        return f"pledge already {status}"
    if pledge.status_event_at and happened < pledge.status_event_at:
        return f"kept {pledge.status}: this event is older than the last change"
    try:
        pledge.move_to(status)
    except IllegalTransition as refused:
        log.warning("pledge %s: %s", pledge.public_id, refused)
        return f"kept {pledge.status}: {refused}"
    pledge.status_event_at = happened
    return f"pledge {status}"


def object_id(value: Any) -> str | None:
    """Stripe fields hold an id, or the object itself when expanded."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
