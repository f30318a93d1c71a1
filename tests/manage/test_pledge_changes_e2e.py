"""Changes to a running pledge, over real HTTP: the gateway asks the sandbox, and the pledge
learns the result only from Stripe's webhook (customer.subscription.updated)."""

from __future__ import annotations

from datetime import timedelta

from donations.payments.enums import Frequency, PledgeStatus
from donations.payments.stripe_gateway import gateway
from donations.platform.extensions import db
from tests.test_lifecycle_e2e import advance, donate, settle


def test_a_new_amount_comes_back_by_webhook_and_is_charged_from_the_next_renewal(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    gateway().change_price(
        pledge.subscription_id, amount=800, interval="month", keep_billing_date=False
    )
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.amount == 800
    advance(app.test_cli_runner(), sandbox, 31)
    db.session.refresh(pledge)
    assert [p.amount for p in pledge.payments] == [500, 800]


def test_switching_to_annual_keeps_the_billing_date_and_charges_the_year_then(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    next_payment = pledge.current_period_end
    gateway().change_price(
        pledge.subscription_id, amount=6000, interval="year", keep_billing_date=True
    )
    settle(sandbox)
    db.session.refresh(pledge)
    assert (pledge.frequency, pledge.amount) == (Frequency.ANNUAL, 6000)
    assert pledge.current_period_end == next_payment
    assert pledge.status == PledgeStatus.ACTIVE
    advance(app.test_cli_runner(), sandbox, 31)
    db.session.refresh(pledge)
    assert [p.amount for p in pledge.payments] == [500, 6000]
    assert pledge.current_period_end >= next_payment + timedelta(days=365)


def test_a_pause_skips_the_renewal_and_the_sandbox_clock_resumes_it_on_its_date(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    resumes_at = pledge.current_period_end + timedelta(days=1)
    gateway().pause_collection(pledge.subscription_id, resumes_at=int(resumes_at.timestamp()))
    settle(sandbox)
    db.session.refresh(pledge)
    assert (pledge.collection_paused, pledge.pause_resumes_at) == (True, resumes_at)
    runner = app.test_cli_runner()
    advance(runner, sandbox, 32)  # the renewal falls in the pause; then the pause ends
    db.session.refresh(pledge)
    assert (pledge.collection_paused, pledge.pause_resumes_at) == (False, None)
    assert len(pledge.payments) == 1
    advance(runner, sandbox, 31)
    db.session.refresh(pledge)
    assert [p.amount for p in pledge.payments] == [500, 500]
    assert pledge.status == PledgeStatus.ACTIVE
