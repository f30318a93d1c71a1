"""Benchmark: the staff overview and pledge list on 1,000,000 payments and 200,000 pledges.

Creates a scratch PostgreSQL database on 127.0.0.1:5432 (user postgres, trust auth), bulk-loads
it with COPY, times each page through the Flask test client (the first request, with cold
caches, then median and p95 of the next runs), and drops the database. The budget is 300 ms
of server time per page.

    .venv/bin/python bench/dashboard.py [--pledges 200000] [--payments 1000000] [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import postgres_database

from app import create_app
from donations.demo.pledges import DemoHistory
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.staff import auth

BUDGET_MS = 300
EMAIL, PASSWORD = "bench@newsroom.example", "benchmark password"
# Longer history and more recurring donors than the demo: about five payments per pledge.
HISTORY_DAYS = 900
FREQUENCIES = (("once", 0.35), ("monthly", 0.58), ("annual", 0.07))

PLEDGE_COLUMNS = [
    "id",
    "public_id",
    "frequency",
    "amount",
    "currency",
    "email",
    "status",
    "status_changed_at",
    "checkout_session_id",
    "customer_id",
    "subscription_id",
    "payment_intent_id",
    "article_slug",
    "placement",
    "prompt",
    "variant",
    "upsell",
    "created_at",
    "updated_at",
]
PAYMENT_COLUMNS = [
    "id",
    "pledge_id",
    "stripe_invoice_id",
    "stripe_payment_intent_id",
    "amount",
    "currency",
    "paid_at",
    "refunded_amount",
    "disputed",
    "created_at",
]
DEFAULTS = {"cancel_at_period_end": False}


@contextmanager
def scratch_database() -> Iterator[str]:
    """A throwaway PostgreSQL database, as a plain URL (psycopg's COPY takes no driver suffix)."""
    with postgres_database() as url:
        yield url.replace("postgresql+psycopg://", "postgresql://")


def naive(value):
    # COPY into `timestamp without time zone`: our UTCDateTime stores UTC wall time.
    return value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, datetime) else value


Table = tuple[str, list[str], list[dict]]
# Adds pledges to the history (before their payments are made): (history, pledges) -> more.
MorePledges = Callable[[DemoHistory, list[dict]], list[dict]]
# Rows of other tables made from the numbered pledges and payments.
MoreTables = Callable[[list[dict], list[dict]], list[Table]]


def history_tables(
    pledges: int,
    payments: int,
    seed: int = 1,
    more_pledges: MorePledges | None = None,
    more_tables: MoreTables | None = None,
) -> list[Table]:
    """`pledges` demo pledges and up to `payments` of their payments, numbered, then whatever
    `more_tables` makes of them.

    Rows go in the order a live database gets them, pledges by creation and payments by
    payment time, so the tables' physical order is as realistic as their contents.
    """
    history = DemoHistory(seed, utcnow(), days=HISTORY_DAYS, frequencies=FREQUENCIES)
    pledge_rows = list(history.pledges(pledges, start_id=0))
    if more_pledges:
        pledge_rows += more_pledges(history, pledge_rows)
    pledge_rows.sort(key=lambda p: p["created_at"])
    payment_rows = []
    for number, pledge in enumerate(pledge_rows, start=1):
        pledge["id"] = number
        for payment in history.payments_of(pledge):
            if len(payment_rows) < payments:
                payment_rows.append(payment)
    payment_rows.sort(key=lambda p: p["paid_at"])
    for number, payment in enumerate(payment_rows, start=1):
        payment["id"] = number
    tables = [("pledge", PLEDGE_COLUMNS, pledge_rows), ("payment", PAYMENT_COLUMNS, payment_rows)]
    return tables + (more_tables(pledge_rows, payment_rows) if more_tables else [])


def load(url: str, pledges: int, payments: int, seed: int = 1, **more) -> tuple[int, int]:
    """COPY the history (`history_tables`) into PostgreSQL; returns the pledges and payments."""
    started = time.perf_counter()
    tables = history_tables(pledges, payments, seed, **more)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table, columns, rows in tables:
            copy_rows(cur, table, columns, rows)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    took = time.perf_counter() - started
    print(loaded_line(tables, took))
    return len(tables[0][2]), len(tables[1][2])


def loaded_line(tables: list[Table], took: float) -> str:
    counts = ", ".join(f"{len(rows):,} {table}" for table, _, rows in tables)
    return f"loaded {counts} rows in {took:.1f} s"


def copy_rows(cur: psycopg.Cursor, table: str, columns: list[str], rows: list[dict]) -> None:
    extra = DEFAULTS if table == "pledge" else {}
    names = sql.SQL(", ").join(map(sql.Identifier, [*columns, *extra]))
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)) as copy:
        for row in rows:
            copy.write_row([naive(row.get(c)) for c in columns] + list(extra.values()))


def make_app(url: str, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "STRIPE_API_BASE": "http://127.0.0.1:9",  # never called: no page here talks to Stripe
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            **config,
        }
    )
    with app.app_context():
        db.create_all()
    return app


def close(app) -> None:
    """Hand the connections back, so the scratch database can be dropped."""
    with app.app_context():
        db.engine.dispose()


def signed_in_client(app):
    with app.app_context():
        auth.create_staff(EMAIL, "admin", PASSWORD)
    client = app.test_client()
    response = client.post("/staff/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def timed(fetch: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """The first fetch (cold caches) and `runs` more, in milliseconds."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], times[1:]


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(client, pages: dict[str, str], runs: int) -> bool:
    """Time each page through the test client; True when every p95 is within budget."""

    def getter(path: str) -> Callable[[], None]:
        def fetch() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            response.get_data()

        return fetch

    return report_timings({name: getter(path) for name, path in pages.items()}, runs)


def report_timings(fetches: dict[str, Callable[[], object]], runs: int, what="page") -> bool:
    within = True
    print(f"{what:<52} {'first':>9} {'median':>9} {'p95':>9}")
    for name, fetch in fetches.items():
        first, times = timed(fetch, runs)
        median, high = statistics.median(times), p95(times)
        within &= high < BUDGET_MS
        flag = "" if high < BUDGET_MS else "  over budget"
        print(f"{name:<52} {first:>7.1f}ms {median:>7.1f}ms {high:>7.1f}ms{flag}")
    return within


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=200_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with scratch_database() as url:
        app = make_app(url)
        load(url, args.pledges, args.payments)
        client = signed_in_client(app)
        with app.app_context():
            email = db.session.scalar(
                db.text("SELECT email FROM pledge WHERE email IS NOT NULL LIMIT 1")
            )
        pages = {
            "overview, last 30 days, all currencies": "/staff/",
            "overview, last 365 days, EUR": "/staff/?days=365&currency=eur",
            "pledge list, first page": "/staff/pledges",
            "pledge list, page 200": "/staff/pledges?page=200",
            "pledge list, active monthly USD, largest first": (
                "/staff/pledges?status=active&frequency=monthly&currency=usd&sort=largest"
            ),
            "pledge list, search by e-mail": f"/staff/pledges?q={email}",
            "pledge list, search by e-mail prefix": "/staff/pledges?q=reader12",
        }
        within = report(client, pages, args.runs)
        close(app)
    print("all within budget" if within else f"some pages over the {BUDGET_MS} ms budget")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
