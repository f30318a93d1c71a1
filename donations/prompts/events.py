"""The prompt funnel's counters: what readers did with the asks, rolled up per day.

The component reports in batches. A page view does each thing at most once per prompt (it is
seen, opened, continued, closed, or turned into a reminder), so a batch counts each at most
once: a forged batch can add one, not a thousand. Impressions may be sampled; the counter
keeps what arrived and the estimate it stands for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select, text

from donations.payments.enums import Placement, PromptKind
from donations.platform import seams
from donations.platform.database import insert_for, utcnow
from donations.platform.extensions import db
from donations.prompts.models import EVENT_KINDS, PromptStat

MAX_EVENTS = 50
SAMPLED_KINDS = frozenset({"impression"})
PROMPT_KINDS = frozenset(PromptKind)


@dataclass(frozen=True)
class PromptEvent:
    prompt: str
    placement: str
    variant: str
    kind: str


def known_variants() -> frozenset[str]:
    """The variants a page may report: the site's own, and those of the running experiments
    (a forged name would otherwise add rows nobody reads)."""
    names = {current_app.config["PROMPT_VARIANT"]}
    for experiment in seams.provided("running_experiments")():
        names.add(experiment["holdbackAs"])
        names.update(variant["name"] for variant in experiment["variants"])
    return frozenset(names)


def parse_events(raw: Any, variants: frozenset[str], default: str) -> set[PromptEvent]:
    """The well-formed events of a batch with a known variant, each counted once; an event
    that names no variant (an older page) counts for the site's own, `default`."""
    if not isinstance(raw, list):
        return set()
    events = set()
    for item in raw[:MAX_EVENTS]:
        if not isinstance(item, Mapping):
            continue
        item = {"variant": default, **item}
        fields = [item.get(name) for name in ("prompt", "placement", "variant", "kind")]
        if not all(isinstance(value, str) for value in fields):
            continue
        event = PromptEvent(*fields)
        if (
            event.kind in EVENT_KINDS
            and event.placement in Placement.prompts()
            and event.prompt in PROMPT_KINDS
            and event.variant in variants
        ):
            events.add(event)
    return events


def record_events(events: Iterable[PromptEvent], day: date | None = None) -> int:
    """Add the events to the day's counters, in one upsert and one commit; how many were kept."""
    day = day or utcnow().date()
    rate = current_app.config["PROMPT_IMPRESSION_SAMPLE_RATE"]
    rows = [
        {
            "day": day,
            "prompt": event.prompt,
            "placement": event.placement,
            "variant": event.variant,
            "kind": event.kind,
            # A sampled impression stands for 1 / rate of them.
            "count": round(1 / rate) if event.kind in SAMPLED_KINDS else 1,
            "received": 1,
        }
        # In one order, so two batches never lock the same counters the other way round.
        for event in sorted(events, key=lambda e: (e.prompt, e.placement, e.variant, e.kind))
    ]
    if not rows:
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        # Counters, not money: PostgreSQL may answer before the write reaches the disk, and a
        # crash at worst loses the last moment's counts (never corrupts them).
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    statement = insert_for(db.session, PromptStat).values(rows)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "prompt", "placement", "variant", "kind"],
            set_={
                "count": PromptStat.count + statement.excluded.count,
                "received": PromptStat.received + statement.excluded.received,
            },
        )
    )
    db.session.commit()
    return len(rows)


@dataclass(frozen=True)
class PromptCounts:
    prompt: str
    placement: str
    variant: str
    impressions: int  # estimated from the sample
    impressions_received: int
    opened: int
    dismissed: int


def prompt_counts(first_day: date, last_day: date) -> list[PromptCounts]:
    """Impressions and opens per prompt, placement and variant over these days (the staff
    dashboard's funnel)."""
    key = (PromptStat.prompt, PromptStat.placement, PromptStat.variant)

    def total(kind: str, column: Any) -> Any:
        return func.coalesce(func.sum(case((PromptStat.kind == kind, column), else_=0)), 0)

    stmt = (
        select(
            *key,
            total("impression", PromptStat.count),
            total("impression", PromptStat.received),
            total("open", PromptStat.count),
            total("dismiss", PromptStat.count),
        )
        .where(PromptStat.day >= first_day, PromptStat.day <= last_day)
        .group_by(*key)
    )
    return [
        PromptCounts(prompt, placement, variant or "", *(int(n) for n in figures))
        for prompt, placement, variant, *figures in db.session.execute(stmt)
    ]
