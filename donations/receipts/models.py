"""A year-end statement: one per donor's address and year, sent once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from donations.platform.database import UTCDateTime, utcnow
from donations.platform.extensions import db


class YearEndStatement(db.Model):
    """What one address gave in one year, claimed before it is e-mailed, so a second run (or a
    second machine) never sends it twice and a failed send is tried again."""

    __table_args__ = (UniqueConstraint("email", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    year: Mapped[int]
    # Kept money (paid minus refunded) per currency, minor units: {"usd": 6000, "eur": 1000}.
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    payments: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
