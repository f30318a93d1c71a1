"""The retention page's anniversary figures: e-mails sent, raise links opened, raises the donor
confirmed and those Stripe's webhook confirmed, and the monthly revenue added; each expected
number is counted in the comment beside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from donations.payments.models import DonorNotice, Pledge, StripeEvent, UpgradeOffer
from donations.platform.extensions import db
from donations.staff import queries, retention
from tests.staff.conftest import sign_in

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def pledge(name: str, frequency: str, amount: int, currency: str = "usd") -> Pledge:
    row = Pledge(
        public_id=f"pl_anniv_{name}",
        frequency=frequency,
        amount=amount,
        currency=currency,
        status="active",
        email=f"{name}@example.org",
        subscription_id=f"sub_{name}",
    )
    db.session.add(row)
    db.session.flush()
    return row


def sent(row: Pledge, days_ago: int | None) -> None:
    db.session.add(
        DonorNotice(
            pledge_id=row.id,
            kind="anniversary",
            reference="year 1",
            sent_at=None if days_ago is None else NOW - days_ago * DAY,
        )
    )


def offer(row: Pledge, before: int, after: int, opened: int | None, used: int | None) -> None:
    db.session.add(
        UpgradeOffer(
            pledge_id=row.id, year=1, amount_before=before, amount_offered=after,
            currency=row.currency, frequency=row.frequency,
            opened_at=None if opened is None else NOW - opened * DAY,
            used_at=None if used is None else NOW - used * DAY,
        )
    )  # fmt: skip


def updated(row: Pledge, days_ago: float, unit_amount: int) -> None:
    """Stripe's customer.subscription.updated for the pledge, received `days_ago`."""
    when = NOW - days_ago * DAY
    db.session.add(
        StripeEvent(
            id=f"evt_anniv_{row.public_id}_{unit_amount}", type="customer.subscription.updated",
            created_at=when, received_at=when, outcome="applied", details=[], pledge_id=row.id,
            payload={"data": {"object": {"items": {"data": [
                {"price": {"unit_amount": unit_amount}}]}}}},
        )
    )  # fmt: skip


@pytest.fixture
def figures(make_app):
    app = make_app()
    with app.app_context():
        a = pledge("a", "monthly", 500)  # sent, opened, raised to 10, Stripe confirmed: +$5
        sent(a, 3)
        offer(a, 500, 1000, opened=2, used=2)
        updated(a, 1.9, 1000)
        b = pledge("b", "annual", 5000)  # sent, raised to 100 a year, confirmed: +$50/12
        sent(b, 5)
        offer(b, 5000, 10000, opened=4, used=4)
        updated(b, 3.9, 10000)
        c = pledge("c", "monthly", 500)  # sent, confirmed by the donor, no webhook yet
        sent(c, 1)
        offer(c, 500, 1000, opened=1, used=1)
        updated(c, 5, 500)  # an older update, before the raise: not its confirmation
        d = pledge("d", "monthly", 2000, "eur")  # sent, opened only
        sent(d, 2)
        offer(d, 2000, 3000, opened=2, used=None)
        e = pledge("e", "monthly", 500)  # all of it 40 days ago: outside the window
        sent(e, 40)
        offer(e, 500, 1000, opened=40, used=40)
        updated(e, 39.9, 1000)
        f = pledge("f", "monthly", 500)  # queued, not sent yet
        sent(f, None)
        db.session.commit()
        yield app, retention.anniversary_figures(queries.window(30, None, NOW))


def test_anniversary_figures_count_emails_links_and_confirmed_raises(figures):
    _, r = figures
    assert r.sent == 4  # a, b, c, d (e is old, f unsent)
    assert r.opened == 4  # a, b, c, d
    assert r.used == 3  # a, b, c
    assert r.confirmed == 2  # a and b; c's only update came before the raise
    assert [str(m) for m in r.added] == ["$9.17"]  # a's $5 and b's $50 a year: 5 + 4.17


def test_one_currency_counts_its_own(figures):
    app, _ = figures
    with app.app_context():
        r = retention.anniversary_figures(queries.window(30, "eur", NOW))
    assert (r.sent, r.opened, r.used, r.confirmed, r.added) == (1, 1, 0, 0, [])


def test_the_retention_page_shows_them(figures, staff):
    app, _ = figures
    client = app.test_client()
    sign_in(client, staff["viewer"])
    page = client.get("/staff/retention").get_data(as_text=True)
    assert "Anniversary e-mails and raises" in page
    assert "Raises confirmed by Stripe" in page
