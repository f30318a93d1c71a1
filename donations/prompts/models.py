"""The prompts' records: the words of each appeal, and the funnel's daily counters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from donations.payments.enums import Placement
from donations.platform.database import EnumText
from donations.platform.extensions import db
from donations.platform.text import split_paragraphs

# "less": the reader pressed "Ask me less".
EVENT_KINDS = ("impression", "open", "dismiss", "remind", "continue", "less")


class Appeal(db.Model):
    """The words of one prompt in one language: the copy is data, editable without a deploy."""

    __table_args__ = (UniqueConstraint("placement", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement: Mapped[Placement] = mapped_column(EnumText(Placement, 30))
    language: Mapped[str] = mapped_column(String(10), default="en")
    heading: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # paragraphs separated by blank lines
    button_text: Mapped[str] = mapped_column(String(100), default="Continue")
    remind_prompt: Mapped[str] = mapped_column(String(200), default="Not ready to support today?")
    remind_link_text: Mapped[str] = mapped_column(String(100), default="Remind me later.")

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)


class PromptStat(db.Model):
    """How often a prompt was seen and acted on, rolled up per day: never one row per view.

    Impressions may be sampled (PROMPT_IMPRESSION_SAMPLE_RATE): `received` counts the events
    that arrived, `count` the estimate they stand for (received ÷ rate); other kinds are never
    sampled, so there the two are equal.
    """

    __table_args__ = (UniqueConstraint("day", "prompt", "placement", "variant", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    prompt: Mapped[str] = mapped_column(String(60))
    placement: Mapped[str] = mapped_column(String(30))
    variant: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(default=0)
    received: Mapped[int] = mapped_column(default=0, server_default="0")
