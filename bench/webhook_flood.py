"""Webhook throughput on PostgreSQL with real signature checks, and its correctness afterwards.

A flood of checkout and invoice events for N pledges, 30 % of them sent twice, shuffled, from
16 client threads (bodies signed before the clock starts; the client shares the two cores with
the server and PostgreSQL) to the app under gunicorn (config/gunicorn.py). Afterwards every
pledge must have exactly its payments: none lost, none counted twice.
Usage: .venv/bin/python bench/webhook_flood.py [pledges]
"""

from __future__ import annotations

import secrets
import sys
import time

from harness import (
    ROOT,
    WEBHOOK_SECRET,
    app_environment,
    free_port,
    gunicorn,
    machine_line,
    migrate_and_seed,
    postgres_database,
)
from sqlalchemy import create_engine, func, insert, select

sys.path.insert(0, str(ROOT))
from donations.payments.models import Payment, Pledge, StripeEvent
from donations.platform.database import utcnow
from tests.flood import flood_events, send_all, signed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    print(machine_line())
    with postgres_database() as database_url:
        env = app_environment(database_url)
        migrate_and_seed(env)
        engine = create_engine(database_url)
        pledges = [
            {
                "public_id": "pl_" + secrets.token_urlsafe(12),
                "frequency": "once" if n % 2 else "monthly",
                "amount": 1000 if n % 2 else 500,
                "currency": "usd",
                "status": "pending",
                "status_changed_at": utcnow(),
                "created_at": utcnow(),
                "updated_at": utcnow(),
                "cancel_at_period_end": False,
            }
            for n in range(count)
        ]
        with engine.begin() as connection:
            connection.execute(insert(Pledge), pledges)
        events, expected = flood_events([(p["public_id"], p["frequency"]) for p in pledges])
        deliveries = signed(events, WEBHOOK_SECRET)
        with gunicorn("app:create_app()", env, free_port()) as url:
            started = time.perf_counter()
            statuses = send_all(url + "/stripe/webhook", deliveries, threads=16)
            elapsed = time.perf_counter() - started
        failures = sum(status != 200 for status in statuses)
        with engine.connect() as connection:
            payments = connection.scalar(select(func.count()).select_from(Payment))
            stored = connection.scalar(select(func.count()).select_from(StripeEvent))
            doubled = connection.scalar(
                select(func.count()).select_from(
                    select(Payment.pledge_id)
                    .group_by(Payment.pledge_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
        engine.dispose()
    unique = len({e["id"] for e in events})
    print(
        f"{len(events)} deliveries ({unique} distinct events, 30 % duplicates, shuffled) "
        f"in {elapsed:.1f} s: {len(events) / elapsed:.0f} events/s"
    )
    print(
        f"non-200 answers: {failures}; payments {payments} (expected {expected}); "
        f"events stored {stored} (expected {unique}); pledges paid twice: {doubled}"
    )
    if payments != expected or stored != unique or doubled or failures:
        sys.exit("FAILED: the flood lost or double-counted something")


if __name__ == "__main__":
    main()
