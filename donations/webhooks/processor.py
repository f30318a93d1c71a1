"""Applies verified Stripe events exactly once, stored in the same transaction as their effect."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from donations.donor_mail import send_notices
from donations.extensions import db
from donations.models import StripeEvent, utcnow
from donations.webhooks.handlers import HANDLERS, Result, known_ids, timestamp

log = logging.getLogger(__name__)


def process_event(event: dict[str, Any]) -> Result:
    """Apply one verified event; a second delivery of the same event changes nothing."""
    if db.session.get(StripeEvent, event["id"]) is not None:
        return Result("duplicate", "already received")
    record = StripeEvent(
        id=event["id"],
        type=event["type"],
        created_at=timestamp(event["created"]),
        payload=event,
        outcome="applied",
    )
    db.session.add(record)
    try:
        # Claims the event id first: a concurrent delivery of the same event waits here, then fails.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return Result("duplicate", "already received")
    result = _apply(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(StripeEvent, event["id"]) is not None:
            return Result("duplicate", "already received")
        raise
    log.info("stripe event %s %s: %s %s", event["id"], event["type"], result.outcome, result.reason)
    _after_commit(result)
    return result


def replay_event(event_id: str) -> Result:
    """Apply a stored event again (handlers are idempotent, so an applied one changes nothing)."""
    record = db.session.get(StripeEvent, event_id)
    if record is None:
        raise LookupError(event_id)
    result = _apply(record)
    db.session.commit()
    _after_commit(result)
    return result


def _apply(record: StripeEvent) -> Result:
    event = record.payload
    handler = HANDLERS.get(event["type"])
    if handler is None:
        result = Result("ignored", "not an event this service acts on")
    else:
        try:
            with db.session.begin_nested():
                result = handler(event["data"]["object"], event)
        except (KeyError, TypeError, ValueError, IntegrityError) as error:
            # Kept, not lost: the payload is stored and `flask stripe replay` can apply it later.
            log.exception("stripe event %s could not be applied", event["id"])
            result = Result("refused", f"malformed {event['type']}: {error!r}")
    record.outcome = result.outcome
    record.reason = result.reason[:2000]
    record.waiting_for = result.waiting_for
    if result.pledge is not None:
        record.pledge_id = result.pledge.id
    record.processed_at = utcnow()
    return result


def _after_commit(result: Result) -> None:
    send_notices(result.notify)
    if result.pledge is not None and result.outcome == "applied":
        _release_waiting(known_ids(result.pledge))


def _release_waiting(ids: set[str]) -> None:
    """Apply events that arrived before the object they need, now that it is known."""
    if not ids:
        return
    waiting = db.session.scalars(
        select(StripeEvent)
        .where(StripeEvent.outcome == "unmatched", StripeEvent.waiting_for.in_(ids))
        .order_by(StripeEvent.created_at)
    ).all()
    for record in waiting:
        log.info("stripe event %s can apply now", record.id)
        replay_event(record.id)
