"""Reminders to finish an abandoned Checkout: scheduled when Stripe expires a session whose
reader gave an e-mail and agreed to hear from us, sent by `flask mail send-notices`.

At most two (RECOVERY_FIRST_AFTER_HOURS and RECOVERY_SECOND_AFTER_HOURS after the session
expired), the first promising that only one more follows; none to an address that has given
since; a stop link in each. The link back is Stripe's `after_expiration.recovery.url` (a new
session copied from the expired one, with the same pledge in its metadata, so the gift lands
on the same pledge), or our donation form prefilled where Stripe gave none.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import exists, func, or_, select

from donations.payments.amounts import pledge_summary
from donations.payments.enums import CONFIRMED
from donations.payments.models import CheckoutRecovery, Pledge, new_stop_code
from donations.platform.database import insert_unless_stored, utcnow
from donations.platform.extensions import db
from donations.platform.i18n import speaking
from donations.platform.mail import MailError, send_email
from donations.platform.web import external_url

log = logging.getLogger(__name__)

MOST = 2
MAX_ATTEMPTS = 5


def consented_email(session: dict[str, Any], pledge: Pledge) -> str | None:
    """The address an expired session may be followed up at: only with the reader's consent
    to promotional e-mail, which Checkout records in `consent.promotions`."""
    if ((session.get("consent") or {}).get("promotions")) != "opt_in":
        return None
    typed = (session.get("customer_details") or {}).get("email") or session.get("customer_email")
    address = (typed or pledge.email or "").strip().lower()
    return address if "@" in address else None


def schedule(pledge: Pledge, session: dict[str, Any], expired_at: datetime) -> bool:
    """Schedule the reminders for an expired session, in the caller's transaction; False when
    there is no consent, or they were scheduled already (a repeated event)."""
    email = consented_email(session, pledge)
    if email is None:
        return False
    recovery = (session.get("after_expiration") or {}).get("recovery") or {}
    url_expires = recovery.get("expires_at")
    first = timedelta(hours=current_app.config["RECOVERY_FIRST_AFTER_HOURS"])
    with db.session.no_autoflush:
        stored = db.session.execute(
            insert_unless_stored(db.session, CheckoutRecovery, "pledge_id"),
            {
                "pledge_id": pledge.id,
                "email": email,
                "recovery_url": recovery.get("url"),
                "recovery_expires_at": _timestamp(url_expires) if url_expires else None,
                "expired_at": expired_at,
                "next_due_at": expired_at + first,
                "sent_count": 0,
                "stop_code": new_stop_code(),
                "attempts": 0,
                "created_at": utcnow(),
            },
        ).scalar()
    return stored is not None


def gave_since(recovery: CheckoutRecovery) -> bool:
    """Whether the address has given since it left Checkout (on this pledge or another)."""
    pledge = recovery.pledge
    confirmed = Pledge.status.in_(CONFIRMED)
    return db.session.scalar(
        select(
            exists().where(
                confirmed,
                or_(
                    Pledge.id == pledge.id,
                    (func.lower(Pledge.email) == recovery.email)
                    & (Pledge.created_at >= pledge.created_at),
                ),
            )
        )
    )


def send_due(now: datetime | None = None, limit: int = 100) -> int:
    """Send the reminders that are due; safe on several machines at once (SKIP LOCKED)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(CheckoutRecovery)
        .where(
            CheckoutRecovery.next_due_at <= now,
            CheckoutRecovery.stopped_at.is_(None),
            CheckoutRecovery.sent_count < MOST,
        )
        .order_by(CheckoutRecovery.next_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for recovery in due:
        if gave_since(recovery):
            _stop(recovery, "gave", now)
            continue
        if recovery.recovery_expires_at and recovery.recovery_expires_at <= now:
            _stop(recovery, "link_expired", now)
            continue
        recovery.attempts += 1
        try:
            _deliver(recovery)
        except MailError as error:
            recovery.last_error = str(error)[:1000]
            if recovery.attempts >= MAX_ATTEMPTS:
                recovery.next_due_at = None
            log.warning("checkout reminder for pledge %s failed: %s", recovery.pledge_id, error)
            continue
        recovery.sent_count += 1
        recovery.attempts = 0
        recovery.first_sent_at = recovery.first_sent_at or now
        recovery.last_sent_at = now
        recovery.next_due_at = _second_due(recovery)
        sent += 1
    db.session.commit()
    return sent


def _second_due(recovery: CheckoutRecovery) -> datetime | None:
    hours = current_app.config["RECOVERY_SECOND_AFTER_HOURS"]
    if recovery.sent_count >= MOST or not hours:
        return None
    return max(recovery.expired_at + timedelta(hours=hours), recovery.last_sent_at)


def is_last(recovery: CheckoutRecovery) -> bool:
    """Whether the reminder about to go is the last one."""
    return recovery.sent_count + 1 >= MOST or not current_app.config["RECOVERY_SECOND_AFTER_HOURS"]


def _deliver(recovery: CheckoutRecovery) -> None:
    pledge = recovery.pledge
    newsroom = current_app.config["NEWSROOM_NAME"]
    with speaking(pledge.language):
        send_email(
            recovery.email,
            gettext("Your gift to %(newsroom)s is waiting", newsroom=newsroom),
            "checkout_recovery",
            neutral_subject=gettext("You did not finish what you started"),
            newsroom=newsroom,
            summary=pledge_summary(pledge.frequency, pledge.money),
            finish_url=recovery.recovery_url or form_url(pledge),
            stop_url=external_url("support.stop_recovery", code=recovery.stop_code),
            last=is_last(recovery),
        )


def form_url(pledge: Pledge) -> str:
    """Our donation form with the pledge's choice, where Stripe gave no recovery URL."""
    return external_url(
        "support.form",
        frequency=str(pledge.frequency),
        amount=pledge.money.major_text,
        currency=pledge.currency,
        placement="reminder",
    )


def find(code: str) -> CheckoutRecovery | None:
    return db.session.scalar(select(CheckoutRecovery).where(CheckoutRecovery.stop_code == code))


def stop(recovery: CheckoutRecovery) -> None:
    """The reader's stop: nothing more is sent about this checkout."""
    if recovery.stopped_at is None:
        _stop(recovery, "asked", utcnow())
    db.session.commit()


def _stop(recovery: CheckoutRecovery, reason: str, now: datetime) -> None:
    recovery.stopped_at = now
    recovery.stopped_reason = reason
    recovery.next_due_at = None


def _timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
