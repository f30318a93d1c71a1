"""What each Stripe event does to pledges and payments.

Events arrive late, twice and out of order, so every handler is an upsert keyed by Stripe's
ids; a status moves only along the transition table and only for an event newer than the one
behind the current status; an event whose object we do not know yet waits (outcome
"unmatched", `waiting_for` the missing id) and is applied again once that object is known.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from donations.payments import recovery
from donations.payments.enums import EventOutcome, Frequency, IllegalTransition, PledgeStatus
from donations.payments.models import Payment, Pledge
from donations.payments.stripe_gateway import PaymentServiceError, gateway
from donations.payments.webhooks.outcome import Result, unmatched
from donations.platform.database import insert_unless_stored
from donations.platform.extensions import db

log = logging.getLogger(__name__)

StripeObject = dict[str, Any]
APPLIED = EventOutcome.APPLIED


# Checkout sessions


def on_checkout_session_completed(session: StripeObject, event: StripeObject) -> Result:
    pledge = pledge_for_session(session)
    if pledge is None:
        return unmatched(f"pledge for checkout session {session['id']}", None)
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return Result(APPLIED, pledge=pledge).note("processing")
    return record_checkout_payment(pledge, session, event)


def on_checkout_session_async_payment_succeeded(
    session: StripeObject, event: StripeObject
) -> Result:
    pledge = pledge_for_session(session)
    if pledge is None:
        return unmatched(f"pledge for checkout session {session['id']}", None)
    return record_checkout_payment(pledge, session, event)


def on_checkout_session_async_payment_failed(session: StripeObject, event: StripeObject) -> Result:
    pledge = pledge_for_session(session)
    if pledge is None:
        return unmatched(f"pledge for checkout session {session['id']}", None)
    return advance(Result(APPLIED, pledge=pledge), PledgeStatus.FAILED, event)


def on_checkout_session_expired(session: StripeObject, event: StripeObject) -> Result:
    pledge = pledge_for_session(session)
    if pledge is None:
        return unmatched(f"pledge for checkout session {session['id']}", None)
    result = advance(Result(APPLIED, pledge=pledge), PledgeStatus.EXPIRED, event)
    if not pledge.is_confirmed and recovery.schedule(pledge, session, timestamp(event["created"])):
        result.note("recovery_scheduled")
    return result


# Invoices (every payment of a recurring pledge)


def on_invoice_paid(invoice: StripeObject, event: StripeObject) -> Result:
    pledge, subscription = pledge_for_invoice(invoice)
    if pledge is None:
        return unmatched(f"pledge for subscription {subscription}", subscription)
    result = Result(APPLIED, pledge=pledge)
    paid_at = timestamp(
        (invoice.get("status_transitions") or {}).get("paid_at") or event["created"]
    )
    recorded = record_payment(
        result,
        invoice.get("amount_paid", 0),
        invoice["currency"],
        paid_at,
        invoice_id=invoice["id"],
    )
    # The first invoice's receipt is the thank-you; every later payment gets its own.
    if recorded and pledge.email and invoice.get("billing_reason") != "subscription_create":
        result.notices.append(("receipt", invoice["id"]))
    return confirm(result, PledgeStatus.ACTIVE, event)


def on_invoice_payment_failed(invoice: StripeObject, event: StripeObject) -> Result:
    pledge, subscription = pledge_for_invoice(invoice)
    if pledge is None:
        return unmatched(f"pledge for subscription {subscription}", subscription)
    result = advance(Result(APPLIED, pledge=pledge), PledgeStatus.PAST_DUE, event)
    # Stripe retries a failed renewal several times; the donor hears about the first only.
    if pledge.email and (invoice.get("attempt_count") or 1) <= 1:
        result.notices.append(("payment_failed", invoice["id"]))
    return result


def on_invoice_payment_paid(invoice_payment: StripeObject, event: StripeObject) -> Result:
    """Links a subscription payment to its payment intent, so refunds and disputes find it."""
    invoice_id = object_id(invoice_payment.get("invoice"))
    payment_intent = object_id((invoice_payment.get("payment") or {}).get("payment_intent"))
    payment = db.session.scalar(select(Payment).where(Payment.stripe_invoice_id == invoice_id))
    if payment is None:
        return unmatched(f"payment for invoice {invoice_id}", invoice_id)
    if payment_intent and payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id = payment_intent
    return Result(APPLIED, pledge=payment.pledge).note(
        "linked", invoice=invoice_id, payment_intent=payment_intent
    )


# Subscriptions


# Payment intents


def on_payment_intent_succeeded(intent: StripeObject, event: StripeObject) -> Result:
    """A one-off gift's payment: whether it saved its card for later ("make it monthly")."""
    pledge = find_pledge(intent.get("metadata"), Pledge.payment_intent_id == intent["id"])
    if pledge is None and not (intent.get("metadata") or {}).get("pledge_id"):
        # A subscription's invoices are paid by intents of their own, without our metadata.
        return Result(EventOutcome.IGNORED).note("ignored")
    if pledge is None or pledge.is_recurring:
        return unmatched(f"one-off gift paid by {intent['id']}", None)
    customer = object_id(intent.get("customer"))
    remember_stripe_ids(pledge, customer=customer, payment_intent=intent["id"])
    card = object_id(intent.get("payment_method"))
    saved = intent.get("setup_future_usage") == "off_session" and card and customer
    if not saved or customer != pledge.customer_id:
        return Result(APPLIED, pledge=pledge).note("card_not_saved")
    pledge.reusable_card_id = card
    return Result(APPLIED, pledge=pledge).note("card_saved")


def on_subscription_updated(subscription: StripeObject, event: StripeObject) -> Result:
    pledge = pledge_for_subscription(subscription)
    if pledge is None:
        return unmatched(f"pledge for subscription {subscription['id']}", subscription["id"])
    result = sync_subscription(Result(APPLIED, pledge=pledge), subscription, event)
    wanted = SUBSCRIPTION_STATUSES.get(subscription.get("status", ""))
    if wanted is None:
        return result.note("subscription_status", stripe_status=subscription.get("status"))
    # Stripe activates a Checkout subscription only once its first invoice is paid.
    return confirm(result, wanted, event)


def on_subscription_deleted(subscription: StripeObject, event: StripeObject) -> Result:
    pledge = pledge_for_subscription(subscription)
    if pledge is None:
        return unmatched(f"pledge for subscription {subscription['id']}", subscription["id"])
    result = sync_subscription(Result(APPLIED, pledge=pledge), subscription, event)
    return advance(result, PledgeStatus.CANCELED, event)


# Charges: refunds and disputes


def on_charge_refunded(charge: StripeObject, event: StripeObject) -> Result:
    payment, found = payment_for_charge(charge)
    if payment is None:
        return unmatched(f"payment for charge {charge['id']}", charge_key(charge))
    # Refunds only grow; a late copy of an older event must not shrink the total.
    refunded = min(max(payment.refunded_amount, charge.get("amount_refunded") or 0), payment.amount)
    payment.refunded_amount = refunded
    result = Result(APPLIED, pledge=payment.pledge)
    if found:
        result.note(**found)
    result.note("refunded", refunded=refunded, amount=payment.amount, currency=payment.currency)
    if not payment.pledge.is_recurring and refunded == payment.amount:
        advance(result, PledgeStatus.REFUNDED, event)
    return result


def on_charge_dispute_created(dispute: StripeObject, event: StripeObject) -> Result:
    charge = {
        "id": object_id(dispute.get("charge")),
        "payment_intent": dispute.get("payment_intent"),
    }
    payment, found = payment_for_charge(charge)
    if payment is None:
        return unmatched(f"payment for disputed charge {charge['id']}", charge_key(charge))
    payment.disputed = True
    result = Result(APPLIED, pledge=payment.pledge)
    if found:
        result.note(**found)
    result.note("disputed")
    if not payment.pledge.is_recurring:
        advance(result, PledgeStatus.DISPUTED, event)
    return result


HANDLERS: dict[str, Callable[[StripeObject, StripeObject], Result]] = {
    "checkout.session.completed": on_checkout_session_completed,
    "checkout.session.async_payment_succeeded": on_checkout_session_async_payment_succeeded,
    "checkout.session.async_payment_failed": on_checkout_session_async_payment_failed,
    "checkout.session.expired": on_checkout_session_expired,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "invoice_payment.paid": on_invoice_payment_paid,
    "payment_intent.succeeded": on_payment_intent_succeeded,
    "customer.subscription.updated": on_subscription_updated,
    "customer.subscription.deleted": on_subscription_deleted,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_charge_dispute_created,
}

# Stripe's subscription statuses, in pledge terms; others (incomplete, trialing…) change nothing.
SUBSCRIPTION_STATUSES = {
    "active": PledgeStatus.ACTIVE,
    "past_due": PledgeStatus.PAST_DUE,
    "unpaid": PledgeStatus.PAST_DUE,
    "canceled": PledgeStatus.CANCELED,
    "incomplete_expired": PledgeStatus.EXPIRED,
}


# A subscription's interval, in pledge terms (the donor may switch monthly to annual).
INTERVAL_FREQUENCIES = {"month": Frequency.MONTHLY, "year": Frequency.ANNUAL}


# Finding what an event is about


def find_pledge(
    metadata: dict[str, Any] | None, *by_stripe_id: Any, client_reference_id: str | None = None
) -> Pledge | None:
    """The pledge an object belongs to: our metadata first, then the Stripe ids we stored.

    The row is locked (on PostgreSQL) so two events for one pledge apply one after the other.
    """
    public_id = (metadata or {}).get("pledge_id") or client_reference_id
    condition = Pledge.public_id == public_id if public_id else by_stripe_id[0]
    return db.session.scalar(select(Pledge).where(condition).with_for_update())


def pledge_for_session(session: StripeObject) -> Pledge | None:
    """The session's pledge, with the Stripe ids and e-mail the session tells us."""
    pledge = find_pledge(
        session.get("metadata"),
        Pledge.checkout_session_id == session["id"],
        client_reference_id=session.get("client_reference_id"),
    )
    if pledge is None:
        return None
    recovered_from = session.get("recovered_from")
    if not pledge.checkout_session_id or pledge.checkout_session_id == recovered_from:
        # A session opened from an expired one's recovery URL takes over: the thank-you page
        # finds the pledge by the session the reader came back from.
        pledge.checkout_session_id = session["id"]
    remember_stripe_ids(
        pledge,
        customer=object_id(session.get("customer")),
        subscription=object_id(session.get("subscription")),
        payment_intent=object_id(session.get("payment_intent")),
    )
    if not pledge.email and not pledge.anonymous:
        pledge.email = ((session.get("customer_details") or {}).get("email") or "").lower() or None
    return pledge


def pledge_for_invoice(invoice: StripeObject) -> tuple[Pledge | None, str | None]:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    subscription = object_id(details.get("subscription")) or object_id(invoice.get("subscription"))
    if not subscription:
        return None, None
    pledge = find_pledge(details.get("metadata"), Pledge.subscription_id == subscription)
    if pledge is not None:
        remember_stripe_ids(
            pledge, customer=object_id(invoice.get("customer")), subscription=subscription
        )
    return pledge, subscription


def pledge_for_subscription(subscription: StripeObject) -> Pledge | None:
    pledge = find_pledge(subscription.get("metadata"), Pledge.subscription_id == subscription["id"])
    if pledge is not None:
        remember_stripe_ids(
            pledge,
            customer=object_id(subscription.get("customer")),
            subscription=subscription["id"],
        )
    return pledge


def payment_for_charge(charge: StripeObject) -> tuple[Payment | None, dict[str, str] | None]:
    """A charge's payment: by payment intent, or by the charge id stored earlier; else, for a
    renewal whose `invoice_payment.paid` never came (missed, or not enabled on the endpoint),
    by the invoice Stripe says the payment intent paid. The second value records that lookup.
    """
    payment_intent = object_id(charge.get("payment_intent"))
    condition = (
        Payment.stripe_payment_intent_id == payment_intent
        if payment_intent
        else Payment.stripe_charge_id == charge["id"]
    )
    payment = db.session.scalar(select(Payment).where(condition).with_for_update())
    found = None
    if payment is None and payment_intent:
        payment, found = payment_through_stripe(payment_intent)
    if payment is not None and not payment.stripe_charge_id:
        payment.stripe_charge_id = charge["id"]
    return payment, found


def payment_through_stripe(payment_intent: str) -> tuple[Payment | None, dict[str, str] | None]:
    """The stored invoice payment a payment intent paid, asked of Stripe (charge → payment
    intent → invoice payments → invoice); linked, so the next event finds it without asking."""
    try:
        invoice_id = gateway().invoice_paid_by(payment_intent)
    except PaymentServiceError as error:
        # Waits as unmatched; `flask stripe reconcile` links it later.
        log.warning("could not ask Stripe which invoice %s paid: %s", payment_intent, error)
        return None, None
    if invoice_id is None:
        return None, None
    payment = db.session.scalar(
        select(Payment).where(Payment.stripe_invoice_id == invoice_id).with_for_update()
    )
    if payment is None:
        return None, None
    if payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id = payment_intent
    return payment, {
        "kind": "found_through_stripe",
        "payment_intent": payment_intent,
        "invoice": invoice_id,
    }


def pledge_hint(obj: StripeObject) -> Pledge | None:
    """The pledge an object of any API version names, read without changing anything: to show
    staff an event that was not applied beside the pledge it is about."""
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    public_id = (
        (obj.get("metadata") or {}).get("pledge_id")
        or (details.get("metadata") or {}).get("pledge_id")
        or obj.get("client_reference_id")
    )
    if isinstance(public_id, str) and public_id:
        return db.session.scalar(select(Pledge).where(Pledge.public_id == public_id))
    # Older versions name the subscription at the top of an invoice.
    subscription = object_id(details.get("subscription")) or object_id(obj.get("subscription"))
    if obj.get("object") == "subscription":
        subscription = object_id(obj.get("id"))
    if subscription:
        return db.session.scalar(select(Pledge).where(Pledge.subscription_id == subscription))
    payment_intent = object_id(obj.get("payment_intent"))
    if payment_intent:
        return db.session.scalar(
            select(Pledge)
            .join(Payment, Payment.pledge_id == Pledge.id)
            .where(Payment.stripe_payment_intent_id == payment_intent)
        )
    return None


def charge_key(charge: StripeObject) -> str | None:
    return object_id(charge.get("payment_intent")) or charge.get("id")


def ids_in(obj: StripeObject) -> set[str]:
    """The Stripe ids an applied event made known: events waiting for one of them can apply."""
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    candidates = (
        obj.get("id"),
        obj.get("subscription"),
        obj.get("payment_intent"),
        obj.get("invoice"),
        details.get("subscription"),
        (obj.get("payment") or {}).get("payment_intent"),
    )
    return {found for found in map(object_id, candidates) if found}


# Changing what we know


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


def record_checkout_payment(pledge: Pledge, session: StripeObject, event: StripeObject) -> Result:
    """The money a paid session brought: its invoice (recurring) or payment intent (one-off)."""
    paid_at = timestamp(event["created"])
    amount, currency = session["amount_total"], session["currency"]
    result = Result(APPLIED, pledge=pledge)
    if pledge.is_recurring:
        invoice_id = object_id(session.get("invoice"))
        if invoice_id:
            record_payment(result, amount, currency, paid_at, invoice_id=invoice_id)
        return confirm(result, PledgeStatus.ACTIVE, event)
    payment_intent = object_id(session.get("payment_intent"))
    if payment_intent:
        record_payment(result, amount, currency, paid_at, payment_intent_id=payment_intent)
    return confirm(result, PledgeStatus.PAID, event)


def record_payment(
    result: Result,
    amount: int,
    currency: str,
    paid_at: datetime,
    *,
    invoice_id: str | None = None,
    payment_intent_id: str | None = None,
) -> bool:
    """Store a payment of `result.pledge` once per Stripe invoice or payment intent; False if
    it was stored already (or is no money)."""
    if amount <= 0:
        return False
    key = "stripe_invoice_id" if invoice_id else "stripe_payment_intent_id"
    payment = {
        "pledge_id": result.pledge.id,
        "amount": amount,
        "currency": currency.lower(),
        "paid_at": paid_at,
        "stripe_invoice_id": invoice_id,
        "stripe_payment_intent_id": payment_intent_id,
    }
    # One statement: no race with another event for the same money, as find_pledge locked the
    # pledge's row. Not flushed first: the pledge's changes go out with the rest.
    with db.session.no_autoflush:
        statement = insert_unless_stored(db.session, Payment, key)
        stored = db.session.execute(statement, payment).scalar()
    if stored is None:
        return False
    result.note(
        "payment_recorded",
        amount=amount,
        currency=currency.lower(),
        reference=invoice_id or payment_intent_id,
    )
    return True


def sync_subscription(result: Result, subscription: StripeObject, event: StripeObject) -> Result:
    """Copy amount, period end and cancel-at-period-end from the newest subscription we saw."""
    pledge = result.pledge
    happened = timestamp(event["created"])
    if pledge.subscription_synced_at and happened < pledge.subscription_synced_at:
        return result.note("subscription_older")
    pledge.subscription_synced_at = happened
    items = (subscription.get("items") or {}).get("data") or []
    if items:
        price = items[0].get("price") or {}
        if price.get("unit_amount"):
            pledge.amount = price["unit_amount"] * (items[0].get("quantity") or 1)
        if items[0].get("current_period_end"):
            pledge.current_period_end = timestamp(items[0]["current_period_end"])
        interval = (price.get("recurring") or {}).get("interval")
        if interval in INTERVAL_FREQUENCIES:
            pledge.frequency = INTERVAL_FREQUENCIES[interval]
    pledge.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    pause = subscription.get("pause_collection") or {}
    pledge.collection_paused = bool(pause)
    pledge.pause_resumes_at = timestamp(pause["resumes_at"]) if pause.get("resumes_at") else None
    return result.note("subscription_synced")


def confirm(result: Result, status: PledgeStatus, event: StripeObject) -> Result:
    """Move a pledge to a status; a donor confirmed for the first time is thanked."""
    pledge = result.pledge
    was_confirmed = pledge.is_confirmed
    advance(result, status, event)
    if pledge.is_confirmed and not was_confirmed and pledge.email:
        result.notices.append(("thank_you", pledge.public_id))
    return result


def advance(result: Result, status: PledgeStatus, event: StripeObject) -> Result:
    """Move the pledge if the table allows and the event is newer than the last status news."""
    pledge = result.pledge
    happened = timestamp(event["created"])
    if pledge.status_event_at and happened < pledge.status_event_at:
        return result.note("older", status=pledge.status)
    if pledge.status == status:
        # Still news: an older event arriving later must not undo what this one confirmed.
        pledge.status_event_at = happened
        return result.note("already", status=status)
    was = pledge.status
    try:
        pledge.move_to(status)
    except IllegalTransition as refused:
        log.warning("pledge %s: %s", pledge.public_id, refused)
        return result.note("refused_move", status=pledge.status, wanted=status)
    pledge.status_event_at = happened
    return result.note("moved", before=was, after=status)


def object_id(value: Any) -> str | None:
    """Stripe fields hold an id, or the object itself when expanded."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
