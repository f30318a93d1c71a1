"""Benchmark: the staff retention page, and each of its figures' queries, on 1,000,000 payments.

The history is bench/dashboard.py's (200,000 pledges over 900 days, payments up to 1,000,000,
bulk-loaded the same way) plus what the retention figures read, in a newsroom's proportions:

- Stripe's event log: a `customer.subscription.updated` per renewal (what makes the log big),
  a `customer.subscription.deleted` per canceled pledge with its `cancellation_details.reason`
  (70 % cancellation_requested, 27 % payment_failed, 3 % payment_disputed), cancellations
  scheduled at period end and, for 3 % of running pledges, withdrawn again (saves);
- the donors' own requests (`PledgeChange`): two in three requested cancellations come from the
  manage page with a reason (two in five of those declined a save offer, one in five asked
  for a win-back reminder: a `Reminder` of kind win_back, sent once its month came), and of
  running pledges 4 % paused, 3 % lowered, 2 % raised their amount and 1 % went annual (half
  the pauses and lower amounts were save offers taken);
- anniversary e-mails (`DonorNotice` of kind anniversary) and their raise offers
  (`UpgradeOffer`) for each year a recurring pledge ran: one in eight opened, one in twenty
  used, and nine in ten of those confirmed by a subscription.updated at the new amount;
- win-backs: 6 % of canceled donors' addresses give again (a one-off or a new monthly pledge),
  a few days to eight months after their pledge ended;
- checkout recovery e-mails for 85 % of abandoned checkouts with an address (up to two each,
  3 % asked to stop), and pledges they recovered (0.5 % of confirmed ones, about one in nine
  reminded);
- the monthly offer's outcomes on the last 180 days' small one-offs (half skipped, the control),
  6 % of small monthly pledges accepted it; and a goal of 25,000 new monthly supporters a quarter.

It times the page (30 and 365 days, all currencies and one) through the Flask test client and
every figure's query on its own, in the app context, so the slow one shows: the first call
(cold caches; the app's cache is emptied first, so a page's first visit sums the 12-month
value it then keeps), then median and p95 of the next `--runs`. The budget is 300 ms each.
The machine's load average is printed before and after, as other work on it skews the
figures. A run takes about four minutes on either database (loading is 80–120 s).

Last measured (load about 1), median / p95, PostgreSQL then SQLite: 30 days 133 / 193 and
175 / 180 ms; 365 days 280 / 299 and 277 / 284 ms (were 523 / 590 and 601 / 604); a first
visit with an empty cache 340 and 410 ms (30 days), 648 and 669 ms (365 days), over budget:
the 12-month value alone is about 190 ms to sum.

    .venv/bin/python bench/retention.py [--database postgresql|sqlite] [--pledges 200000]
        [--payments 1000000] [--runs 15]

PostgreSQL: a scratch database on 127.0.0.1:5432 (user postgres, trust auth), dropped after.
SQLite: a scratch file in a temporary directory, filled with executemany (about as quick).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import (
    BUDGET_MS,
    Table,
    close,
    history_tables,
    load,
    loaded_line,
    make_app,
    report,
    report_timings,
    scratch_database,
    signed_in_client,
)

from donations.demo.pledges import PRESETS, DemoHistory
from donations.payments import anniversaries, goal
from donations.payments.enums import CONFIRMED
from donations.payments.pledge_changes import CANCEL_REASONS
from donations.platform import seams
from donations.platform.database import utcnow
from donations.platform.extensions import cache
from donations.staff import queries, retention

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
API_VERSION = "2025-03-31.basil"
WIN_BACK_SHARE = 0.06
STRIPE_REASONS = (
    ("cancellation_requested", 0.70),
    ("payment_failed", 0.27),
    ("payment_disputed", 0.03),
)
DONOR_REASONS = dict(zip(CANCEL_REASONS, (0.34, 0.18, 0.14, 0.12, 0.10, 0.12), strict=True))
EVENT_COLUMNS = [
    "id",
    "type",
    "created_at",
    "api_version",
    "payload",
    "received_at",
    "processed_at",
    "outcome",
    "details",
    "pledge_id",
]
CHANGE_COLUMNS = [
    "pledge_id",
    "kind",
    "amount_before",
    "amount_after",
    "currency",
    "frequency_after",
    "resumes_at",
    "reason",
    "save_offer",
    "created_at",
]
NOTICE_COLUMNS = ["pledge_id", "kind", "reference", "created_at", "sent_at", "attempts"]
OFFER_COLUMNS = [
    "pledge_id",
    "year",
    "amount_before",
    "amount_offered",
    "currency",
    "frequency",
    "created_at",
    "opened_at",
    "used_at",
]
REMINDER_COLUMNS = [
    "email",
    "month",
    "cancel_code",
    "consent_text",
    "consented_at",
    "confirmed_at",
    "confirmation_sent_at",
    "sent_count",
    "last_sent_at",
    "kind",
    "gift_frequency",
    "gift_amount",
    "gift_currency",
    "language",
    "created_at",
]
RECOVERY_COLUMNS = [
    "pledge_id",
    "email",
    "recovery_url",
    "recovery_expires_at",
    "expired_at",
    "next_due_at",
    "sent_count",
    "first_sent_at",
    "last_sent_at",
    "stop_code",
    "stopped_at",
    "stopped_reason",
    "attempts",
    "created_at",
]
GOAL = {"GOAL_TARGET": 25_000, "GOAL_PERIOD": "quarter"}


def win_backs(history: DemoHistory, pledges: list[dict]) -> list[dict]:
    """Lapsed recurring donors who gave again, from the same address, after theirs ended."""
    rng = random.Random(7)
    back = []
    for old in pledges:
        if old["status"] != "canceled" or not old["email"] or rng.random() >= WIN_BACK_SHARE:
            continue
        came = old["status_changed_at"] + timedelta(days=rng.uniform(3, 240))
        if came >= history.now:
            continue
        number = len(pledges) + len(back)
        frequency = "monthly" if rng.random() < 0.4 else "once"
        recurring = frequency != "once"
        new = history.pledge(number)
        new.update(
            frequency=frequency,
            amount=rng.choice(PRESETS[frequency]) * 100,
            currency=old["currency"],
            email=old["email"],
            status="active" if recurring else "paid",
            status_changed_at=came + 2 * MINUTE,
            customer_id=old["customer_id"],
            subscription_id=f"sub_winback{number}" if recurring else None,
            payment_intent_id=None if recurring else f"pi_winback{number}",
            placement=rng.choice(("cancelled", "reminder", "article-end")),
            prompt=None,
            variant=None,
            article_slug=None,
            created_at=came,
            updated_at=came,
        )
        back.append(new)
    return back


class RetentionRows:
    """Events, donors' changes and checkout recoveries consistent with the pledges' fates."""

    def __init__(self, now: datetime, seed: int = 11) -> None:
        self.now = now
        self.rng = random.Random(seed)
        self.events: list[dict] = []
        self.changes: list[dict] = []
        self.recoveries: list[dict] = []
        self.notices: list[dict] = []
        self.offers: list[dict] = []
        self.reminders: list[dict] = []
        self.reminded: set[tuple[str, object]] = set()

    def tables(self, pledges: list[dict], payments: list[dict]) -> list[Table]:
        for pledge in pledges:
            self.upsell(pledge)
            if pledge["frequency"] != "once" and pledge["status"] in CONFIRMED:
                if pledge["status"] == "canceled":
                    self.ended(pledge)
                else:
                    self.running(pledge)
                self.anniversaries(pledge)
            self.recovery(pledge)
        self.renewals(pledges, payments)
        self.events.sort(key=lambda e: e["created_at"])
        self.changes.sort(key=lambda c: c["created_at"])
        self.recoveries.sort(key=lambda r: r["created_at"])
        self.notices.sort(key=lambda n: n["created_at"])
        self.offers.sort(key=lambda o: o["created_at"])
        self.reminders.sort(key=lambda r: r["created_at"])
        return [
            ("stripe_event", EVENT_COLUMNS, self.events),
            ("pledge_change", CHANGE_COLUMNS, self.changes),
            ("checkout_recovery", RECOVERY_COLUMNS, self.recoveries),
            ("donor_notice", NOTICE_COLUMNS, self.notices),
            ("upgrade_offer", OFFER_COLUMNS, self.offers),
            ("reminder", REMINDER_COLUMNS, self.reminders),
        ]

    def upsell(self, pledge: dict) -> None:
        """The monthly offer, on since 180 days ago, for one-offs under 50 and who took it."""
        if pledge["created_at"] < self.now - 180 * DAY:
            return
        roll = self.rng.random()
        if pledge["frequency"] == "once" and pledge["amount"] < 5000:
            if roll < 0.5:
                pledge["upsell"] = "skipped"
            else:
                confirmed = pledge["status"] in CONFIRMED
                pledge["upsell"] = "declined" if confirmed or roll < 0.7 else "offered"
        elif pledge["frequency"] == "monthly" and pledge["amount"] <= 2000 and roll < 0.06:
            pledge["upsell"] = "accepted"

    def ended(self, pledge: dict) -> None:
        rng = self.rng
        ended = pledge["status_changed_at"]
        reason = rng.choices(*zip(*STRIPE_REASONS, strict=True))[0]
        if reason == "cancellation_requested" and rng.random() < 2 / 3:
            asked = max(ended - rng.uniform(0, 25) * DAY, pledge["created_at"] + MINUTE)
            donor_reason = rng.choices(list(DONOR_REASONS), weights=DONOR_REASONS.values())[0]
            # Two in five were offered a lower amount or a pause first, and declined it.
            offer = rng.choice(("amount", "pause")) if rng.random() < 0.4 else None
            self.change(pledge, "cancel", asked, reason=donor_reason, save_offer=offer)
            self.scheduled(pledge, asked, cancel=True)
            if pledge["email"] and rng.random() < 0.2:
                self.win_back_reminder(pledge, asked)
        self.event(
            pledge,
            "customer.subscription.deleted",
            ended,
            {"status": "canceled", "cancellation_details": {"reason": reason}},
        )

    def running(self, pledge: dict) -> None:
        rng = self.rng
        since = max(pledge["created_at"], self.now - 365 * DAY)
        if since >= self.now:
            return

        def when() -> datetime:
            return since + (self.now - since) * rng.random()

        roll = rng.random()
        if roll < 0.03:  # a save: a cancellation scheduled, then withdrawn
            asked = when()
            self.scheduled(pledge, asked, cancel=True)
            self.scheduled(pledge, min(asked + rng.uniform(1, 20) * DAY, self.now), cancel=False)
        elif roll < 0.07:
            at = when()
            resumes = at + rng.choice((1, 2, 3)) * 30 * DAY
            self.change(pledge, "pause", at, resumes_at=resumes, **self.saved("pause"))
        elif roll < 0.10:
            before = pledge["amount"] + 500
            self.change(pledge, "amount", when(), before=before, **self.saved("amount"))
        elif roll < 0.12:
            self.change(pledge, "amount", when(), before=max(100, pledge["amount"] - 300))
        elif roll < 0.13 and pledge["frequency"] == "monthly":
            amount = pledge["amount"]
            self.change(pledge, "annual", when(), after=amount * 12, frequency="annual")

    def saved(self, offer: str) -> dict:
        """Half the pauses and lower amounts were save offers taken instead of cancelling."""
        if self.rng.random() >= 0.5:
            return {}
        reason = self.rng.choices(list(DONOR_REASONS), weights=DONOR_REASONS.values())[0]
        return {"save_offer": offer, "reason": reason}

    def win_back_reminder(self, pledge: dict, asked: datetime) -> None:
        """ "Remind me in 3 / 6 months", asked on cancelling; sent once the month came."""
        months = self.rng.choice((3, 6))
        day = (asked + months * 30 * DAY).date().replace(day=1)
        key = (pledge["email"].lower(), day)
        if key in self.reminded:
            return
        self.reminded.add(key)
        sent = datetime(day.year, day.month, 1, 9, tzinfo=UTC)
        sent = sent if sent <= self.now else None
        self.reminders.append(
            {
                "email": pledge["email"].lower(),
                "month": day,
                "cancel_code": f"winback{len(self.reminders):09d}",
                "consent_text": "Remind me to support the newsroom again.",
                "consented_at": asked,
                "confirmed_at": asked,
                "confirmation_sent_at": asked,
                "sent_count": 1 if sent else 0,
                "last_sent_at": sent,
                "kind": "win_back",
                "gift_frequency": pledge["frequency"],
                "gift_amount": pledge["amount"],
                "gift_currency": pledge["currency"],
                "language": "en",
                "created_at": asked,
            }
        )

    def anniversaries(self, pledge: dict) -> None:
        """An anniversary e-mail each year a recurring pledge ran, its raise offer (the next
        amount up), opened by one in eight and used by one in twenty; Stripe confirms nine
        in ten of those with a subscription.updated at the new amount."""
        rng = self.rng
        ended = pledge["status_changed_at"] if pledge["status"] == "canceled" else self.now
        year = 1
        while (at := pledge["created_at"] + year * 365 * DAY) < min(ended, self.now):
            sent = at + rng.uniform(0.2, 3) * HOUR
            if sent < self.now:
                self.notices.append(
                    {
                        "pledge_id": pledge["id"],
                        "kind": anniversaries.KIND,
                        "reference": anniversaries.reference(year),
                        "created_at": at,
                        "sent_at": sent,
                        "attempts": 1,
                    }
                )
                self.offer(pledge, year, at, sent)
            year += 1

    def offer(self, pledge: dict, year: int, at: datetime, sent: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        opened = sent + rng.uniform(0.1, 72) * HOUR if roll < 0.125 else None
        used = opened + rng.uniform(1, 10) * MINUTE if roll < 0.05 else None
        if opened and opened >= self.now:
            opened = used = None
        if used and used >= self.now:
            used = None
        offered = pledge["amount"] + (500 if pledge["frequency"] == "monthly" else 2500)
        self.offers.append(
            {
                "pledge_id": pledge["id"],
                "year": year,
                "amount_before": pledge["amount"],
                "amount_offered": offered,
                "currency": pledge["currency"],
                "frequency": pledge["frequency"],
                "created_at": at,
                "opened_at": opened,
                "used_at": used,
            }
        )
        if used and rng.random() < 0.9:
            confirmed = min(used + rng.uniform(1, 30) * MINUTE, self.now)
            price = {"unit_amount": offered}
            self.event(pledge, "customer.subscription.updated", confirmed, {}, None, price)

    def recovery(self, pledge: dict) -> None:
        """Reminders after an abandoned Checkout; some brought the gift on the same pledge."""
        rng = self.rng
        expired = pledge["created_at"] + 24 * HOUR  # Checkout sessions expire after a day
        if not pledge["email"] or expired >= self.now:
            return
        abandoned = pledge["status"] in ("expired", "pending")
        reminded = expired + HOUR <= self.now
        gave = reminded and pledge["status"] in CONFIRMED and rng.random() < 0.005
        if not (gave or (abandoned and rng.random() < 0.85)):
            return
        due = [expired + HOUR, expired + 24 * HOUR]
        sent = [at for at in due if at <= self.now]
        stopped_at, stopped_reason = None, None
        if gave:
            sent = sent[: rng.choice((1, 1, 2))]
            stopped_at, stopped_reason = sent[-1] + rng.uniform(0.1, 20) * HOUR, "gave"
        elif rng.random() < 0.03 and sent:
            sent = sent[:1]
            stopped_at, stopped_reason = sent[0] + rng.uniform(0.1, 20) * HOUR, "asked"
        elif expired + 30 * DAY < self.now:
            stopped_at, stopped_reason = expired + 30 * DAY, "link_expired"
        self.recoveries.append(
            {
                "pledge_id": pledge["id"],
                "email": pledge["email"],
                "recovery_url": f"https://checkout.stripe.com/c/pay/cs_recovery_{pledge['id']}",
                "recovery_expires_at": expired + 30 * DAY,
                "expired_at": expired,
                "next_due_at": None if stopped_at or len(sent) == 2 else due[len(sent)],
                "sent_count": len(sent),
                "first_sent_at": sent[0] if sent else None,
                "last_sent_at": sent[-1] if sent else None,
                "stop_code": f"stop{pledge['id']:09d}",
                "stopped_at": stopped_at,
                "stopped_reason": stopped_reason,
                "attempts": len(sent),
                "created_at": expired,
            }
        )

    def renewals(self, pledges: list[dict], payments: list[dict]) -> None:
        """A subscription.updated (the new period) for every recurring payment after the first."""
        seen: set[int] = set()
        for payment in payments:
            if payment["stripe_invoice_id"] is None:
                continue
            pledge_id = payment["pledge_id"]
            if pledge_id in seen:
                paid = payment["paid_at"]
                pledge = pledges[pledge_id - 1]
                ends = int((paid + 30 * DAY).timestamp())
                previous = {
                    "current_period_start": int((paid - 30 * DAY).timestamp()),
                    "current_period_end": int(paid.timestamp()),
                    "latest_invoice": f"in_previous{payment['id']}",
                }
                self.event(
                    pledge,
                    "customer.subscription.updated",
                    paid - MINUTE,
                    {"current_period_start": int(paid.timestamp()), "current_period_end": ends},
                    previous,
                )
            seen.add(pledge_id)

    def scheduled(self, pledge: dict, at: datetime, *, cancel: bool) -> None:
        self.event(
            pledge,
            "customer.subscription.updated",
            at,
            {"cancel_at_period_end": cancel},
            {"cancel_at_period_end": not cancel},
        )

    def change(self, pledge: dict, kind: str, at: datetime, **what) -> None:
        self.changes.append(
            {
                "pledge_id": pledge["id"],
                "kind": kind,
                "amount_before": what.get("before", pledge["amount"]),
                "amount_after": what.get("after", pledge["amount"]),
                "currency": pledge["currency"],
                "frequency_after": what.get("frequency", pledge["frequency"]),
                "resumes_at": what.get("resumes_at"),
                "reason": what.get("reason"),
                "save_offer": what.get("save_offer"),
                "created_at": at,
            }
        )

    def event(
        self, pledge: dict, kind: str, at: datetime, changed: dict, previous=None, price=None
    ) -> None:
        """A webhook event as Stripe renders it: the whole subscription, as it is after (its
        price's amount the pledge's unless `price` says otherwise)."""
        number = len(self.events)
        created = int(at.timestamp())
        interval = "month" if pledge["frequency"] == "monthly" else "year"
        subscription = {
            "id": pledge["subscription_id"],
            "object": "subscription",
            "customer": pledge["customer_id"],
            "status": "active",
            "currency": pledge["currency"],
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": int(pledge["created_at"].timestamp()),
            "current_period_start": created,
            "current_period_end": created + 30 * 86400,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_bench{pledge['id']}",
                        "object": "subscription_item",
                        "price": {
                            "id": f"price_bench{pledge['amount']}{interval}",
                            "object": "price",
                            "currency": pledge["currency"],
                            "product": "prod_bench_support",
                            "recurring": {"interval": interval, "interval_count": 1},
                            "unit_amount": pledge["amount"],
                            **(price or {}),
                        },
                        "quantity": 1,
                    }
                ],
            },
            "latest_invoice": f"in_bench{number}",
            "livemode": False,
            "metadata": {"pledge": pledge["public_id"]},
            "pause_collection": None,
            **changed,
        }
        data = {"object": subscription}
        if previous:
            data["previous_attributes"] = previous
        event_id = f"evt_bench{number:010d}"
        payload = {
            "id": event_id,
            "object": "event",
            "api_version": API_VERSION,
            "created": created,
            "data": data,
            "livemode": False,
            "pending_webhooks": 0,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        self.events.append(
            {
                "id": event_id,
                "type": kind,
                "created_at": at,
                "api_version": API_VERSION,
                "payload": json.dumps(payload),
                "received_at": at + timedelta(seconds=2),
                "processed_at": at + timedelta(seconds=2),
                "outcome": "applied",
                "details": "[]",
                "pledge_id": pledge["id"],
            }
        )


def more(now: datetime) -> dict:
    return {"more_pledges": win_backs, "more_tables": RetentionRows(now).tables}


def load_sqlite(path: str, pledges: int, payments: int) -> None:
    """The same rows as `load`, by executemany into the SQLite file the app made."""
    started = time.perf_counter()
    tables = history_tables(pledges, payments, **more(utcnow()))
    with sqlite3.connect(path) as conn:
        for table, columns, rows in tables:
            marks = ", ".join("?" * len(columns))
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                ([sqlite_value(row.get(c)) for c in columns] for row in rows),
            )
        conn.commit()
        conn.execute("ANALYZE")
    print(loaded_line(tables, time.perf_counter() - started))


def sqlite_value(value):
    # As SQLAlchemy stores them on SQLite: UTC wall time with microseconds, booleans as 0/1.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return int(value) if isinstance(value, bool) else value


def figure_queries(app, runs: int) -> bool:
    """Each figure's queries on their own, for the last 30 and 365 days."""
    now = utcnow()
    fetches: dict[str, Callable[[], object]] = {
        "cohort cells (churn, cohorts, curve)": lambda: retention.cohort_cells(now),
        "12-month value per new recurring donor (cached)": lambda: retention.year_value(now),
        "12-month value: its query": lambda: retention._year_value(now.year * 12 + now.month - 1),
        "goal": lambda: goal.progress(now),
    }
    with app.app_context():
        cells = retention.cohort_cells(now)
    fetches["churn and cohort tables from the cells (Python)"] = lambda: (
        retention.monthly_churn(cells, now),
        retention.cohorts(cells, now),
    )
    for days in (30, 365):
        w = queries.window(days, None, now)
        fetches |= {
            f"churn reasons, {days} days": lambda w=w: retention.churn_reasons(w),
            f"average gift, {days} days": lambda w=w: retention.average_gift(w),
            f"saves: withdrawn cancellations, {days} days": (
                lambda w=w: retention.withdrawn_cancellations(w)
            ),
            f"saves: save offers, pauses, lower amounts, {days} days": (
                lambda w=w: retention.donor_changes(w)
            ),
            f"win-backs, {days} days": lambda w=w: retention.win_backs(w),
            f"win-back reminders, {days} days": (
                lambda w=w: seams.provided("win_back_figures")(w.start)
            ),
            f"checkout recovery e-mails, {days} days": lambda w=w: retention.recoveries(w),
            f"monthly offer's guardrail, {days} days": lambda w=w: retention.upsell_guardrail(w),
            f"anniversary e-mails and raises, {days} days": (
                lambda w=w: retention.anniversary_figures(w)
            ),
        }
    with app.app_context():
        return report_timings(fetches, runs, what="figure")


def show_counts(app) -> None:
    """What the figures came to, so the data's proportions can be checked at a glance."""
    with app.app_context():
        r = retention.retention(queries.window(30))
        print(
            f"churn this month so far: {r.churn[-1].canceled:,} of {r.churn[-1].running_at_start:,}"
        )
        last = r.churn[-2]
        print(f"churn last month: {last.canceled:,} of {last.running_at_start:,} ({last.rate:.1%})")
        print("reasons, 30 days: " + "; ".join(f"{x.reason} {x.canceled:,}" for x in r.reasons))
        print(f"saves, 30 days: {r.saves}")
        print(f"recoveries, 30 days: {r.recoveries}")
        print(f"monthly offer, 30 days: {r.upsell}")
        print(f"anniversaries, 30 days: {r.anniversaries}")
        print(f"goal: {r.goal.words}")


def measure(app, pages: dict[str, str], runs: int) -> bool:
    show_counts(app)
    with app.app_context():
        cache.clear()  # so each page's first visit sums what the page keeps (12-month value)
    within = report(signed_in_client(app), pages, runs)
    within &= figure_queries(app, runs)
    close(app)
    return within


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average: {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--pledges", type=int, default=200_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{args.database}; {load_line()}")
    pages = {
        "retention, last 30 days, all currencies": "/staff/retention",
        "retention, last 365 days, all currencies": "/staff/retention?days=365",
        "retention, last 365 days, EUR": "/staff/retention?days=365&currency=eur",
    }
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            path = f"{folder}/retention.db"
            app = make_app(f"sqlite:///{path}", **GOAL)
            load_sqlite(path, args.pledges, args.payments)
            within = measure(app, pages, args.runs)
    else:
        with scratch_database() as url:
            app = make_app(url, **GOAL)
            load(url, args.pledges, args.payments, **more(utcnow()))
            within = measure(app, pages, args.runs)
    print(load_line())
    print("all within budget" if within else f"some over the {BUDGET_MS} ms budget")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
