"""Applies verified Stripe events exactly once, stored in the same transaction as their effect."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from donations.donor_mail import queue_notices
from donations.extensions import db, insert_unless_stored
from donations.models import StripeEvent, utcnow
from donations.webhooks.handlers import HANDLERS, Result, ids_in, timestamp

log = logging.getLogger(__name__)

# Statements every event runs, built once, on the table: the ORM would add only its
# per-statement work to these.
EVENTS = StripeEvent.__table__
# Writes an outcome; the values given (see _apply) say which columns it sets.
RECORD_OUTCOME = update(EVENTS).where(EVENTS.c.id == bindparam("event_id"))
WAITING = (
    select(EVENTS.c.id)
    .where(EVENTS.c.waiting_for.in_(bindparam("ids", expanding=True)))
    .where(EVENTS.c.outcome == "unmatched")
    .order_by(EVENTS.c.created_at)
)


def process_event(event: dict[str, Any]) -> Result:
    """Apply one verified event; a second delivery of the same event changes nothing."""
    if not _claim(event):
        return Result("duplicate", "already received")
    result = _apply(event)
    db.session.commit()
    if result.waiting_for is None:
        _release_waiting(event, result)
    else:
        # What it waits for may have been committed while it looked, by an event that then
        # looked for waiting events before this one's wait was committed. Each side looks
        # after its own commit, so one of the two always sees the other.
        result = _apply_committed(event)
    log.info("stripe event %s %s: %s %s", event["id"], event["type"], result.outcome, result.reason)
    return result


def replay_event(event_id: str) -> Result:
    """Apply a stored event again (handlers are idempotent, so an applied one changes nothing)."""
    payload = db.session.scalar(select(StripeEvent.payload).where(StripeEvent.id == event_id))
    if payload is None:
        raise LookupError(event_id)
    return _apply_committed(payload)


def _apply_committed(event: dict[str, Any]) -> Result:
    """Apply an event already stored, commit, and release what waited for it."""
    result = _apply(event)
    db.session.commit()
    _release_waiting(event, result)
    return result


def _claim(event: dict[str, Any]) -> bool:
    """Store the event unless it is stored already; True for its first delivery.

    One statement: a concurrent delivery of the same event waits on the row, then finds it.
    """
    claimed = db.session.execute(
        insert_unless_stored(StripeEvent, "id"),
        {
            "id": event["id"],
            "type": event["type"],
            "created_at": timestamp(event["created"]),
            "payload": event,
            "received_at": utcnow(),
            "outcome": "received",
            "reason": "",
        },
    ).scalar()
    if claimed is None:
        db.session.rollback()
    return claimed is not None


def _apply(event: dict[str, Any]) -> Result:
    """Run the event's handler and write its outcome on the stored event, in one transaction."""
    handler = HANDLERS.get(event["type"])
    if handler is None:
        result = Result("ignored", "not an event this service acts on")
    else:
        try:
            result = handler(event["data"]["object"], event)
            db.session.flush()  # a broken constraint shows here, not at commit
        except (KeyError, TypeError, ValueError, IntegrityError) as error:
            # Kept, not lost: the payload is stored and `flask stripe replay` can apply it later.
            log.exception("stripe event %s could not be applied", event["id"])
            db.session.rollback()
            _claim(event)  # the rollback took the new event's row with it
            result = Result("refused", f"malformed {event['type']}: {error!r}")
    if result.pledge is not None and result.notices:
        queue_notices(result.pledge, result.notices)
    outcome = {
        "outcome": result.outcome,
        "reason": result.reason[:2000],
        "waiting_for": result.waiting_for,
        "processed_at": utcnow(),
    }
    if result.pledge is not None:
        outcome["pledge_id"] = result.pledge.id
    db.session.execute(RECORD_OUTCOME, {"event_id": event["id"], **outcome})
    return result


def _release_waiting(event: dict[str, Any], result: Result) -> None:
    """Apply the stored events that arrived before the objects this applied event brings,
    oldest first, now that those are committed."""
    ids = ids_in(event["data"]["object"]) if result.outcome == "applied" else set()
    if not ids:
        return
    for event_id in db.session.scalars(WAITING, {"ids": list(ids)}).all():
        log.info("stripe event %s can apply now", event_id)
        replay_event(event_id)
