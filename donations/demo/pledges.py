"""Made-up pledges and a year of their payments, so the dashboard has something to show.

Deterministic: the same count and seed give the same rows, and running it twice stores them once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from donations.payments.enums import CONFIRMED, PledgeStatus
from donations.payments.models import Payment, Pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.prompts.models import PromptStat
from donations.reminders.models import Reminder

BATCH = 5000
CURRENCIES = (("usd", 0.6), ("eur", 0.25), ("gbp", 0.15))
FREQUENCIES = (("once", 0.55), ("monthly", 0.38), ("annual", 0.07))
PRESETS = {"once": (5, 10, 25, 50), "monthly": (2, 5, 10, 20), "annual": (25, 50, 100, 200)}
# (prompt, placement, variant, weight): where readers were when they decided to give.
SOURCES = (
    ("appeal", "article-end", "default", 0.40),
    ("appeal", "article-end", "short", 0.16),
    ("appeal", "banner", "default", 0.16),
    ("appeal", "overlay", "default", 0.08),
    (None, "reminder", None, 0.05),
    (None, "support-page", None, 0.15),
)
# Per checkout started from a prompt: how often it was seen, opened, closed, snoozed, continued.
PROMPT_RATIOS = {"impression": 55, "open": 3.2, "dismiss": 9, "remind": 0.4, "continue": 1.1}
ARTICLES = (
    "russia-to-build-drone-factory-in-belarus",
    "moscow-courts-fine-google",
    "ruble-slides-after-rate-decision",
    "siberian-wildfires-spread",
)
MONTH = timedelta(days=30)
YEAR = timedelta(days=365)


def seed_pledges(count: int, *, seed: int = 1, now: datetime | None = None) -> str:
    """Store `count` demo pledges with their payments by bulk inserts; returns what it did."""
    rows = DemoHistory(seed, now or utcnow())
    first = next(rows.pledges(1, start_id=0))
    if db.session.scalar(select(Pledge.id).where(Pledge.public_id == first["public_id"])):
        return f"demo pledges for seed {seed} are already stored"
    pledge_id = (db.session.scalar(select(func.max(Pledge.id))) or 0) + 1
    payment_id = (db.session.scalar(select(func.max(Payment.id))) or 0) + 1
    rows = DemoHistory(seed, rows.now)
    pledges, payments = [], []
    stored_payments = 0
    for pledge in rows.pledges(count, start_id=pledge_id):
        pledges.append(pledge)
        for payment in rows.payments_of(pledge):
            payment["id"] = payment_id
            payment_id += 1
            payments.append(payment)
        if len(pledges) >= BATCH:
            stored_payments += _flush(pledges, payments)
    stored_payments += _flush(pledges, payments)
    stats = rows.prompt_stats() if db.session.scalar(select(func.count(PromptStat.id))) == 0 else []
    if stats:
        db.session.execute(insert(PromptStat), stats)
    reminders = list(rows.reminders(seed, count // 40))
    if reminders:
        db.session.execute(insert(Reminder), reminders)
    db.session.commit()
    return (
        f"stored {count:,} demo pledges, {stored_payments:,} payments, "
        f"{len(reminders):,} reminders and {len(stats):,} prompt counters (seed {seed})"
    )


def _flush(pledges: list[dict[str, Any]], payments: list[dict[str, Any]]) -> int:
    stored = len(payments)
    if pledges:
        db.session.execute(insert(Pledge), pledges)
    if payments:
        db.session.execute(insert(Payment), payments)
    pledges.clear()
    payments.clear()
    return stored


class DemoHistory:
    """A year of a newsroom's giving: more pledges lately, most of them from the article appeal."""

    def __init__(
        self,
        seed: int | str,
        now: datetime,
        days: int = 365,
        frequencies: tuple[tuple[str, float], ...] = FREQUENCIES,
    ) -> None:
        self.random = random.Random(seed)
        self.now = now
        self.days = days
        self.frequencies = frequencies
        # Checkouts started per (day, prompt, placement, variant), for the prompt counters.
        self.started: Counter[tuple[date, str, str, str]] = Counter()

    def _pick(self, weighted: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
        return self.random.choices(weighted, weights=[item[-1] for item in weighted])[0]

    def _token(self, prefix: str) -> str:
        return f"{prefix}{self.random.getrandbits(96):024x}"

    def pledges(self, count: int, *, start_id: int) -> Iterator[dict[str, Any]]:
        for number in range(count):
            yield self.pledge(start_id + number)

    def pledge(self, pledge_id: int) -> dict[str, Any]:
        rng = self.random
        frequency = self._pick(self.frequencies)[0]
        currency = self._pick(CURRENCIES)[0]
        prompt, placement, variant, _ = self._pick(SOURCES)
        # Skewed towards recent days: the newsroom's giving has grown through the year.
        created = self.now - timedelta(days=self.days * rng.random() ** 1.4, seconds=rng.random())
        major = rng.choice(PRESETS[frequency]) if rng.random() < 0.85 else rng.randint(3, 300)
        status, ended = self._fate(frequency, created)
        if prompt:
            self.started[(created.date(), prompt, placement, variant)] += 1
        recurring = frequency != "once"
        confirmed = status in CONFIRMED
        return {
            "id": pledge_id,
            "public_id": self._token("pl_demo"),
            "frequency": frequency,
            "amount": major * 100,
            "currency": currency,
            "email": f"reader{pledge_id}@example.org" if rng.random() < 0.9 else None,
            "status": status,
            "status_changed_at": ended or min(created + timedelta(minutes=2), self.now),
            "checkout_session_id": self._token("cs_test_demo"),
            "customer_id": self._token("cus_demo") if confirmed else None,
            "subscription_id": self._token("sub_demo") if recurring and confirmed else None,
            "payment_intent_id": self._token("pi_demo") if confirmed and not recurring else None,
            "article_slug": rng.choice(ARTICLES)
            if placement in ("article-end", "banner")
            else None,
            "placement": placement,
            "prompt": prompt,
            "variant": variant,
            "created_at": created,
            "updated_at": ended or created,
        }

    def _fate(self, frequency: str, created: datetime) -> tuple[str, datetime | None]:
        """The pledge's status today and, if it ended, when."""
        roll = self.random.random()
        if roll < 0.08:
            return self.random.choice(
                (PledgeStatus.EXPIRED, PledgeStatus.PENDING, PledgeStatus.FAILED)
            ), None
        if frequency == "once":
            if roll < 0.11:
                return PledgeStatus.REFUNDED, created + timedelta(days=self.random.randint(1, 20))
            if roll < 0.115:
                return PledgeStatus.DISPUTED, created + timedelta(days=self.random.randint(5, 40))
            return PledgeStatus.PAID, None
        age = self.now - created
        # Recurring donors leave at about 5% a month; some cards fail at renewal.
        if roll < 0.08 + min(0.6, 0.05 * age.days / 30):
            ended = created + timedelta(days=self.random.uniform(1, max(age.days, 1)))
            return PledgeStatus.CANCELED, min(ended, self.now)
        if roll > 0.97:
            failed = self.now - timedelta(days=self.random.randint(1, 20))
            return PledgeStatus.PAST_DUE, min(max(failed, created + timedelta(minutes=2)), self.now)
        return PledgeStatus.ACTIVE, None

    def payments_of(self, pledge: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """One payment for a one-off gift; one per month or year of a recurring one."""
        if pledge["status"] not in CONFIRMED:
            return
        every = {"once": None, "monthly": MONTH, "annual": YEAR}[pledge["frequency"]]
        until = self.now
        if pledge["status"] in (PledgeStatus.CANCELED, PledgeStatus.PAST_DUE):
            until = pledge["status_changed_at"]
        paid_at = min(pledge["created_at"] + timedelta(minutes=1), self.now)
        while paid_at <= until:
            yield self._payment(pledge, paid_at)
            if every is None:
                return
            paid_at += every

    def prompt_stats(self) -> list[dict[str, Any]]:
        """Daily counters consistent with the checkouts the prompts led to."""
        rows = []
        for (day, prompt, placement, variant), started in sorted(self.started.items()):
            for kind, ratio in PROMPT_RATIOS.items():
                count = round(started * ratio * self.random.uniform(0.8, 1.2))
                if count:
                    rows.append(
                        {
                            "day": day,
                            "prompt": prompt,
                            "placement": placement,
                            "variant": variant,
                            "kind": kind,
                            "count": count,
                            "received": count,
                        }
                    )
        return rows

    def reminders(self, seed: int, count: int) -> Iterator[dict[str, Any]]:
        """Readers who asked to be reminded: sent once their month came, some gave after."""
        for number in range(count):
            created = self.now - timedelta(days=self.days * self.random.random())
            month = (created + timedelta(days=self.random.randint(7, 90))).date().replace(day=1)
            due = month <= self.now.date()
            sent_at = datetime.combine(month, datetime.min.time(), tzinfo=UTC) if due else None
            roll = self.random.random()
            yield {
                "email": f"reminded{seed}-{number}@example.org",
                "month": month,
                "cancel_code": self._token("demo"),
                "consent_text": "Send me one reminder in the month I chose.",
                "consented_at": created,
                "confirmed_at": created,
                "confirmation_sent_at": created,
                "created_at": created,
                "sent_count": int(due),
                "last_sent_at": sent_at,
                "cancelled_at": created + timedelta(days=2) if roll < 0.05 else None,
                "converted_at": sent_at + timedelta(days=1) if due and roll > 0.85 else None,
            }

    def _payment(self, pledge: dict[str, Any], paid_at: datetime) -> dict[str, Any]:
        recurring = pledge["frequency"] != "once"
        amount = pledge["amount"]
        refunded = 0
        disputed = pledge["status"] == PledgeStatus.DISPUTED
        if pledge["status"] == PledgeStatus.REFUNDED:
            refunded = amount
        elif self.random.random() < 0.01:
            refunded = amount if self.random.random() < 0.7 else amount // 2
        elif recurring and self.random.random() < 0.002:
            disputed = True
        return {
            "pledge_id": pledge["id"],
            "stripe_invoice_id": self._token("in_demo") if recurring else None,
            "stripe_payment_intent_id": None if recurring else pledge["payment_intent_id"],
            "amount": amount,
            "currency": pledge["currency"],
            "paid_at": paid_at,
            "refunded_amount": refunded,
            "disputed": disputed,
            "created_at": paid_at,
        }
