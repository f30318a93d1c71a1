"""The retention page's figures against the hand-counted ledger (tests/staff/ledger.py) and a
few rows added here; each expected number is counted in the comment beside it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from donations.payments.models import CheckoutRecovery, Pledge, PledgeChange, StripeEvent
from donations.platform.extensions import db
from donations.reminders.models import WIN_BACK, Reminder
from donations.staff import queries, retention
from tests.staff.conftest import sign_in
from tests.staff.ledger import DAY, NOW, store_ledger


def event(name: str, kind: str, pledge: Pledge, days_ago: int, data: dict) -> StripeEvent:
    return StripeEvent(
        id=f"evt_ledger_{name}",
        type=kind,
        created_at=NOW - days_ago * DAY,
        payload={"id": f"evt_ledger_{name}", "type": kind, "data": data},
        outcome="applied",
        details=[],
        pledge_id=pledge.id,
    )


@pytest.fixture
def figures(make_app):
    app = make_app(GOAL_TARGET=10, GOAL_PERIOD="quarter")
    with app.app_context():
        rows = store_ledger()
        # K: F's address gives again two days ago (F's monthly pledge was canceled): a win-back.
        rows["K"] = Pledge(
            public_id="pl_ledger_K", frequency="once", amount=1500, currency="usd",
            status="paid", email="f@example.org", created_at=NOW - 2 * DAY, upsell="declined",
        )  # fmt: skip
        rows["A"].upsell = "skipped"  # a small one-off, not offered, paid
        rows["I"].upsell = "offered"  # offered, still on Checkout
        db.session.add(rows["K"])
        db.session.flush()
        db.session.add_all(
            [
                # F ended ten days ago because its payment failed.
                event("f_deleted", "customer.subscription.deleted", rows["F"], 10,
                      {"object": {"cancellation_details": {"reason": "payment_failed"}}}),
                # J's end was 50 days ago: outside the 30 days.
                event("j_deleted", "customer.subscription.deleted", rows["J"], 50,
                      {"object": {"cancellation_details": {"reason": "cancellation_requested"}}}),
                # C scheduled a cancellation, then withdrew it: one save.
                event("c_scheduled", "customer.subscription.updated", rows["C"], 8,
                      {"object": {"cancel_at_period_end": True},
                       "previous_attributes": {"cancel_at_period_end": False}}),
                event("c_withdrawn", "customer.subscription.updated", rows["C"], 5,
                      {"object": {"cancel_at_period_end": False},
                       "previous_attributes": {"cancel_at_period_end": True}}),
            ]
        )  # fmt: skip
        for pledge, sent, stopped in (
            (rows["I"], 1, None),
            (rows["K"], 2, None),
            (rows["A"], 0, "asked"),
        ):
            db.session.add(
                CheckoutRecovery(
                    pledge_id=pledge.id, email=pledge.email, expired_at=NOW - 3 * DAY,
                    sent_count=sent, stopped_reason=stopped,
                    stopped_at=NOW - DAY if stopped else None,
                )
            )  # fmt: skip
        db.session.commit()
        yield app, retention.retention(queries.window(30, None, NOW))


def test_monthly_churn_counts_cancellations_among_those_running_at_the_months_start(figures):
    _, r = figures
    by_month = {m.month: (m.running_at_start, m.canceled) for m in r.churn}
    # January: D and J were running; J canceled. February: D and F; none. March: C, D, F, G; F.
    assert by_month[datetime(2026, 1, 1, tzinfo=UTC)] == (2, 1)
    assert by_month[datetime(2026, 2, 1, tzinfo=UTC)] == (2, 0)
    assert by_month[datetime(2026, 3, 1, tzinfo=UTC)] == (4, 1)
    assert r.churn[-1].rate == 0.25


def test_churn_reasons_in_the_period_are_stripes(figures):
    _, r = figures
    assert [(x.reason, x.canceled) for x in r.reasons] == [("Payment failed", 1)]


def test_cohorts_by_month_of_first_gift_with_their_retention(figures):
    _, r = figures
    by_month = {c.month: c for c in r.cohorts}
    february, january = (
        by_month[datetime(2026, 2, 1, tzinfo=UTC)],
        by_month[datetime(2026, 1, 1, tzinfo=UTC)],
    )
    assert (february.size, february.retained[:2]) == (2, [1.0, None])  # C and G; March not over
    assert (january.size, january.retained[:3]) == (1, [1.0, 1.0, None])  # F, canceled in March
    assert by_month[datetime(2026, 3, 1, tzinfo=UTC)].size == 1  # E
    assert r.curve[0] == 1.0 and r.curve[3] is None


def test_average_gift_per_currency_and_kind_in_the_period(figures):
    _, r = figures
    found = {a.currency: (a.once, a.recurring) for a in r.average_gift}
    # USD one-off: A $10 and B $50 (K has no payment) -> 3000; recurring: C's $5.
    assert found == {"usd": (3000, 500), "eur": (None, 1000), "gbp": (None, 300)}


def test_twelve_month_value_per_new_recurring_donor(figures):
    _, r = figures
    # Started 12–23 months ago: J only, who gave $120 in its first year.
    assert [(v.currency, v.donors, v.per_donor) for v in r.year_value] == [("usd", 1, 12000)]


def test_saves_and_win_backs(figures):
    _, r = figures
    assert (r.saves.withdrawn, r.saves.win_backs) == (1, 1)
    assert (r.saves.pauses, r.saves.downgrades) == (0, 0)  # nobody asked on the manage page


def test_pauses_downgrades_and_the_donors_own_reasons_come_from_the_manage_page(figures):
    def change(public_id: str, kind: str, days_ago: int, after: int | None = None, **kw):
        pledge = db.session.scalar(
            select(Pledge).where(Pledge.public_id == f"pl_ledger_{public_id}")
        )
        db.session.add(
            PledgeChange(
                pledge_id=pledge.id, kind=kind, amount_before=pledge.amount,
                amount_after=pledge.amount if after is None else after, currency=pledge.currency,
                frequency_after=pledge.frequency, created_at=NOW - days_ago * DAY, **kw,
            )
        )  # fmt: skip

    change("C", "pause", 4)  # C paused and still gives: kept
    change("E", "amount", 3, after=800)  # E lowered its amount and still gives: kept
    change("D", "amount", 45, after=3000)  # 45 days ago: outside the 30 days
    change("F", "cancel", 11, reason="cost")  # F said why; Stripe's "payment failed" gives way
    db.session.commit()
    r = retention.retention(queries.window(30, None, NOW))
    assert (r.saves.pauses, r.saves.downgrades) == (1, 1)
    assert [(x.reason, x.canceled) for x in r.reasons] == [("I can't afford it right now", 1)]


def test_checkout_reminder_conversions(figures):
    _, r = figures
    # Three scheduled; I and K reminded (1 + 2 e-mails); K gave; A's reader asked to stop.
    assert (r.recoveries.scheduled, r.recoveries.reminded, r.recoveries.emails) == (3, 2, 3)
    assert (r.recoveries.gave, r.recoveries.stopped, r.recoveries.rate) == (1, 1, 0.5)


def test_completion_with_and_without_the_monthly_offer(figures):
    _, r = figures
    without, offered = r.upsell
    assert (without.pledges, without.completed) == (1, 1)  # A
    assert (offered.pledges, offered.completed, offered.accepted) == (2, 1, 0)  # I, K


def test_goal_counts_new_monthly_supporters_this_quarter(figures):
    _, r = figures
    # Monthly pledges started since 1 January that gave: C, E, F, G.
    assert r.goal.words == "4 of 10 new monthly supporters this quarter"


def test_the_retention_page_shows_them(figures, staff):
    app, _ = figures
    client = app.test_client()
    sign_in(client, staff["viewer"])
    page = client.get("/staff/retention").get_data(as_text=True)
    for words in ("Monthly churn", "Cohorts by month of first gift", "Win-backs", "chart--share"):
        assert words in page


def test_save_offers_taken_and_declined_and_win_back_reminders(figures):
    def change(public_id: str, kind: str, days_ago: int, **kw):
        pledge = db.session.scalar(
            select(Pledge).where(Pledge.public_id == f"pl_ledger_{public_id}")
        )
        db.session.add(
            PledgeChange(
                pledge_id=pledge.id, kind=kind, amount_before=pledge.amount,
                amount_after=pledge.amount, currency=pledge.currency,
                frequency_after=pledge.frequency, created_at=NOW - days_ago * DAY, **kw,
            )
        )  # fmt: skip

    def win_back(email: str, days_ago: int, kind: str = WIN_BACK, sent: int = 0):
        db.session.add(
            Reminder(
                email=email, month=(NOW + 90 * DAY).date(), consent_text="…",
                consented_at=NOW - days_ago * DAY, confirmed_at=NOW - days_ago * DAY,
                created_at=NOW - days_ago * DAY, kind=kind, sent_count=sent,
            )
        )  # fmt: skip

    change("C", "pause", 4, save_offer="pause", reason="break")  # C took a pause instead: a save
    change("E", "cancel", 3, save_offer="amount", reason="cost")  # E declined a lower amount
    change("D", "amount", 45, save_offer="amount", reason="cost")  # outside the 30 days
    change("F", "cancel", 11, reason="coverage")  # no offer was shown
    win_back("f@example.org", 9, sent=1)  # F asked; K, F's address, gave two days ago
    win_back("e@example.org", 3)  # asked, nothing since
    win_back("old@example.org", 40)  # outside the 30 days
    win_back("reader@example.org", 5, kind="reader")  # a reader's reminder, not a win-back
    db.session.commit()
    r = retention.retention(queries.window(30, None, NOW))
    assert (r.saves.offers_taken, r.saves.offers_declined, r.saves.take_rate) == (1, 1, 0.5)
    assert (
        r.saves.win_back_reminders,
        r.saves.win_back_reminders_sent,
        r.saves.win_back_came_back,
    ) == (2, 1, 1)
