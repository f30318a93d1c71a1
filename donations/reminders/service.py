"""Remind me later: snoozes, reminders upserted per (e-mail, month), confirmed by their
address's owner (double opt-in: anyone can type anyone's address), sending each exactly once.

`send_confirmations` and `send_due` are safe to run on several machines at once: on PostgreSQL
each reminder is claimed with SELECT … FOR UPDATE SKIP LOCKED, and on every database the claim
is a conditional UPDATE, so a second sender finds the row taken or already sent. The e-mail
goes out while the claim is held and the send is recorded in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_date, gettext, ngettext
from sqlalchemy import and_, case, func, or_, select, update

from donations.payments.amounts import donation_rules, pledge_summary
from donations.payments.enums import CONFIRMED, Frequency, PledgeStatus
from donations.payments.models import Pledge
from donations.payments.money import Money
from donations.payments.pledge_changes import WIN_BACK_MONTHS
from donations.platform import outbox
from donations.platform.database import insert_for, utcnow
from donations.platform.extensions import db
from donations.platform.i18n import page_language, speaking
from donations.platform.mail import send_email
from donations.platform.web import external_url
from donations.reminders.models import MAX_SENDS, READER, WIN_BACK, Reminder, new_cancel_code

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonthChoice:
    value: str  # YYYY-MM
    label: str  # "December 2026", "Январь 2027": a choice's label, so it starts with a capital
    first_day: date


@dataclass(frozen=True)
class RemindOutcome:
    snoozed_until: datetime
    reminder: Reminder | None


class ReminderNotFound(Exception):
    """No reminder has that code."""


# However often a reminder is asked for, its address gets at most one confirmation a day.
CONFIRMATION_EVERY = timedelta(days=1)
# An address nobody confirmed within this long after its last confirmation e-mail is deleted.
UNCONFIRMED_KEPT = timedelta(days=30)


def consent_text() -> str:
    """The consent line, in the reader's language: what they agreed to is kept word for word."""
    return gettext(
        "I agree that %(newsroom)s may e-mail me one reminder to support its journalism in the "
        "month I chose, and one more a week later if I have not given. I can cancel at any time.",
        newsroom=current_app.config["NEWSROOM_NAME"],
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _choice(first_day: date) -> MonthChoice:
    # The month standing alone, in the reader's language ("December 2026", "январь 2027"),
    # capitalised as a label is: Russian writes its months in lower case within a sentence.
    month = format_date(first_day, "LLLL y")
    return MonthChoice(first_day.strftime("%Y-%m"), month[:1].upper() + month[1:], first_day)


def month_choices(now: datetime) -> list[MonthChoice]:
    """Next month (the month after, once today is past the cut-off day), and in three months."""
    today = now.date()
    soon = 2 if today.day > current_app.config["REMINDER_CUTOFF_DAY"] else 1
    return [_choice(_add_months(today, soon)), _choice(_add_months(today, 3))]


def month_for(value: str, now: datetime) -> MonthChoice | None:
    return next((c for c in month_choices(now) if c.value == value), None)


def months_on_offer() -> list[dict[str, str]]:
    """Today's months, for the prompt component's remind form (a seam: prompts ask for it)."""
    return [{"value": c.value, "label": c.label} for c in month_choices(utcnow())]


@dataclass(frozen=True)
class ReminderFigures:
    set: int  # confirmed by the address's owner
    sent: int
    converted: int
    cancelled: int
    unconfirmed: int


def reminder_figures(since: datetime) -> ReminderFigures:
    """Reminders asked for since then: how many were confirmed, e-mailed, led to a gift, were
    cancelled, and how many still wait for confirmation (a seam: the staff dashboard asks)."""
    stmt = select(
        func.count(Reminder.confirmed_at),
        func.count(case((Reminder.sent_count > 0, 1))),
        func.count(Reminder.converted_at),
        func.count(Reminder.cancelled_at),
        func.count(case((Reminder.confirmed_at.is_(None), 1))),
    ).where(Reminder.created_at >= since, Reminder.kind == READER)
    return ReminderFigures(*db.session.execute(stmt).one())


def win_back_consent_text(months_ahead: int) -> str:
    name = current_app.config["NEWSROOM_NAME"]
    return ngettext(
        "On cancelling my donation I asked %(newsroom)s to e-mail me in %(num)d month, and once "
        "more a week later if I have not given, to invite me back. I can cancel at any time.",
        "On cancelling my donation I asked %(newsroom)s to e-mail me in %(num)d months, and once "
        "more a week later if I have not given, to invite me back. I can cancel at any time.",
        months_ahead,
        newsroom=name,
    )


def schedule_win_back(email: str, months_ahead: int, frequency: Frequency, money: Money) -> date:
    """A reminder, in the month `months_ahead` from now, to give `money` at `frequency` again,
    for a donor who has just cancelled (a seam: the manage page asks). It is confirmed at once:
    the donor asked from their manage page, which only the signed link e-mailed to this address
    opens, so the address is already proven and double opt-in would prove nothing more.

    Asking again for a month the address already has a reminder in makes that one a win-back
    and confirms it again (after a cancel, too): the donor has just asked for it."""
    if months_ahead not in WIN_BACK_MONTHS:
        raise ValueError(f"a win-back is {WIN_BACK_MONTHS} months ahead, not {months_ahead}")
    now = utcnow()
    email = email.strip().lower()
    month = _add_months(now.date(), months_ahead)
    asked = {
        "kind": WIN_BACK,
        "gift_frequency": str(frequency),
        "gift_amount": money.amount,
        "gift_currency": money.currency,
        "consent_text": win_back_consent_text(months_ahead),
        "consented_at": now,
        "confirmed_at": now,
        "confirmation_sent_at": now,  # none is owed
        "cancelled_at": None,
        "created_at": now,
        "language": page_language(),  # the manage page's: the donor's
    }
    statement = insert_for(db.session, Reminder).values(
        email=email, month=month, cancel_code=new_cancel_code(), **asked
    )
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["email", "month"], set_=asked)
    )
    db.session.commit()
    return month


@dataclass(frozen=True)
class WinBackFigures:
    set: int
    sent: int
    came_back: int  # a gift from the address after the reminder was asked for


def win_back_figures(since: datetime) -> WinBackFigures:
    """Win-back reminders asked for since then, how many were e-mailed, and how many of those
    addresses gave again after asking (a seam: staff's retention page asks). The pledge that was
    cancelled started before the reminder, so only a new gift counts."""
    # lower() on both sides, as ix_pledge_email_lower is keyed, so SQLite looks the address up
    # by it rather than reading every pledge since: 365 days, 3,360 reminders, 75 s → 18 ms.
    gave_again = (
        select(Pledge.id)
        .where(
            func.lower(Pledge.email) == func.lower(Reminder.email),
            Pledge.status.in_(CONFIRMED),
        )
        .where(Pledge.created_at >= Reminder.created_at)
        .exists()
    )
    stmt = select(
        func.count(),
        func.count(case((Reminder.sent_count > 0, 1))),
        func.count(case((gave_again, 1))),
    ).where(Reminder.created_at >= since, Reminder.kind == WIN_BACK)
    return WinBackFigures(*db.session.execute(stmt).one())


def unsubscribes_by_variant(start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """Per experiment variant, reminders its readers confirmed and how many of those they then
    cancelled, asked for between start and end (a seam: the experiments' guardrail asks)."""
    rows = db.session.execute(
        select(
            Reminder.variant, func.count(Reminder.confirmed_at), func.count(Reminder.cancelled_at)
        )
        .where(Reminder.variant.is_not(None), Reminder.confirmed_at.is_not(None))
        .where(Reminder.created_at >= start, Reminder.created_at <= end)
        .group_by(Reminder.variant)
    )
    return {variant: (confirmed, cancelled) for variant, confirmed, cancelled in rows}


def remind(
    email: str | None,
    month: MonthChoice | None,
    now: datetime,
    *,
    article_slug: str | None = None,
    placement: str | None = None,
    variant: str | None = None,
) -> RemindOutcome:
    """Snooze for a week without an e-mail; with one, store the reminder (to be confirmed by
    the address's owner) and snooze till its month.

    Asking again for the same address and month changes nothing the owner agreed to (nor an
    earlier cancel): it only owes the address a new confirmation e-mail, at most one a day.
    """
    if not email or month is None:
        days = current_app.config["PROMPT_SNOOZE_DAYS"]
        return RemindOutcome(now + timedelta(days=days), None)
    email = email.strip().lower()
    statement = insert_for(db.session, Reminder).values(
        email=email,
        month=month.first_day,
        article_slug=article_slug,
        placement=placement,
        variant=variant,
        created_at=now,
        cancel_code=new_cancel_code(),
        consent_text=consent_text(),
        consented_at=now,
        language=page_language(),
    )
    sent = Reminder.__table__.c.confirmation_sent_at
    owed_again = case((sent < now - CONFIRMATION_EVERY, None), else_=sent)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["email", "month"],
            # The confirmation owed speaks the language they asked in this time.
            set_={"confirmation_sent_at": owed_again, "language": statement.excluded.language},
        )
    )
    db.session.commit()
    reminder = db.session.scalar(
        select(Reminder).where(Reminder.email == email, Reminder.month == month.first_day)
    )
    until = datetime.combine(month.first_day, datetime.min.time(), tzinfo=now.tzinfo)
    return RemindOutcome(until, reminder)


def outcome_message(outcome: RemindOutcome) -> str:
    """What the reader is told after asking to be reminded: the same words whatever the
    address has asked before, so they tell a stranger nothing about its owner."""
    if outcome.reminder is None:
        return ngettext(
            "Thank you. We won’t ask you to support us for %(num)d day on this device.",
            "Thank you. We won’t ask you to support us for %(num)d days on this device.",
            current_app.config["PROMPT_SNOOZE_DAYS"],
        )
    return gettext(
        "Thank you. We’re e-mailing %(email)s a link: open it to confirm, and we’ll remind you "
        "in %(month)s. We won’t ask on this device until then.",
        email=outcome.reminder.email,
        month=format_date(outcome.reminder.month, "LLLL y"),
    )


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


def confirm(code: str, now: datetime | None = None) -> Reminder:
    """The address's owner says yes: the reminder will be sent (again, after a cancel)."""
    reminder = find_by_code(code)
    if reminder.confirmed_at is None or reminder.cancelled_at is not None:
        now = now or utcnow()
        reminder.confirmed_at = reminder.consented_at = now
        reminder.consent_text = consent_text()
        reminder.cancelled_at = None
        db.session.commit()
    return reminder


def send_confirmations(now: datetime | None = None) -> int:
    """E-mail each owed confirmation once, and delete what nobody confirmed in time."""
    return outbox.send_confirmations(
        Reminder, _send_confirmation, now or utcnow(), UNCONFIRMED_KEPT
    )


def _due(now: datetime):
    second_after = timedelta(days=current_app.config["REMINDER_SECOND_AFTER_DAYS"])
    return and_(
        Reminder.confirmed_at.is_not(None),
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


def send_due(now: datetime | None = None) -> int:
    """Send every reminder that is due, each once; returns how many were sent. A reader who gave
    since asking (a confirmed pledge from the same address) is not asked: theirs is converted."""
    now = now or utcnow()
    has_given = (
        select(Pledge.id)
        .where(func.lower(Pledge.email) == Reminder.email, Pledge.status.in_(CONFIRMED))
        .where(Pledge.created_at >= Reminder.created_at)
        .exists()
    )
    db.session.execute(
        update(Reminder)
        .where(_due(now), has_given)
        .values(converted_at=now)
        .execution_options(synchronize_session=False)
    )
    # A donor who took their cancellation back is still giving: inviting them back would be
    # wrong, so their win-back is cancelled.
    still_giving = (
        select(Pledge.id)
        .where(func.lower(Pledge.email) == Reminder.email)
        .where(Pledge.status.in_([PledgeStatus.ACTIVE, PledgeStatus.PAST_DUE]))
        .where(Pledge.cancel_at_period_end.is_(False))
        .exists()
    )
    db.session.execute(
        update(Reminder)
        .where(_due(now), Reminder.kind == WIN_BACK, still_giving)
        .values(cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return outbox.send_each_once(
        Reminder,
        _due(now),  # the claim below makes a reminder not due until its next send
        {"sent_count": Reminder.sent_count + 1, "last_sent_at": now},
        lambda reminder: _send(reminder, second=reminder.sent_count >= 1),
    )


def _send(reminder: Reminder, *, second: bool) -> None:
    name = current_app.config["NEWSROOM_NAME"]
    variant = "second" if second else "first"
    with speaking(reminder.language):
        if second:
            subject = gettext("A last reminder from %(newsroom)s", newsroom=name)
            neutral = gettext("A last reminder")
        else:
            subject = gettext("Your reminder to support %(newsroom)s", newsroom=name)
            neutral = gettext("Your reminder")
        if reminder.kind == WIN_BACK:
            _send_win_back(reminder, subject, neutral, name, variant, second=second)
            return
        send_email(
            reminder.email,
            subject,
            "reminder",
            neutral_subject=neutral,
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
            month=_month_in_words(reminder.month),
            minimum=_monthly_minimum(),
        )


def _send_win_back(
    reminder: Reminder, subject: str, neutral: str, name: str, variant: str, *, second: bool
) -> None:
    """The reminder a donor asked for on cancelling: their last gift, one click to give it
    again (the donation form prefilled with its cadence and amount). In the reminder's
    language, as _send() speaks it."""
    frequency = Frequency(reminder.gift_frequency)
    gift = Money(reminder.gift_amount, reminder.gift_currency)
    send_email(
        reminder.email,
        subject,
        "reminder_win_back",
        neutral_subject=neutral,
        newsroom=name,
        second=second,
        gift=pledge_summary(frequency, gift),
        asked_on=format_date(reminder.created_at, "long"),
        donate_url=external_url(
            "support.form",
            frequency=str(frequency),
            amount=gift.major_text,
            currency=gift.currency,
            placement="reminder",
            prompt="win-back",
            variant=variant,
        ),
        cancel_url=external_url("reminders.cancel", code=reminder.cancel_code),
        month=_month_in_words(reminder.month),
    )


def _send_confirmation(reminder: Reminder) -> None:
    name = current_app.config["NEWSROOM_NAME"]
    with speaking(reminder.language):
        send_email(
            reminder.email,
            gettext("Please confirm your reminder from %(newsroom)s", newsroom=name),
            "reminder_confirm",
            neutral_subject=gettext("Please confirm your request"),
            newsroom=name,
            month=_month_in_words(reminder.month),
            confirm_url=external_url("reminders.confirm", code=reminder.cancel_code),
            cancel_url=external_url("reminders.cancel", code=reminder.cancel_code),
            kept_days=UNCONFIRMED_KEPT.days,
        )


def _monthly_minimum() -> Money:
    """The smallest monthly gift, in the currency the form starts with: "from just $2"."""
    rules = donation_rules()
    return Money(rules.rule(Frequency.MONTHLY).minimum, rules.default_currency)


def _month_in_words(first_day: date) -> str:
    """The month on its own, as the locale names it: "May 2025", "май 2025"."""
    return format_date(first_day, "LLLL y")
