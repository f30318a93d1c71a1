"""A pledge's life after Checkout: renewals, failures, changes, cancellation, refunds, disputes."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge, StripeEvent
from donations.payments.notices import send_pending_notices
from donations.payments.webhooks.outcome import in_words
from donations.platform.extensions import db
from tests.conftest import WEBHOOK_SECRET
from tests.pledges import new_pledge
from tests.stripe_events import (
    charge,
    checkout_session,
    dispute,
    event,
    invoice,
    invoice_payment,
    post_event,
    subscription,
)


def deliver(client, event_type: str, obj: dict, created: int | None = None) -> dict:
    evt = event(event_type, obj, created=created)
    response = post_event(client, evt, WEBHOOK_SECRET)
    assert response.status_code == 200
    return evt


def monthly_supporter(client, email: str | None = None) -> tuple[Pledge, dict]:
    pledge = new_pledge("monthly", 500, email)
    session = checkout_session(
        pledge_id=pledge.public_id, mode="subscription", amount=500, email=email
    )
    deliver(client, "checkout.session.completed", session)
    db.session.refresh(pledge)
    return pledge, session


def one_off_gift(client, amount: int = 2500) -> tuple[Pledge, dict]:
    pledge = new_pledge("once", amount)
    session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=amount)
    deliver(client, "checkout.session.completed", session)
    db.session.refresh(pledge)
    return pledge, session


def test_renewals_record_one_payment_per_invoice(app, client):
    with app.app_context():
        pledge, session = monthly_supporter(client)
        renewal = invoice(
            subscription_id=session["subscription"],
            pledge_id=pledge.public_id,
            amount=500,
            billing_reason="subscription_cycle",
        )
        deliver(client, "invoice.paid", renewal)
        deliver(client, "invoice.paid", renewal)  # Stripe may send a new event for the same invoice
        db.session.refresh(pledge)
        assert len(pledge.payments) == 2
        assert pledge.status == PledgeStatus.ACTIVE


def test_failed_renewal_makes_the_pledge_past_due_and_tells_the_donor_once(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    client = app.test_client()
    with app.app_context():
        pledge, session = monthly_supporter(client, email="donor@example.org")
        assert smtp_inbox.messages == []  # queued with the change, sent by the mail job
        assert send_pending_notices() == 1
        assert [m["Subject"] for m in smtp_inbox.messages] == [
            "Thank you for supporting The Moscow Times"
        ]
        failed = invoice(
            subscription_id=session["subscription"], pledge_id=pledge.public_id, amount=500
        )
        failed.update(status="open", amount_paid=0, attempt_count=1)
        deliver(client, "invoice.payment_failed", failed)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.PAST_DUE
        failed["attempt_count"] = 2
        deliver(client, "invoice.payment_failed", failed)
        send_pending_notices()
        notice = smtp_inbox.messages[-1]
        assert len(smtp_inbox.messages) == 2
        assert notice["Subject"] == "Your payment to The Moscow Times did not go through"
        assert "/support/manage/" in notice.get_body(("plain",)).get_content()


def test_a_paid_retry_brings_a_past_due_pledge_back(app, client):
    with app.app_context():
        pledge, session = monthly_supporter(client)
        now = int(time.time())
        failed = invoice(subscription_id=session["subscription"], pledge_id=None, amount=500)
        failed.update(status="open", amount_paid=0)
        deliver(client, "invoice.payment_failed", failed, created=now + 10)
        paid = {**failed, "status": "paid", "amount_paid": 500}
        deliver(client, "invoice.paid", paid, created=now + 20)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.ACTIVE
        assert len(pledge.payments) == 2


def test_subscription_update_changes_amount_period_and_cancellation(app, client):
    with app.app_context():
        pledge, session = monthly_supporter(client)
        period_end = int(time.time()) + 20 * 86400
        updated = subscription(
            subscription_id=session["subscription"],
            pledge_id=pledge.public_id,
            amount=1000,
            cancel_at_period_end=True,
            period_end=period_end,
        )
        deliver(client, "customer.subscription.updated", updated)
        db.session.refresh(pledge)
        assert pledge.amount == 1000
        assert pledge.cancel_at_period_end is True
        assert int(pledge.current_period_end.timestamp()) == period_end
        assert pledge.status == PledgeStatus.ACTIVE


def test_an_old_update_after_deletion_changes_nothing(app, client):
    with app.app_context():
        pledge, session = monthly_supporter(client)
        now = int(time.time())
        sub_id = session["subscription"]
        deleted = subscription(
            subscription_id=sub_id, pledge_id=pledge.public_id, status="canceled"
        )
        deliver(client, "customer.subscription.deleted", deleted, created=now + 60)
        old = subscription(subscription_id=sub_id, pledge_id=pledge.public_id, amount=900)
        deliver(client, "customer.subscription.updated", old, created=now + 30)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.CANCELED
        assert pledge.amount == 500


def test_illegal_move_is_refused_and_logged_not_crashed(app, client):
    with app.app_context():
        pledge, session = one_off_gift(client)
        expired = {**session, "status": "expired"}
        evt = deliver(client, "checkout.session.expired", expired)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.PAID
        stored = db.session.get(StripeEvent, evt["id"])
        assert {"kind": "refused_move", "status": "paid", "wanted": "expired"} in stored.details
        assert "cannot move from paid to expired" in in_words(stored.details)


@pytest.mark.parametrize(
    "event_type, status",
    [
        ("checkout.session.expired", PledgeStatus.EXPIRED),
        ("checkout.session.async_payment_failed", PledgeStatus.FAILED),
        ("checkout.session.async_payment_succeeded", PledgeStatus.PAID),
    ],
)
def test_checkout_session_outcomes(app, client, event_type, status):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        deliver(client, event_type, session)
        db.session.refresh(pledge)
        assert pledge.status == status
        assert len(pledge.payments) == (1 if status == PledgeStatus.PAID else 0)


def test_async_payment_still_processing_keeps_the_pledge_pending(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(
            pledge_id=pledge.public_id, mode="payment", amount=1000, payment_status="unpaid"
        )
        deliver(client, "checkout.session.completed", session)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.PENDING
        assert pledge.payments == []


def test_partial_then_full_refund(app, client):
    with app.app_context():
        pledge, session = one_off_gift(client, 2500)
        now = int(time.time())
        partial = charge(
            payment_intent=session["payment_intent"], amount=2500, amount_refunded=1000
        )
        deliver(client, "charge.refunded", partial, created=now)
        db.session.refresh(pledge)
        assert pledge.payments[0].refunded_amount == 1000
        assert pledge.status == PledgeStatus.PAID
        full = {**partial, "amount_refunded": 2500, "refunded": True}
        deliver(client, "charge.refunded", full, created=now + 5)
        deliver(client, "charge.refunded", partial, created=now + 1)  # late copy of the older one
        db.session.refresh(pledge)
        assert pledge.payments[0].refunded_amount == 2500
        assert pledge.payments[0].stripe_charge_id == partial["id"]
        assert pledge.status == PledgeStatus.REFUNDED


def test_refund_of_a_renewal_finds_it_through_its_invoice_payment(app, client):
    with app.app_context():
        pledge, session = monthly_supporter(client)
        deliver(
            client,
            "invoice_payment.paid",
            invoice_payment(invoice_id=session["invoice"], payment_intent="pi_renewal", amount=500),
        )
        deliver(
            client,
            "charge.refunded",
            charge(payment_intent="pi_renewal", amount=500, amount_refunded=500),
        )
        db.session.refresh(pledge)
        assert pledge.payments[0].refunded_amount == 500
        assert pledge.status == PledgeStatus.ACTIVE  # a recurring pledge goes on


def test_dispute_flags_the_payment_and_the_one_off_pledge(app, client):
    with app.app_context():
        pledge, session = one_off_gift(client, 5000)
        disputed = dispute(
            charge_id="ch_disputed", payment_intent=session["payment_intent"], amount=5000
        )
        deliver(client, "charge.dispute.created", disputed)
        db.session.refresh(pledge)
        assert pledge.payments[0].disputed is True
        assert pledge.status == PledgeStatus.DISPUTED


def test_thank_you_mail_goes_once_on_first_confirmation(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    client = app.test_client()
    with app.app_context():
        pledge = new_pledge("once", 1000, email="giver@example.org")
        session = checkout_session(
            pledge_id=pledge.public_id, mode="payment", amount=1000, email="giver@example.org"
        )
        deliver(client, "checkout.session.completed", session)
        deliver(client, "checkout.session.async_payment_succeeded", session)
        assert send_pending_notices() == 1
        assert send_pending_notices() == 0
    assert [m["To"] for m in smtp_inbox.messages] == ["giver@example.org"]
    assert "Your gift: $10 once." in smtp_inbox.messages[0].get_body(("plain",)).get_content()


def test_stripe_trigger_shaped_events_are_stored_as_unmatched(app, client):
    with app.app_context():
        triggered = [
            (
                "checkout.session.completed",
                checkout_session(pledge_id=None, mode="payment", amount=3000),
            ),
            ("invoice.paid", invoice(subscription_id="sub_trigger", pledge_id=None, amount=2000)),
            (
                "customer.subscription.updated",
                subscription(subscription_id="sub_trigger", pledge_id=None),
            ),
        ]
        for event_type, obj in triggered:
            deliver(client, event_type, obj)
        outcomes = db.session.scalars(select(StripeEvent.outcome)).all()
        assert outcomes == ["unmatched"] * 3
        assert db.session.scalars(select(Payment)).all() == []


def test_a_notice_that_cannot_be_sent_is_kept_for_the_next_run(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # the mail server is down
    client = app.test_client()
    with app.app_context():
        monthly_supporter(client, email="donor@example.org")
        assert send_pending_notices() == 0
        app.config["MAIL_PORT"] = smtp_inbox.port  # and back up
        assert send_pending_notices() == 1
    assert len(smtp_inbox.messages) == 1


def test_mail_command_sends_queued_notices(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        monthly_supporter(app.test_client(), email="donor@example.org")
    result = app.test_cli_runner().invoke(args=["mail", "send-notices"])
    assert result.output.strip() == "1 e-mail(s) sent."
    assert len(smtp_inbox.messages) == 1
