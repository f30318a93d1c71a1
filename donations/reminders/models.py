"""A reader's request to be reminded, by e-mail, in a month they chose."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from donations.platform.database import UTCDateTime, utcnow
from donations.platform.extensions import db

MAX_SENDS = 2
READER, WIN_BACK = "reader", "win_back"


def new_cancel_code() -> str:
    return secrets.token_urlsafe(18)


class Reminder(db.Model):
    """One reminder per (e-mail, month): sent at most twice, cancelled by its random code, and
    only once the address's owner confirmed it by the link e-mailed to them (double opt-in)."""

    __table_args__ = (
        UniqueConstraint("email", "month"),
        CheckConstraint(f"sent_count >= 0 AND sent_count <= {MAX_SENDS}", name="sends_capped"),
        Index("ix_reminder_due", "month", "sent_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    month: Mapped[date] = mapped_column(Date)  # the first day of the chosen month
    cancel_code: Mapped[str] = mapped_column(String(40), unique=True, default=new_cancel_code)
    # What was agreed and when: as asked, then as the address's owner confirmed it.
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None while a confirmation e-mail is owed (a new request, or one asked again a day later).
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sent_count: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    article_slug: Mapped[str | None] = mapped_column(String(200))
    placement: Mapped[str | None] = mapped_column(String(30))
    variant: Mapped[str | None] = mapped_column(String(60))  # the experiment variant that asked
    # "reader" (asked before giving) or "win_back" (asked on cancelling a recurring gift, whose
    # cadence and amount the reminder offers again).
    kind: Mapped[str] = mapped_column(String(20), default=READER, server_default=READER)
    gift_frequency: Mapped[str | None] = mapped_column(String(10))
    gift_amount: Mapped[int | None]
    gift_currency: Mapped[str | None] = mapped_column(String(3))
    # The language of the page the reader asked on: the e-mails about it speak it (platform/i18n).
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
