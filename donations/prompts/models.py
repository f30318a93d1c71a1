"""Prompt funnel counters: one row per day × prompt × placement × variant × kind, upserted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import db

EVENT_KINDS = ("impression", "open", "dismiss", "remind", "continue")


class PromptStat(db.Model):
    """How often a prompt was seen and acted on, rolled up per day: never one row per view."""

    __table_args__ = (UniqueConstraint("day", "prompt", "placement", "variant", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    prompt: Mapped[str] = mapped_column(String(60))
    placement: Mapped[str] = mapped_column(String(30))
    variant: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(default=0)
