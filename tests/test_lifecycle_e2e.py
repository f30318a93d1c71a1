"""A pledge's whole life over real HTTP: the sandbox's clock, cards, portal, refunds, disputes.

These tests move the sandbox's test clock, so they get a sandbox of their own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
import stripe
from sqlalchemy import delete, select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge, StripeEvent
from donations.payments.notices import send_pending_notices
from donations.payments.stripe_gateway import gateway
from donations.platform.extensions import db
from tests.checkout import pay

FAILS_AT_RENEWAL = "4000 0000 0000 0341"


def donate(url: str, sandbox, frequency: str, amount: str, card: str = "4242 4242 4242 4242"):
    with requests.Session() as browser:
        page = browser.get(f"{url}/support", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "frequency": frequency, "amount": amount, "currency": "usd"}
        checkout = browser.post(f"{url}/support", data=form, allow_redirects=False)
    assert (
        pay(checkout.headers["Location"], card=card, email="donor@example.org").status_code == 303
    )
    settle(sandbox)
    return db.session.scalars(select(Pledge).order_by(Pledge.id.desc())).first()


def settle(sandbox) -> None:
    """Wait until every webhook the sandbox sent has been answered, send the e-mails they
    queued (the mail job's work), then read fresh rows."""
    assert sandbox.wait_for_deliveries(timeout=15)
    db.session.rollback()
    send_pending_notices()
    db.session.expire_all()


def advance(runner, sandbox, days: int) -> None:
    result = runner.invoke(args=["stripe", "sandbox", "advance", "--days", str(days)])
    assert result.exit_code == 0, result.output
    settle(sandbox)


def test_monthly_pledge_renews_for_three_months(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    runner = app.test_cli_runner()
    for _ in range(3):
        advance(runner, sandbox, 31)
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.ACTIVE
    assert [p.amount for p in pledge.payments] == [500] * 4
    assert all(p.stripe_payment_intent_id for p in pledge.payments)
    assert pledge.current_period_end > datetime.now(UTC) + timedelta(days=60)


def test_card_failing_at_renewal_goes_past_due_then_canceled(world):
    app, url, sandbox, inbox = world
    pledge = donate(url, sandbox, "monthly", "10", card=FAILS_AT_RENEWAL)
    assert pledge.status == PledgeStatus.ACTIVE
    runner = app.test_cli_runner()
    advance(runner, sandbox, 31)
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.PAST_DUE
    failure_mails = [m for m in inbox.messages if "did not go through" in m["Subject"]]
    assert len(failure_mails) == 1
    assert f"{url}/support/manage/" in failure_mails[0].get_body(("plain",)).get_content()
    advance(runner, sandbox, 20)  # Stripe's retries fail too; the subscription ends
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.CANCELED
    assert len([m for m in inbox.messages if "did not go through" in m["Subject"]]) == 1
    assert len(pledge.payments) == 1


def test_refunds_of_a_gift_and_of_a_renewal_arrive_by_webhook(world):
    _, url, sandbox, _ = world
    gift = donate(url, sandbox, "once", "25")
    gateway().refund_payment(gift.payments[0], amount=1000)
    settle(sandbox)
    assert db.session.get(Payment, gift.payments[0].id).refunded_amount == 1000
    gateway().refund_payment(gift.payments[0])
    settle(sandbox)
    db.session.refresh(gift)
    assert gift.payments[0].refunded_amount == 2500
    assert gift.status == PledgeStatus.REFUNDED

    monthly = donate(url, sandbox, "monthly", "5")
    gateway().refund_payment(monthly.payments[0])
    settle(sandbox)
    db.session.refresh(monthly)
    assert monthly.payments[0].refunded_amount == 500
    assert monthly.status == PledgeStatus.ACTIVE


def test_a_dispute_flags_the_payment(world):
    _, url, sandbox, _ = world
    gift = donate(url, sandbox, "once", "50")
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": sandbox.url})
    intent = client.v1.payment_intents.retrieve(gift.payments[0].stripe_payment_intent_id)
    requests.post(f"{sandbox.url}/_sandbox/charges/{intent.latest_charge}/dispute", timeout=10)
    settle(sandbox)
    db.session.refresh(gift)
    assert gift.payments[0].disputed is True
    assert gift.status == PledgeStatus.DISPUTED


def test_donor_cancels_in_the_billing_portal_through_an_emailed_link(world):
    _, url, sandbox, inbox = world
    pledge = donate(url, sandbox, "monthly", "20")
    with requests.Session() as browser:
        page = browser.get(f"{url}/support/manage", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        sent = browser.post(
            f"{url}/support/manage", data={"csrf_token": token, "email": "donor@example.org"}
        )
        assert "Check your e-mail" in sent.text
        settle(sandbox)  # the mail job sends the link the donor asked for
        [mail] = [m for m in inbox.messages if m["Subject"].startswith("Manage your donation")]
        link = re.search(
            r"(http://\S+/support/manage/\S+)", mail.get_body(("plain",)).get_content()
        ).group(1)
        donation = browser.get(link, timeout=10)
        assert "$20 every month" in donation.text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', donation.text).group(
            1
        )
        portal = browser.post(f"{link}/portal", data={"csrf_token": token}, allow_redirects=False)
        assert portal.status_code == 303 and portal.headers["Location"].startswith(sandbox.url)
        portal_page = browser.get(portal.headers["Location"], timeout=10).text
        action = re.search(r'<form[^>]*action="([^"]+)"', portal_page).group(1)
        browser.post(
            sandbox.url + action if action.startswith("/") else action,
            data={"action": "cancel_now"},
        )
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.CANCELED


def test_reconcile_repairs_a_lost_payment_and_then_finds_nothing(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    lost = pledge.payments[0].stripe_invoice_id
    db.session.execute(delete(Payment))
    pledge.status = PledgeStatus.PENDING
    db.session.commit()
    runner = app.test_cli_runner()
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    first = runner.invoke(args=["stripe", "reconcile", "--since", since])
    assert first.exit_code == 0, first.output
    assert f"payment of $5 recorded ({lost})" in first.output
    assert "status pending → active" in first.output
    db.session.expire_all()
    assert [p.stripe_invoice_id for p in db.session.get(Pledge, pledge.id).payments] == [lost]
    again = runner.invoke(args=["stripe", "reconcile", "--since", since])
    assert again.output.strip().endswith("Nothing to repair.")


def test_replay_of_an_applied_event_is_harmless(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "once", "10")
    completed = db.session.scalar(
        select(StripeEvent).where(StripeEvent.type == "checkout.session.completed")
    )
    result = app.test_cli_runner().invoke(args=["stripe", "replay", completed.id])
    assert result.exit_code == 0
    assert "applied: pledge already paid" in result.output
    db.session.refresh(pledge)
    assert len(pledge.payments) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["stripe", "replay", "evt_nope"], "No stored event 'evt_nope'"),
        (["stripe", "reconcile", "--since", "yesterday"], "use a date like 2026-11-01"),
        (["stripe", "reconcile", "--since", "2999-01-01"], "the date is in the future"),
        (["stripe", "sandbox", "advance", "--days", "0"], "0 is not in the range"),
    ],
)
def test_operations_commands_explain_bad_input(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
