"""Applies verified Stripe events exactly once, stored in the same transaction as their effect."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from donations.extensions import db
from donations.models import StripeEvent, utcnow
from donations.webhooks.handlers import HANDLERS, Result

log = logging.getLogger(__name__)


def process_event(event: dict[str, Any]) -> Result:
    """Apply one verified event; a second delivery of the same event changes nothing."""
    if db.session.get(StripeEvent, event["id"]) is not None:
        return Result("duplicate", "already received")
    record = StripeEvent(
        id=event["id"],
        type=event["type"],
        created_at=datetime.fromtimestamp(event["created"], UTC),
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
    result = _apply(event)
    record.outcome = result.outcome
    record.reason = result.reason[:2000]
    record.pledge_id = result.pledge.id if result.pledge is not None else None
    record.processed_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(StripeEvent, event["id"]) is not None:
            return Result("duplicate", "already received")
        raise
    log.info("stripe event %s %s: %s %s", event["id"], event["type"], result.outcome, result.reason)
    return result


def _apply(event: dict[str, Any]) -> Result:
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return Result("ignored", "not an event this service acts on")
    try:
        with db.session.begin_nested():
            return handler(event["data"]["object"], event)
    except (KeyError, TypeError, ValueError) as error:
        # Kept, not lost: the payload is stored and `flask stripe replay` can apply it later.
        log.exception("stripe event %s could not be applied", event["id"])
        return Result("refused", f"malformed {event['type']}: {error!r}")
