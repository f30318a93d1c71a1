"""An experiment on a prompt: its variants, its plan (the lift worth finding and the sample that
finds it), and its life (draft, running, stopped, and why)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from donations.payments.enums import Placement
from donations.platform.database import EnumText, UTCDateTime, utcnow
from donations.platform.extensions import db

CONTROL = "control"
# What a variant may change in the prompt: its words, its amounts, its default cadence, and
# whether a small one-off gift gets the monthly offer before Checkout (`upsell`: true/false).
CHANGES = frozenset({"heading", "paragraphs", "button", "presets", "frequency", "upsell"})


class ExperimentStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    STOPPED = "stopped"


class Experiment(db.Model):
    __table_args__ = (
        CheckConstraint("holdback >= 0 AND holdback <= 0.5", name="holdback_share"),
        CheckConstraint("minimum_lift > 0", name="lift_positive"),
        CheckConstraint("baseline_rate > 0 AND baseline_rate < 1", name="baseline_rate_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # a slug: readers' events name it
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    placement: Mapped[Placement] = mapped_column(EnumText(Placement, 30))
    status: Mapped[ExperimentStatus] = mapped_column(
        EnumText(ExperimentStatus, 10), default=ExperimentStatus.DRAFT
    )
    # [{"name": "control", "weight": 1, "changes": {}}, {"name": "short", "weight": 1, ...}]
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The share of readers who see no ask at all while it runs: what asking itself brings.
    holdback: Mapped[float] = mapped_column(default=0.0)
    # The plan: the control's expected conversion per view, and the smallest relative lift worth
    # finding; together they fix the views each variant needs (statistics.views_needed).
    baseline_rate: Mapped[float] = mapped_column(default=0.005)
    minimum_lift: Mapped[float] = mapped_column(default=0.2)
    # A variant is stopped when a guardrail rate is, with confidence, this far above control's.
    guardrail_margin: Mapped[float] = mapped_column(default=0.01)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_reason: Mapped[str | None] = mapped_column(Text)

    @validates("status")
    def _as_status(self, _key: str, value: str) -> ExperimentStatus:
        return ExperimentStatus(value)

    def variant_names(self) -> list[str]:
        return [variant["name"] for variant in self.variants]

    def reported_as(self, variant: str) -> str:
        """The variant name readers' events and pledges carry: unique across experiments."""
        return f"{self.name}-{variant}"
