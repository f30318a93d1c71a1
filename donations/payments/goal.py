"""The newsroom's goal of new monthly supporters in a calendar period, and its progress.

Set by GOAL_TARGET (0: no goal) and GOAL_PERIOD; the same figure for every reader, so the
appeal can show it (GOAL_PUBLIC) and stay cacheable. It counts monthly pledges started in the
period that have given (confirmed), from the pledge index's narrow columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import format_number, ngettext
from sqlalchemy import func, select

from donations.payments.enums import CONFIRMED, Frequency
from donations.payments.models import Pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db


@dataclass(frozen=True)
class Goal:
    target: int
    reached: int
    period: str
    starts: datetime
    ends: datetime

    @property
    def share(self) -> float:
        return min(self.reached / self.target, 1.0)

    @property
    def words(self) -> str:
        """'742 of 1,000 new monthly supporters this quarter'."""
        return period_words(self.period, self.target, format_number(self.reached))


def period_words(period: str, target: int, reached: str) -> str:
    """Whole sentences per period, plural by the target: "of 1 000 new supporters" declines."""
    values = {"reached": reached, "target": format_number(target)}
    if period == "month":
        return ngettext(
            "%(reached)s of %(target)s new monthly supporter this month",
            "%(reached)s of %(target)s new monthly supporters this month",
            target,
            **values,
        )
    if period == "quarter":
        return ngettext(
            "%(reached)s of %(target)s new monthly supporter this quarter",
            "%(reached)s of %(target)s new monthly supporters this quarter",
            target,
            **values,
        )
    return ngettext(
        "%(reached)s of %(target)s new monthly supporter this year",
        "%(reached)s of %(target)s new monthly supporters this year",
        target,
        **values,
    )


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """The calendar month, quarter or year (UTC) that `now` falls in: [start, end)."""
    first_month = {"month": now.month, "quarter": (now.month - 1) // 3 * 3 + 1, "year": 1}[period]
    length = {"month": 1, "quarter": 3, "year": 12}[period]
    starts = datetime(now.year, first_month, 1, tzinfo=UTC)
    month = first_month - 1 + length
    ends = datetime(now.year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return starts, ends


def progress(now: datetime | None = None) -> Goal | None:
    """The goal and how far it has come, or None when no goal is set."""
    target = current_app.config["GOAL_TARGET"]
    if not target:
        return None
    period = current_app.config["GOAL_PERIOD"]
    starts, ends = period_bounds(period, now or utcnow())
    reached = db.session.scalar(
        select(func.count()).where(
            Pledge.created_at >= starts,
            Pledge.created_at < ends,
            Pledge.frequency == Frequency.MONTHLY,
            Pledge.status.in_(CONFIRMED),
        )
    )
    return Goal(target, int(reached or 0), period, starts, ends)


def public_progress() -> Goal | None:
    """The goal as readers may see it: only when GOAL_PUBLIC says so."""
    return progress() if current_app.config["GOAL_PUBLIC"] else None
