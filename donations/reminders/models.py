"""A reader's request to be reminded, by e-mail, in a month they chose."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import db
from donations.models import UTCDateTime, utcnow

MAX_SENDS = 2


def new_cancel_code() -> str:
    return secrets.token_urlsafe(18)


class Reminder(db.Model):
    """One reminder per (e-mail, month): sent at most twice, cancelled by its random code."""

    __table_args__ = (
        UniqueConstraint("email", "month"),
        CheckConstraint(f"sent_count >= 0 AND sent_count <= {MAX_SENDS}", name="sends_capped"),
        Index("ix_reminder_due", "month", "sent_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    month: Mapped[date] = mapped_column(Date)  # the first day of the chosen month
    cancel_code: Mapped[str] = mapped_column(String(40), unique=True, default=new_cancel_code)
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_count: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    article_slug: Mapped[str | None] = mapped_column(String(200))
    placement: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
