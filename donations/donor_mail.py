"""E-mails to donors about their pledges; each carries a link to manage the donation."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from donations.extensions import db, insert_unless_stored
from donations.mail import MailError, send_email
from donations.manage.links import manage_url
from donations.models import DonorNotice, Pledge, utcnow
from donations.support.amounts import pledge_summary

log = logging.getLogger(__name__)

# A queued e-mail that failed this often (a bad address, a long outage) stays unsent, logged.
MAX_ATTEMPTS = 5

SUBJECTS = {
    "thank_you": "Thank you for supporting {newsroom}",
    "payment_failed": "Your payment to {newsroom} did not go through",
    "manage_link": "Manage your donation to {newsroom}",
}


def send_to_donor(kind: str, pledge: Pledge) -> bool:
    """Send one of the donor e-mails now (a reader or staff asked); False if it could not go."""
    if not pledge.email:
        return False
    try:
        deliver(kind, pledge)
    except MailError:
        log.exception("could not send %s to pledge %s", kind, pledge.public_id)
        return False
    return True


def deliver(kind: str, pledge: Pledge) -> None:
    """Render and send one donor e-mail; MailError when the mail server refuses."""
    if not pledge.email:
        return
    send_email(
        pledge.email,
        SUBJECTS[kind].format(newsroom=current_app.config["NEWSROOM_NAME"]),
        f"donor_{kind}",
        pledge=pledge,
        summary=pledge_summary(pledge.frequency, pledge.amount, pledge.currency),
        manage_url=manage_url(pledge) if pledge.customer_id else None,
    )


def queue_notices(pledge: Pledge, notices: list[tuple[str, str]]) -> None:
    """Queue e-mails in the caller's transaction; one already queued is not queued again."""
    if not notices:
        return
    queued = insert_unless_stored(DonorNotice, "pledge_id", "kind", "reference")
    now = utcnow()
    for kind, reference in notices:
        db.session.execute(
            queued,
            {
                "pledge_id": pledge.id,
                "kind": kind,
                "reference": reference,
                "created_at": now,
                "attempts": 0,
            },
        )


def send_pending_notices(limit: int = 100) -> int:
    """Send queued e-mails; safe on several machines at once (rows are claimed with SKIP LOCKED)."""
    due = db.session.scalars(
        select(DonorNotice)
        .where(DonorNotice.sent_at.is_(None), DonorNotice.attempts < MAX_ATTEMPTS)
        .order_by(DonorNotice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for notice in due:
        notice.attempts += 1
        try:
            deliver(notice.kind, notice.pledge)
        except MailError as error:
            notice.last_error = str(error)[:1000]
            log.warning("notice %s to pledge %s failed: %s", notice.kind, notice.pledge_id, error)
        else:
            notice.sent_at = utcnow()
            sent += 1
    db.session.commit()
    return sent
