"""Repair what missed webhooks left out, by reading the current state back from Stripe."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.event import listen, remove

from donations.payments.models import Payment, Pledge
from donations.payments.notices import queue_notices
from donations.payments.stripe_gateway import gateway
from donations.payments.webhooks import handlers
from donations.payments.webhooks.outcome import Result, describe
from donations.payments.webhooks.processor import release_waiting_for
from donations.platform.extensions import db

Handler = Callable[[dict[str, Any], dict[str, Any]], Result]


def reconcile(since: datetime) -> Iterator[str]:
    """Apply Stripe's sessions (and one-off gifts' payment intents), paid invoices and invoice
    payments (since `since`) and all subscriptions; yield changes.

    Each object goes through the same handler as its webhook would, so a second run finds
    nothing to change. The "event" is now: what Stripe says today is the newest truth. An
    invoice payment links a renewal to the payment intent that paid it, which its refunds and
    disputes name: events of those left waiting for that link are applied then.
    """
    now = {"id": "reconcile", "created": int(time.time())}
    start = int(since.timestamp())
    for session in gateway().checkout_sessions_since(start):
        handler = _session_handler(session)
        if handler is not None:
            yield from _apply(handler, session, now)
        intent = handlers.object_id(session.get("payment_intent"))
        if handler is handlers.on_checkout_session_completed and intent:
            paid_by = gateway().payment_intent(intent)  # whether it saved the card for later
            yield from _apply(handlers.on_payment_intent_succeeded, paid_by, now)
    for invoice in gateway().invoices_since(start):
        yield from _apply(handlers.on_invoice_paid, invoice, now)
    linked: set[str] = set()
    for invoice_payment in gateway().invoice_payments_since(start):
        yield from _apply(handlers.on_invoice_payment_paid, invoice_payment, now)
        linked |= handlers.ids_in(invoice_payment)
    for event_id, result in release_waiting_for(linked):
        yield f"{event_id}: {result.outcome}{': ' + result.words if result.details else ''}"
    for subscription in gateway().subscriptions():
        handler = (
            handlers.on_subscription_deleted
            if subscription.get("status") == "canceled"
            else handlers.on_subscription_updated
        )
        yield from _apply(handler, subscription, now)


def _session_handler(session: dict[str, Any]) -> Handler | None:
    if session.get("status") == "complete" and session.get("payment_status") in (
        "paid",
        "no_payment_required",
    ):
        return handlers.on_checkout_session_completed
    if session.get("status") == "expired":
        return handlers.on_checkout_session_expired
    return None


def _apply(handler: Handler, obj: dict[str, Any], event: dict[str, Any]) -> Iterator[str]:
    changes: list[str] = []
    session = db.session()

    def collect(session: Any, flush_context: Any, instances: Any) -> None:
        changes.extend(_describe(session))

    listen(session, "before_flush", collect)
    try:
        result = handler(obj, event)
        # New payments are stored by a plain INSERT, which no flush sees: the result names them.
        changes.extend(
            f"{result.pledge.public_id}: {describe(payment)}"
            for payment in result.payments_recorded()
        )
        if result.pledge is not None and result.notices:
            queue_notices(result.pledge, result.notices)
        db.session.commit()
    finally:
        remove(session, "before_flush", collect)
    yield from changes


def _describe(session: Any) -> Iterator[str]:
    """What a flush is about to write, in words: changed fields."""
    for obj in session.dirty:
        if not isinstance(obj, Pledge | Payment):
            continue
        name = obj.public_id if isinstance(obj, Pledge) else obj.pledge.public_id
        for attr in inspect(obj).attrs:
            history = attr.history
            if history.added and attr.key not in IGNORED_FIELDS:
                before = history.deleted[0] if history.deleted else None
                if before != history.added[0]:
                    yield f"{name}: {attr.key} {before} → {history.added[0]}"


IGNORED_FIELDS = {"updated_at", "status_changed_at", "status_event_at", "subscription_synced_at"}
