"""Experiments on prompts: create, start and stop them, hand the running ones to readers'
browsers, and read each variant's results with the guardrails that stop it.

Readers are assigned in their own browser (the component hashes a random id it keeps in the
site's storage with the experiment's name: `bucket()` is the same function), so assignment is
deterministic per reader and needs nothing per reader on the server; the page stays cacheable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from donations.experiments import statistics
from donations.experiments.models import (
    CHANGES,
    CONTROL,
    Experiment,
    ExperimentStatus,
)
from donations.payments.enums import CONFIRMED, Frequency, Placement, PledgeStatus
from donations.payments.models import Payment, Pledge
from donations.payments.money import Money
from donations.platform import seams
from donations.platform.database import utcnow
from donations.platform.extensions import db

NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,38}[a-z0-9]")
HOLDBACK = "holdback"
CANCELLED_WITHIN = timedelta(days=60)
# The 12-month value of a pledge: what it brings in its first year.
YEAR_VALUE = {Frequency.ONCE: 1, Frequency.MONTHLY: 12, Frequency.ANNUAL: 1}


class ExperimentError(ValueError):
    """An experiment cannot be made or changed as asked; the message says why."""


# Assignment ----------------------------------------------------------------------------------


def fnv1a(text: str) -> int:
    """The 32-bit FNV-1a hash of the text's UTF-8 bytes: small, fast and the same in JavaScript."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def bucket(reader_id: str, experiment: str) -> float:
    """Where a reader falls in an experiment, in [0, 1). The component computes exactly this."""
    return fnv1a(f"{reader_id}:{experiment}") / 2**32


def assign(reader_id: str, experiment: Experiment) -> str:
    """The variant (as readers report it) a reader sees, or the holdback."""
    point = bucket(reader_id, experiment.name)
    if point < experiment.holdback:
        return experiment.reported_as(HOLDBACK)
    live = [v for v in experiment.variants if not v.get("stopped")]
    total = sum(v["weight"] for v in live)
    position = (point - experiment.holdback) / (1 - experiment.holdback) * total
    for variant in live:
        position -= variant["weight"]
        if position < 0:
            return experiment.reported_as(variant["name"])
    return experiment.reported_as(live[-1]["name"])


def for_readers() -> list[dict[str, Any]]:
    """The running experiments as the prompt component needs them (a seam: the prompts'
    public configuration includes it)."""
    return [
        {
            "name": experiment.name,
            "placement": str(experiment.placement),
            "holdback": experiment.holdback,
            "holdbackAs": experiment.reported_as(HOLDBACK),
            "variants": [
                {
                    "name": experiment.reported_as(variant["name"]),
                    "weight": variant["weight"],
                    "changes": variant.get("changes", {}),
                }
                for variant in experiment.variants
                if not variant.get("stopped")
            ],
        }
        for experiment in running()
    ]


# Life ----------------------------------------------------------------------------------------


def running() -> list[Experiment]:
    query = select(Experiment).where(Experiment.status == ExperimentStatus.RUNNING)
    return list(db.session.scalars(query.order_by(Experiment.started_at)))


def all_experiments() -> list[Experiment]:
    return list(db.session.scalars(select(Experiment).order_by(Experiment.created_at.desc())))


def create(
    *,
    by: str,
    name: str,
    placement: str,
    hypothesis: str,
    variants: list[dict[str, Any]],
    holdback: float = 0.0,
    baseline_rate: float = 0.005,
    minimum_lift: float = 0.2,
    guardrail_margin: float = 0.01,
) -> Experiment:
    """A draft experiment, checked: a control, sensible names, weights and changes."""
    if not NAME.fullmatch(name):
        raise ExperimentError("The name must be 3–40 lowercase letters, digits or dashes.")
    if db.session.scalar(select(Experiment.id).where(Experiment.name == name)):
        raise ExperimentError(f"There is already an experiment called {name}.")
    if placement not in Placement.prompts():
        raise ExperimentError(
            "Experiments run on the article-end appeal, the banner or the overlay."
        )
    names = [variant.get("name") for variant in variants]
    if CONTROL not in names or len(set(names)) != len(names) or len(names) < 2:
        raise ExperimentError("An experiment needs a control and at least one other variant.")
    for variant in variants:
        if not isinstance(variant.get("name"), str) or not NAME.fullmatch(variant["name"]):
            raise ExperimentError("Variant names must be 3–40 lowercase letters, digits or dashes.")
        if not isinstance(variant.get("weight"), int) or variant["weight"] < 1:
            raise ExperimentError("Each variant needs a whole-number weight of at least 1.")
        unknown = set(variant.get("changes", {})) - CHANGES
        if unknown:
            raise ExperimentError(f"A variant cannot change {', '.join(sorted(unknown))}.")
    if not 0 <= holdback <= 0.5:
        raise ExperimentError("The holdback is a share between 0 and 0.5.")
    experiment = Experiment(
        name=name,
        placement=placement,
        hypothesis=hypothesis,
        variants=variants,
        holdback=holdback,
        baseline_rate=baseline_rate,
        minimum_lift=minimum_lift,
        guardrail_margin=guardrail_margin,
        created_by=by,
    )
    statistics.views_needed(baseline_rate, minimum_lift)  # refuses a plan that cannot work
    db.session.add(experiment)
    db.session.commit()
    _audit(by, "experiment_created", experiment, f"{len(variants)} variants on {placement}")
    return experiment


def start(experiment: Experiment, by: str) -> None:
    if experiment.status is not ExperimentStatus.DRAFT:
        raise ExperimentError("Only a draft can start.")
    clash = [e.name for e in running() if e.placement == experiment.placement]
    if clash:
        raise ExperimentError(f"{clash[0]} already runs on the {experiment.placement}.")
    experiment.status = ExperimentStatus.RUNNING
    experiment.started_at = utcnow()
    db.session.commit()
    _audit(by, "experiment_started", experiment, "")


def stop(experiment: Experiment, by: str, reason: str) -> None:
    if experiment.status is not ExperimentStatus.RUNNING:
        raise ExperimentError("Only a running experiment can stop.")
    experiment.status = ExperimentStatus.STOPPED
    experiment.stopped_at = utcnow()
    experiment.stopped_reason = reason
    db.session.commit()
    _audit(by, "experiment_stopped", experiment, reason)


def _audit(by: str, action: str, experiment: Experiment, detail: str) -> None:
    seams.provided("audit")(by, action, f"experiment:{experiment.name}", detail)


# Results -------------------------------------------------------------------------------------


@dataclass
class VariantFigures:
    name: str  # as in the experiment ("control", "short", "holdback")
    views: int = 0
    opened: int = 0
    dismissed: int = 0
    reminders: int = 0  # confirmed by their owners
    reminders_cancelled: int = 0
    conversions: int = 0
    year_value: dict[str, int] = field(default_factory=dict)  # currency → minor units
    values: list[int] = field(default_factory=list)  # each gift's 12-month value, main currency
    recurring: int = 0
    cancelled_early: int = 0
    payments: int = 0
    disputes: int = 0
    comparison: statistics.Comparison | None = None
    conversion: statistics.Interval | None = None
    revenue_per_mille: statistics.Interval | None = None
    breached: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.conversions / self.views if self.views else None


@dataclass
class Results:
    experiment: Experiment
    currency: str
    planned_views: int
    variants: list[VariantFigures]
    method: str = statistics.METHOD

    def figures(self, name: str) -> VariantFigures:
        return next(v for v in self.variants if v.name == name)

    def money(self, minor: float) -> Money:
        return Money(round(minor), self.currency)


def results(experiment: Experiment, currency: str, now: datetime | None = None) -> Results:
    """Every variant's views, conversions and revenue since the experiment started, compared
    with the control, guardrails included."""
    now = now or utcnow()
    start, end = experiment.started_at or now, experiment.stopped_at or now
    names = [*experiment.variant_names(), *([HOLDBACK] if experiment.holdback else [])]
    figures = {name: VariantFigures(name) for name in names}
    by_reported = {experiment.reported_as(name): figures[name] for name in names}
    for counts in seams.provided("prompt_counts")(start.date(), end.date()):
        variant = by_reported.get(counts.variant)
        if variant is not None and counts.placement == experiment.placement:
            variant.views += counts.impressions
            variant.opened += counts.opened
            variant.dismissed += counts.dismissed
    _pledges_into(by_reported, start, end, currency)
    for reported, (confirmed, cancelled) in seams.provided("reminder_unsubscribes")(
        start, end
    ).items():
        if reported in by_reported:
            by_reported[reported].reminders += confirmed
            by_reported[reported].reminders_cancelled += cancelled
    planned = statistics.views_needed(experiment.baseline_rate, experiment.minimum_lift)
    control = figures[CONTROL]
    for variant in figures.values():
        variant.conversion = statistics.rate_interval(variant.conversions, variant.views)
        mean = statistics.mean_interval(variant.values, variant.views)
        variant.revenue_per_mille = statistics.Interval(mean.low * 1000, mean.high * 1000)
        if variant is control:
            continue
        variant.comparison = statistics.compare(
            (control.conversions, control.views), (variant.conversions, variant.views), planned
        )
        variant.breached = _guardrails(control, variant, experiment.guardrail_margin)
    return Results(experiment, currency, planned, list(figures.values()))


def _pledges_into(
    by_reported: dict[str, VariantFigures], start: datetime, end: datetime, currency: str
) -> None:
    """Confirmed pledges, their 12-month value, early cancellations and disputes per variant."""
    pledges = db.session.execute(
        select(
            Pledge.variant,
            Pledge.frequency,
            Pledge.amount,
            Pledge.currency,
            Pledge.status,
            Pledge.created_at,
            Pledge.status_changed_at,
        )
        .where(Pledge.variant.in_(list(by_reported)), Pledge.status.in_(CONFIRMED))
        .where(Pledge.created_at >= start, Pledge.created_at <= end)
    )
    for reported, frequency, amount, pledge_currency, status, created, changed in pledges:
        variant = by_reported[reported]
        value = amount * YEAR_VALUE[Frequency(frequency)]
        variant.conversions += 1
        variant.year_value[pledge_currency] = variant.year_value.get(pledge_currency, 0) + value
        if pledge_currency == currency:
            variant.values.append(value)
        if Frequency(frequency).is_recurring:
            variant.recurring += 1
            ended_early = changed - created <= CANCELLED_WITHIN
            variant.cancelled_early += status == PledgeStatus.CANCELED and ended_early
    disputes = db.session.execute(
        select(Pledge.variant, func.count(Payment.id), func.count(case((Payment.disputed, 1))))
        .join(Payment, Payment.pledge_id == Pledge.id)
        .where(Pledge.variant.in_(list(by_reported)))
        .where(Pledge.created_at >= start, Pledge.created_at <= end)
        .group_by(Pledge.variant)
    )
    for reported, payments, disputed in disputes:
        by_reported[reported].payments += payments
        by_reported[reported].disputes += disputed


GUARDRAILS = {
    "dismissals": lambda v: (v.dismissed, v.views),
    "reminder unsubscribes": lambda v: (v.reminders_cancelled, v.reminders),
    "cancellations within 60 days": lambda v: (v.cancelled_early, v.recurring),
    "disputes": lambda v: (v.disputes, v.payments),
}


def _guardrails(control: VariantFigures, variant: VariantFigures, margin: float) -> list[str]:
    return [
        name
        for name, rate in GUARDRAILS.items()
        if statistics.breaches(rate(control), rate(variant), margin)
    ]


def enforce_guardrails(currency: str) -> list[str]:
    """Stop each running variant that breached a guardrail (and the experiment, once only its
    control is left); returns what was stopped, in words. Run by `experiments check` (cron)
    and whenever staff open an experiment."""
    stopped = []
    for experiment in running():
        found = results(experiment, currency)
        variants = [dict(variant) for variant in experiment.variants]
        for variant in variants:
            figures = found.figures(variant["name"])
            if figures.breached and not variant.get("stopped"):
                reason = f"guardrail breached: {', '.join(figures.breached)}"
                variant["stopped"] = {"at": utcnow().isoformat(), "reason": reason}
                stopped.append(f"{experiment.name}/{variant['name']}: {reason}")
                _audit("guardrails", "variant_stopped", experiment, f"{variant['name']}: {reason}")
        experiment.variants = variants
        db.session.commit()
        others = [v for v in variants if v["name"] != CONTROL]
        if others and all(v.get("stopped") for v in others):
            stop(experiment, "guardrails", "every variant but the control breached a guardrail")
    return stopped
