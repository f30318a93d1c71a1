"""Deletion requests: remove a reader's e-mail address from everything this service stores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, delete, func, select, update

from donations.extensions import db
from donations.models import DonorNotice, Pledge, StripeEvent
from donations.reminders.models import Reminder
from donations.staff.models import AuditLog

FORGOTTEN = "[forgotten]"


def forget(email: str) -> dict[str, int]:
    """Delete reminders, blank pledges' e-mail, scrub stored Stripe events and the audit log.

    Pledges and payments stay (they are the newsroom's accounts), without the address. Stripe
    keeps its own copy of the customer: the README says how to delete it there.
    """
    email = email.strip().lower()
    matches = func.lower(Pledge.email) == email
    pledge_ids = select(Pledge.id).where(matches).scalar_subquery()
    done = {
        "reminders deleted": db.session.execute(
            delete(Reminder).where(func.lower(Reminder.email) == email)
        ).rowcount,
        "queued e-mails dropped": db.session.execute(
            delete(DonorNotice).where(
                DonorNotice.pledge_id.in_(pledge_ids), DonorNotice.sent_at.is_(None)
            )
        ).rowcount,
        "pledges made anonymous": db.session.execute(
            update(Pledge).where(matches).values(email=None)
        ).rowcount,
        "stripe events scrubbed": _scrub_events(email),
        "audit entries scrubbed": _scrub_audit_log(email),
    }
    db.session.commit()
    return done


def _scrub_events(email: str) -> int:
    mentions = func.lower(cast(StripeEvent.payload, String)).contains(email)
    scrubbed = 0
    for event in db.session.scalars(select(StripeEvent).where(mentions)):
        event.payload = _replace(event.payload, email)
        scrubbed += 1
    return scrubbed


def _scrub_audit_log(email: str) -> int:
    scrubbed = 0
    for entry in db.session.scalars(
        select(AuditLog).where(func.lower(AuditLog.detail).contains(email))
    ):
        entry.detail = _replace(entry.detail, email)
        scrubbed += 1
    return scrubbed


def _replace(value: Any, email: str) -> Any:
    """The same structure with every string that holds the address rewritten."""
    if isinstance(value, dict):
        return {key: _replace(item, email) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, email) for item in value]
    if isinstance(value, str) and email in value.lower():
        return value.lower().replace(email, FORGOTTEN)
    return value
