"""Changes to a running pledge, over real HTTP: the gateway asks the sandbox, and the pledge
learns the result only from Stripe's webhook (customer.subscription.updated)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import requests
from sqlalchemy import select

from donations.payments.enums import Frequency, PledgeStatus
from donations.payments.models import PledgeChange
from donations.payments.pledge_changes import CANCEL_REASONS
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


def manage_page(url: str, pledge) -> tuple[requests.Session, str, str]:
    """A donor's browser on their manage page: the session, the page's address and its token."""
    from donations.payments.donor_links import manage_url

    link = manage_url(pledge)
    browser = requests.Session()
    page = browser.get(link, timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return browser, link, token


def test_a_cancellation_from_the_manage_page_stores_its_reason_and_ends_with_the_period(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    form = browser.get(f"{link}/{pledge.public_id}/cancel", timeout=10)
    assert all(str(label) in html.unescape(form.text) for label in CANCEL_REASONS.values())
    done = browser.post(
        f"{link}/{pledge.public_id}/cancel",
        data={"csrf_token": token, "reason": "coverage", "reason_text": "x" * 900},
    )  # a reason no save offer answers: the cancellation goes at once
    assert done.status_code == 200 and "will stop at the end" in done.text
    settle(sandbox)
    [change] = db.session.scalars(select(PledgeChange)).all()
    assert (change.kind, change.reason, len(change.reason_text)) == ("cancel", "coverage", 500)
    assert change.save_offer is None
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is True
    advance(app.test_cli_runner(), sandbox, 32)
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.CANCELED


def test_a_cancellation_without_a_reason_is_asked_again_and_changes_nothing(world):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    again = browser.post(f"{link}/{pledge.public_id}/cancel", data={"csrf_token": token})
    assert again.status_code == 422 and "Please choose a reason" in again.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is False


def test_the_manage_page_changes_the_amount_and_the_webhook_confirms_it(world):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    done = browser.post(
        f"{link}/{pledge.public_id}/amount", data={"csrf_token": token, "amount": "7"}
    )
    assert "$7 from the next payment" in done.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.amount == 700
    assert "$7 every month" in browser.get(link, timeout=10).text


def test_an_amount_below_the_minimum_is_refused_with_the_reason(world):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    refused = browser.post(
        f"{link}/{pledge.public_id}/amount", data={"csrf_token": token, "amount": "1"}
    )
    assert refused.status_code == 422 and "starts at $2" in refused.text


def test_the_manage_page_pauses_for_two_months(world):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    done = browser.post(
        f"{link}/{pledge.public_id}/pause", data={"csrf_token": token, "months": "2"}
    )
    assert "paused" in done.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.collection_paused is True
    assert pledge.pause_resumes_at.month == (pledge.current_period_end.month % 12) + 1
    assert "paused until" in browser.get(link, timeout=10).text


def test_a_paused_donor_resumes_early_and_the_next_renewal_is_charged(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    browser.post(f"{link}/{pledge.public_id}/pause", data={"csrf_token": token, "months": "2"})
    settle(sandbox)
    assert "Resume now" in browser.get(link, timeout=10).text
    done = browser.post(f"{link}/{pledge.public_id}/resume", data={"csrf_token": token})
    assert done.status_code == 200
    assert "Your donation runs again" in done.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.collection_paused is False
    assert "Pause for" in browser.get(link, timeout=10).text
    kinds = db.session.scalars(
        select(PledgeChange.kind).where(PledgeChange.pledge_id == pledge.id)
    ).all()
    assert sorted(kinds) == ["pause", "resume"]
    advance(app.test_cli_runner(), sandbox, 32)  # the renewal the pause would have skipped
    db.session.refresh(pledge)
    assert [p.amount for p in pledge.payments] == [500, 500]


def test_a_donation_that_is_not_paused_cannot_be_resumed(world):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    refused = browser.post(f"{link}/{pledge.public_id}/resume", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "This donation is not paused." in refused.text


def test_another_donors_pledge_cannot_be_changed_with_this_link(world):
    _, url, sandbox, _ = world
    mine = donate(url, sandbox, "monthly", "5")
    theirs = donate(url, sandbox, "monthly", "10")
    browser, link, token = manage_page(url, mine)
    refused = browser.post(
        f"{link}/{theirs.public_id}/pause", data={"csrf_token": token, "months": "1"}
    )
    assert refused.status_code == 404
