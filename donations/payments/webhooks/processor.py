"""Applies verified Stripe events exactly once, stored in the same transaction as their effect."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from donations.payments.enums import EventOutcome
from donations.payments.models import StripeEvent
from donations.payments.notices import queue_notices
from donations.payments.webhooks.handlers import HANDLERS, ids_in, pledge_hint, timestamp
from donations.payments.webhooks.outcome import Result
from donations.payments.webhooks.shape import malformed, version_refusal
from donations.platform.database import insert_unless_stored, utcnow
from donations.platform.extensions import db

log = logging.getLogger(__name__)


def process_event(event: dict[str, Any]) -> Result:
    """Apply one verified event; a second delivery of the same event changes nothing.

    A signed event no handler can read is stored as refused (`Result.malformed`), so that
    Stripe's next delivery of it is a duplicate.
    """
    problem = malformed(event)
    if problem is not None:
        return _refuse_malformed(event, problem)
    if not _claim(event):
        return Result(EventOutcome.DUPLICATE).note("duplicate")
    result = _apply(event)
    db.session.commit()
    if result.waiting_for is None:
        _release_waiting(event, result)
    else:
        # What it waits for may have been committed while it looked, by an event that then
        # looked for waiting events before this one's wait was committed. Each side looks
        # after its own commit, so one of the two always sees the other.
        result = _apply_committed(event)
    log.info("stripe event %s %s: %s %s", event["id"], event["type"], result.outcome, result.words)
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


def _claim(event: dict[str, Any], **stored: Any) -> bool:
    """Store the event unless it is stored already; True for its first delivery.

    One statement: a concurrent delivery of the same event waits on the row, then finds it.
    `stored` overrides what is read from the event (for one that is malformed).
    """
    row = {
        "id": event["id"],
        "type": event.get("type"),
        "api_version": event.get("api_version"),
        "payload": event,
        "received_at": utcnow(),
        "outcome": EventOutcome.RECEIVED,
        "details": [],
    }
    row.update(stored)
    if "created_at" not in row:
        row["created_at"] = timestamp(event["created"])
    claimed = db.session.execute(insert_unless_stored(db.session, StripeEvent, "id"), row).scalar()
    if claimed is None:
        db.session.rollback()
    return claimed is not None


def _refuse_malformed(event: dict[str, Any], problem: str) -> Result:
    """Keep a signed event no handler can read, refused, with what is wrong with it."""
    event_type = event.get("type")
    event_type = event_type if isinstance(event_type, str) and event_type else "unknown"
    event_type = event_type[:100]
    version = event.get("api_version")
    claimed = _claim(
        event,
        type=event_type,
        created_at=utcnow(),
        api_version=version if isinstance(version, str) else None,
    )
    if not claimed:
        return Result(EventOutcome.DUPLICATE).note("duplicate")
    result = Result(EventOutcome.REFUSED).note("malformed", event_type=event_type, error=problem)
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event["id"])
        .values(outcome=result.outcome, details=result.details, processed_at=utcnow())
    )
    db.session.commit()
    log.warning("stripe event %s refused: %s", event["id"], problem)
    return result


def _apply(event: dict[str, Any]) -> Result:
    """Run the event's handler and write its outcome on the stored event, in one transaction."""
    handler = HANDLERS.get(event["type"])
    refusal = version_refusal(event) if handler is not None else None
    if handler is None:
        result = Result(EventOutcome.IGNORED).note("ignored")
    elif refusal is not None:
        # Read at another version, its fields are not where the handlers look: kept, shown
        # to staff with the pledge it names, and left for `flask stripe reconcile`.
        result = Result(EventOutcome.REFUSED, pledge=pledge_hint(event["data"]["object"]))
        result.note(**refusal)
        log.warning("stripe event %s refused: %s", event["id"], result.words)
    else:
        try:
            result = handler(event["data"]["object"], event)
            db.session.flush()  # a broken constraint shows here, not at commit
        except (KeyError, TypeError, ValueError, AttributeError, IntegrityError) as error:
            # Kept, not lost: the payload is stored and `flask stripe replay` can apply it later.
            log.exception("stripe event %s could not be applied", event["id"])
            db.session.rollback()
            _claim(event)  # the rollback took the new event's row with it
            result = Result(EventOutcome.REFUSED).note(
                "malformed", event_type=event["type"], error=repr(error)[:500]
            )
    if result.pledge is not None and result.notices:
        queue_notices(result.pledge, result.notices)
    outcome = {
        "outcome": result.outcome,
        "details": result.details,
        "waiting_for": result.waiting_for,
        "processed_at": utcnow(),
    }
    if result.pledge is not None:
        outcome["pledge_id"] = result.pledge.id
    db.session.execute(update(StripeEvent).where(StripeEvent.id == event["id"]).values(outcome))
    return result


def _release_waiting(event: dict[str, Any], result: Result) -> None:
    """Apply the stored events that arrived before the objects this applied event brings,
    oldest first, now that those are committed."""
    ids = ids_in(event["data"]["object"]) if result.outcome == EventOutcome.APPLIED else set()
    release_waiting_for(ids)


def release_waiting_for(ids: set[str]) -> list[tuple[str, Result]]:
    """Apply the stored events waiting for any of these Stripe ids, oldest first; what each did."""
    if not ids:
        return []
    waiting = (
        select(StripeEvent.id)
        .where(StripeEvent.waiting_for.in_(ids), StripeEvent.outcome == EventOutcome.UNMATCHED)
        .order_by(StripeEvent.created_at)
    )
    applied = []
    for event_id in db.session.scalars(waiting).all():
        log.info("stripe event %s can apply now", event_id)
        applied.append((event_id, replay_event(event_id)))
    return applied
