"""A running experiment with two weeks of made-up results, so the experiments page has something
true-looking to show: known conversion rates per variant, the holdback's gifts, and the views
readers' browsers would have reported.

Deterministic and stored once, like the demo pledges.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from donations.demo.pledges import DemoHistory
from donations.experiments import service
from donations.experiments.models import Experiment, ExperimentStatus
from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.prompts.models import PromptStat

NAME = "end-words"
DAYS = 14
# Per variant: views a day, and the true rates the made-up readers give and close at.
ARMS = {
    "control": (2200, 0.0050, 0.030),
    "direct": (2200, 0.0064, 0.034),
    "holdback": (490, 0.0012, 0.0),
}
VARIANTS = [
    {"name": "control", "weight": 1, "changes": {}},
    {
        "name": "direct",
        "weight": 1,
        "changes": {"heading": "Independent journalism from Moscow needs you now."},
    },
]


def seed_experiment(*, seed: int = 1, now: datetime | None = None) -> str:
    """Store the demo experiment, running for DAYS days, with its results; returns what it did."""
    if db.session.scalar(select(Experiment.id).where(Experiment.name == NAME)):
        return f"the demo experiment {NAME} is already stored"
    now = now or utcnow()
    experiment = service.create(
        by="demo",
        name=NAME,
        placement="article-end",
        hypothesis="Saying plainly what is at stake moves more readers to give than the "
        "newsroom's usual words.",
        variants=VARIANTS,
        holdback=0.1,
        baseline_rate=0.005,
        minimum_lift=0.3,
    )
    experiment.status = ExperimentStatus.RUNNING
    experiment.started_at = now - timedelta(days=DAYS)
    history = DemoHistory(f"{NAME}-{seed}", now)  # not the demo pledges' own tokens
    rng = history.random
    pledge_id = (db.session.scalar(select(func.max(Pledge.id))) or 0) + 1
    payment_id = (db.session.scalar(select(func.max(Payment.id))) or 0) + 1
    stats, pledges, payments = [], [], []
    for name, (views, rate, close_rate) in ARMS.items():
        reported = experiment.reported_as(name)
        for day_back in range(DAYS, 0, -1):
            day = now - timedelta(days=day_back) + timedelta(hours=1)
            seen = round(views * rng.uniform(0.9, 1.1))
            counts = {
                "impression": seen,
                "dismiss": round(seen * close_rate * rng.uniform(0.8, 1.2)),
            }
            for kind, count in counts.items():
                if count:
                    stats.append(_counter(day, experiment, reported, kind, count))
            for _ in range(sum(rng.random() < rate for _ in range(seen))):
                pledge = history.pledge(pledge_id)
                while pledge["status"] not in (PledgeStatus.PAID, PledgeStatus.ACTIVE):
                    pledge = history.pledge(pledge_id)  # two weeks old: still giving
                pledge_id += 1
                pledge.update(
                    placement="article-end", prompt="appeal", variant=reported,
                    created_at=day, updated_at=day, status_changed_at=day,
                )  # fmt: skip
                pledges.append(pledge)
                for payment in history.payments_of(pledge):
                    payments.append({**payment, "id": payment_id})
                    payment_id += 1
    db.session.execute(insert(Pledge), pledges)
    if payments:
        db.session.execute(insert(Payment), payments)
    db.session.execute(insert(PromptStat), stats)
    db.session.commit()
    return f"stored the running experiment {NAME} with {len(pledges):,} gifts over {DAYS} days"


def _counter(day: datetime, experiment: Experiment, variant: str, kind: str, count: int) -> dict:
    return {
        "day": day.date(),
        "prompt": "appeal",
        "placement": str(experiment.placement),
        "variant": variant,
        "kind": kind,
        "count": count,
        "received": count,
    }
