"""Remind me later: snoozes, reminders upserted per (e-mail, month), sending each exactly once.

`send_due` is safe to run on several machines at once: on PostgreSQL each reminder is claimed
with SELECT … FOR UPDATE SKIP LOCKED, and on every database the claim is a conditional UPDATE,
so a second sender finds the row taken or already sent. The e-mail goes out while the claim is
held and the send is recorded in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from donations import pledge_status
from donations.extensions import db, insert_for
from donations.mail import MailError, send_email
from donations.models import Pledge, utcnow
from donations.reminders.models import MAX_SENDS, Reminder, new_cancel_code
from donations.web import external_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonthChoice:
    value: str  # YYYY-MM
    label: str  # December 2026
    first_day: date


@dataclass(frozen=True)
class RemindOutcome:
    snoozed_until: datetime
    reminder: Reminder | None


class ReminderNotFound(Exception):
    """No reminder has that cancel code."""


def consent_text() -> str:
    name = current_app.config["NEWSROOM_NAME"]
    return (
        f"I agree that {name} may e-mail me one reminder to support its journalism in the month "
        "I chose, and one more a week later if I have not given. I can cancel at any time."
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _choice(first_day: date) -> MonthChoice:
    return MonthChoice(first_day.strftime("%Y-%m"), first_day.strftime("%B %Y"), first_day)


def month_choices(now: datetime) -> list[MonthChoice]:
    """Next month (the month after, once today is past the cut-off day), and in three months."""
    today = now.date()
    soon = 2 if today.day > current_app.config["REMINDER_CUTOFF_DAY"] else 1
    return [_choice(_add_months(today, soon)), _choice(_add_months(today, 3))]


def month_for(value: str, now: datetime) -> MonthChoice | None:
    return next((c for c in month_choices(now) if c.value == value), None)


def remind(
    email: str | None,
    month: MonthChoice | None,
    now: datetime,
    *,
    article_slug: str | None = None,
    placement: str | None = None,
) -> RemindOutcome:
    """Snooze for a week without an e-mail; with one, store the reminder and snooze till then."""
    if not email or month is None:
        days = current_app.config["PROMPT_SNOOZE_DAYS"]
        return RemindOutcome(now + timedelta(days=days), None)
    email = email.strip().lower()
    values = {"consent_text": consent_text(), "consented_at": now, "cancelled_at": None}
    statement = insert_for(Reminder).values(
        email=email,
        month=month.first_day,
        article_slug=article_slug,
        placement=placement,
        created_at=now,
        cancel_code=new_cancel_code(),
        **values,
    )
    # Asking again renews the consent (and undoes an earlier cancel); the code stays the same.
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["email", "month"], set_=values)
    )
    db.session.commit()
    reminder = db.session.scalar(
        select(Reminder).where(Reminder.email == email, Reminder.month == month.first_day)
    )
    until = datetime.combine(month.first_day, datetime.min.time(), tzinfo=now.tzinfo)
    return RemindOutcome(until, reminder)


def outcome_message(outcome: RemindOutcome) -> str:
    """What the reader is told after asking to be reminded."""
    if outcome.reminder is None:
        days = current_app.config["PROMPT_SNOOZE_DAYS"]
        return f"Thank you. We won’t ask you to support us for {days} days on this device."
    month = outcome.reminder.month.strftime("%B %Y")
    return f"Thank you. We’ll e-mail you in {month}, and won’t ask on this device until then."


def find_by_code(code: str) -> Reminder:
    reminder = db.session.scalar(select(Reminder).where(Reminder.cancel_code == code[:40]))
    if reminder is None:
        raise ReminderNotFound(code)
    return reminder


def cancel(code: str, now: datetime | None = None) -> Reminder:
    """Cancel the reminder; cancelling twice changes nothing."""
    reminder = find_by_code(code)
    if reminder.cancelled_at is None:
        reminder.cancelled_at = now or utcnow()
        db.session.commit()
    return reminder


def _due(now: datetime):
    second_after = timedelta(days=current_app.config["REMINDER_SECOND_AFTER_DAYS"])
    return and_(
        Reminder.cancelled_at.is_(None),
        Reminder.converted_at.is_(None),
        Reminder.month <= now.date(),
        or_(
            Reminder.sent_count == 0,
            and_(
                Reminder.sent_count < MAX_SENDS,
                Reminder.last_sent_at <= now - second_after,
            ),
        ),
    )


def _has_given(reminder: Reminder) -> bool:
    """A confirmed pledge with this e-mail since the reminder was set: they gave; don't ask."""
    query = select(Pledge.id).where(
        func.lower(Pledge.email) == reminder.email,
        Pledge.status.in_(pledge_status.CONFIRMED),
        Pledge.created_at >= reminder.created_at,
    )
    return db.session.scalar(query.limit(1)) is not None


def send_due(now: datetime | None = None) -> int:
    """Send every reminder that is due, each once; returns how many were sent."""
    now = now or utcnow()
    sent = 0
    failed: set[int] = set()
    while True:
        query = (
            select(Reminder)
            .where(_due(now), Reminder.id.not_in(failed))
            .order_by(Reminder.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        reminder = db.session.scalar(query)
        if reminder is None:
            db.session.rollback()
            return sent
        if _has_given(reminder):
            reminder.converted_at = now
            db.session.commit()
            continue
        claimed = db.session.execute(
            update(Reminder)
            .where(Reminder.id == reminder.id, Reminder.sent_count == reminder.sent_count)
            .values(sent_count=Reminder.sent_count + 1, last_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            db.session.rollback()  # another sender took it first
            continue
        try:
            _send(reminder, second=reminder.sent_count >= 1)
        except MailError:
            log.exception("reminder %s not sent; it stays due", reminder.id)
            db.session.rollback()
            failed.add(reminder.id)
            continue
        db.session.commit()
        sent += 1


def _send(reminder: Reminder, *, second: bool) -> None:
    name = current_app.config["NEWSROOM_NAME"]
    variant = "second" if second else "first"
    subject = f"A last reminder from {name}" if second else f"Your reminder to support {name}"
    send_email(
        reminder.email,
        subject,
        "reminder",
        newsroom=name,
        second=second,
        donate_url=external_url(
            "support.form",
            frequency="monthly",
            placement="reminder",
            prompt="reminder",
            variant=variant,
            article=reminder.article_slug or None,
        ),
        cancel_url=external_url("reminders.cancel", code=reminder.cancel_code),
        month=reminder.month.strftime("%B %Y"),
    )
