"""A small, hand-counted history of pledges and payments; the overview's figures are checked
against the sums written out in test_overview_figures.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from donations.payments.models import Payment, Pledge
from donations.platform.extensions import db
from donations.prompts.models import PromptStat
from donations.reminders.models import Reminder

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def store_ledger(now: datetime = NOW) -> dict[str, Pledge]:
    """Ten pledges in three currencies; see each line's comment for what it contributes."""
    ids = iter(range(1, 1000))

    def pledge(name, frequency, amount, currency, status, created, changed=None, **extra):
        row = Pledge(
            public_id=f"pl_ledger_{name}",
            frequency=frequency,
            amount=amount,
            currency=currency,
            status=status,
            created_at=created,
            status_changed_at=changed or created,
            email=f"{name.lower()}@example.org",
            **extra,
        )
        db.session.add(row)
        return row

    def pay(row, amount, paid_at, refunded=0, disputed=False):
        number = next(ids)
        db.session.add(
            Payment(
                pledge=row,
                amount=amount,
                currency=row.currency,
                paid_at=paid_at,
                refunded_amount=refunded,
                disputed=disputed,
                stripe_invoice_id=f"in_ledger{number}" if row.is_recurring else None,
                stripe_payment_intent_id=None if row.is_recurring else f"pi_ledger{number}",
            )
        )

    appeal = {"prompt": "appeal", "placement": "article-end", "variant": "a"}
    rows = {}
    # $10 once, today.
    rows["A"] = pledge("A", "once", 1000, "usd", "paid", now - 2 * HOUR, **appeal)
    pay(rows["A"], 1000, now - 2 * HOUR)
    # $50 once three days ago, refunded in full: kept nothing.
    rows["B"] = pledge("B", "once", 5000, "usd", "refunded", now - 3 * DAY, **appeal)
    pay(rows["B"], 5000, now - 3 * DAY, refunded=5000)
    # $5 a month since 40 days ago: two payments.
    rows["C"] = pledge("C", "monthly", 500, "usd", "active", now - 40 * DAY)
    pay(rows["C"], 500, now - 40 * DAY)
    pay(rows["C"], 500, now - 10 * DAY)
    # $60 a year since 100 days ago: $5 of monthly revenue.
    rows["D"] = pledge("D", "annual", 6000, "usd", "active", now - 100 * DAY)
    pay(rows["D"], 6000, now - 100 * DAY)
    # €10 a month since five days ago, €3 of it refunded.
    rows["E"] = pledge(
        "E", "monthly", 1000, "eur", "active", now - 5 * DAY, prompt="banner", placement="banner"
    )
    pay(rows["E"], 1000, now - 5 * DAY, refunded=300)
    # $20 a month, canceled ten days ago: running 30 days ago, not now.
    rows["F"] = pledge("F", "monthly", 2000, "usd", "canceled", now - 60 * DAY, now - 10 * DAY)
    pay(rows["F"], 2000, now - 60 * DAY)
    pay(rows["F"], 2000, now - 30 * DAY)
    # £3 a month since 20 days ago, its renewal failed yesterday: past due, still counted.
    rows["G"] = pledge(
        "G", "monthly", 300, "gbp", "past_due", now - 20 * DAY, now - DAY, placement="support-page"
    )
    pay(rows["G"], 300, now - 20 * DAY)
    # $25 once 200 days ago, disputed.
    rows["H"] = pledge("H", "once", 2500, "usd", "disputed", now - 200 * DAY)
    pay(rows["H"], 2500, now - 200 * DAY, disputed=True)
    # $7 once, still on Checkout: no payment, not confirmed.
    rows["I"] = pledge("I", "once", 700, "usd", "pending", now - DAY, **appeal)
    # $120 a year from 400 days ago, canceled 50 days ago: not running 30 days ago either.
    rows["J"] = pledge("J", "annual", 12000, "usd", "canceled", now - 400 * DAY, now - 50 * DAY)
    pay(rows["J"], 12000, now - 400 * DAY)
    store_prompt_counts(now)
    store_reminders(now)
    db.session.commit()
    return rows


def store_prompt_counts(now: datetime) -> None:
    """The appeal seen 100 + 50 times yesterday and 40 days ago; opened 10 times yesterday."""
    for day, kind, count in (
        (now - DAY, "impression", 100),
        (now - DAY, "open", 10),
        (now - DAY, "dismiss", 7),
        (now - 40 * DAY, "impression", 50),
    ):
        db.session.add(
            PromptStat(
                day=day.date(),
                prompt="appeal",
                placement="article-end",
                variant="a",
                kind=kind,
                count=count,
            )
        )
    db.session.add(
        PromptStat(
            day=(now - 2 * DAY).date(),
            prompt="appeal",
            placement="overlay",
            variant="a",
            kind="impression",
            count=20,
        )
    )


def store_reminders(now: datetime) -> None:
    """Three reminders confirmed in the last 30 days (one sent, one sent and converted, one
    cancelled), one never confirmed, and one set 45 days ago."""
    for name, created, sent, converted, cancelled, confirmed in (
        ("r1", now - 3 * DAY, 1, None, None, True),
        ("r2", now - 20 * DAY, 2, now - DAY, None, True),
        ("r3", now - 5 * DAY, 0, None, now - 4 * DAY, True),
        ("r4", now - 45 * DAY, 1, None, None, True),
        ("r5", now - 2 * DAY, 0, None, None, False),
    ):
        db.session.add(
            Reminder(
                email=f"{name}@example.org",
                month=created.date().replace(day=1),
                consent_text="Remind me by e-mail.",
                consented_at=created,
                confirmed_at=created if confirmed else None,
                confirmation_sent_at=created,
                created_at=created,
                sent_count=sent,
                converted_at=converted,
                cancelled_at=cancelled,
            )
        )
