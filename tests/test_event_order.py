"""Stripe delivers late, twice and out of order: every order ends in the same pledge."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge, StripeEvent
from donations.platform.extensions import db
from tests.conftest import WEBHOOK_SECRET
from tests.pledges import new_pledge
from tests.stripe_events import (
    charge,
    checkout_session,
    event,
    invoice,
    invoice_payment,
    post_event,
    stripe_id,
    subscription,
)


def monthly_pledge() -> Pledge:
    return new_pledge("monthly", 500)


def checkout_and_invoice(*, names_pledge: bool = True, first: bool = False) -> list[dict]:
    """A new monthly pledge's completed checkout, and a paid invoice of its subscription: the
    first one (the checkout's own) or a renewal, naming the pledge or only the subscription."""
    pledge = monthly_pledge()
    session = checkout_session(pledge_id=pledge.public_id, mode="subscription", amount=500)
    bill = invoice(
        subscription_id=session["subscription"],
        pledge_id=pledge.public_id if names_pledge else None,
        amount=500,
        invoice_id=session["invoice"] if first else None,
        billing_reason="subscription_create" if first else "subscription_cycle",
    )
    return [event("checkout.session.completed", session), event("invoice.paid", bill)]


def life_of_a_monthly_pledge(pledge_id: str) -> list[dict]:
    """Completed, two renewals, a failure and its recovery, an upgrade, cancellation, a refund."""
    t = int(time.time()) - 1000
    first_intent = stripe_id("pi_")
    session = checkout_session(pledge_id=pledge_id, mode="subscription", amount=500)
    sub_id = session["subscription"]

    def renewal(amount: int = 500) -> dict:
        return invoice(
            subscription_id=sub_id,
            pledge_id=pledge_id,
            amount=amount,
            billing_reason="subscription_cycle",
        )

    first, second, third = renewal(), renewal(), renewal(1000)
    failed = {**third, "status": "open", "amount_paid": 0, "attempt_count": 1}
    upgraded = subscription(subscription_id=sub_id, pledge_id=pledge_id, amount=1000)
    deleted = {**upgraded, "status": "canceled"}
    return [
        event("checkout.session.completed", session, created=t),
        event("invoice.paid", first, created=t + 100),
        event(
            "invoice_payment.paid",
            invoice_payment(invoice_id=first["id"], payment_intent=first_intent, amount=500),
            created=t + 101,
        ),
        event("invoice.paid", second, created=t + 200),
        event("customer.subscription.updated", upgraded, created=t + 250),
        event("invoice.payment_failed", failed, created=t + 300),
        event("invoice.paid", third, created=t + 400),
        event("customer.subscription.deleted", deleted, created=t + 500),
        event(
            "charge.refunded",
            charge(payment_intent=first_intent, amount=500, amount_refunded=200),
            created=t + 600,
        ),
    ]


def final_state(public_id: str) -> tuple:
    pledge = db.session.scalar(select(Pledge).where(Pledge.public_id == public_id))
    db.session.refresh(pledge)
    payments = sorted(
        (p.stripe_invoice_id, p.amount, p.refunded_amount, p.stripe_payment_intent_id)
        for p in pledge.payments
    )
    return pledge.status, pledge.amount, pledge.cancel_at_period_end, payments


def deliver_all(client, events: list[dict]) -> None:
    for evt in events:
        assert post_event(client, evt, WEBHOOK_SECRET).status_code == 200


def test_in_order_delivery_ends_canceled_with_four_payments_and_a_refund(app, client):
    with app.app_context():
        pledge = monthly_pledge()
        deliver_all(client, life_of_a_monthly_pledge(pledge.public_id))
        status, amount, _, payments = final_state(pledge.public_id)
        assert status == PledgeStatus.CANCELED
        assert amount == 1000
        assert sorted((p[1], p[2]) for p in payments) == [(500, 0), (500, 0), (500, 200), (1000, 0)]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_order_and_any_duplication_ends_the_same(app, client, data):
    with app.app_context():
        reference = monthly_pledge()
        deliver_all(client, life_of_a_monthly_pledge(reference.public_id))
        expected = final_state(reference.public_id)

        pledge = monthly_pledge()
        events = life_of_a_monthly_pledge(pledge.public_id)
        repeats = data.draw(st.lists(st.sampled_from(events), max_size=6), label="duplicates")
        shuffled = data.draw(st.permutations(events + repeats), label="delivery order")
        deliver_all(client, shuffled)
        got = final_state(pledge.public_id)
        # Stripe ids differ between the two runs; compare everything else.
        assert got[:3] == expected[:3]
        assert sorted(p[1:3] for p in got[3]) == sorted(p[1:3] for p in expected[3])


@pytest.fixture
def on_postgresql(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "row locks and concurrent commits are PostgreSQL's; `make test` runs this there"
        )


@pytest.mark.postgres
def test_the_same_event_from_eight_threads_applies_once(app):
    with app.app_context():
        pledge = monthly_pledge()
        session = checkout_session(pledge_id=pledge.public_id, mode="subscription", amount=500)
        evt = event("checkout.session.completed", session)
    results = run_concurrently(app, [evt] * 8)
    with app.app_context():
        assert sorted(results).count(200) == 8
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1


@pytest.mark.postgres
def test_two_events_for_one_pledge_at_once_both_apply(app):
    with app.app_context():
        events = checkout_and_invoice()
    run_concurrently(app, events * 4)
    with app.app_context():
        pledge = db.session.scalar(select(Pledge))
        assert pledge.status == PledgeStatus.ACTIVE
        assert len(pledge.payments) == 2
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2


@pytest.mark.postgres
def test_checkout_and_its_first_invoice_at_once_count_one_payment(app):
    with app.app_context():
        events = checkout_and_invoice(first=True)
    run_concurrently(app, events * 4)
    with app.app_context():
        pledge = db.session.scalar(select(Pledge))
        assert pledge.status == PledgeStatus.ACTIVE
        first_invoice = events[0]["data"]["object"]["invoice"]
        assert [p.stripe_invoice_id for p in pledge.payments] == [first_invoice]
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2


@pytest.mark.postgres
@pytest.mark.parametrize("first", ["checkout", "invoice"])
def test_an_invoice_racing_its_checkout_is_never_left_waiting(app, first):
    """A renewal's invoice that names no pledge is found by the subscription id its checkout
    brings. Whichever of the two looks first and commits last, the invoice ends applied."""
    with app.app_context():
        checkout, renewal = checkout_and_invoice(names_pledge=False)
        events = {"checkout": checkout, "invoice": renewal}
    second = "invoice" if first == "checkout" else "checkout"
    looked, other_done = threading.Event(), threading.Event()

    def hold_first_commit(_session) -> None:
        # The first event has looked for what it needs; it commits once the second is done.
        if threading.current_thread().name == first and not looked.is_set():
            looked.set()
            other_done.wait(10)

    def deliver(name: str) -> None:
        assert post_event(app.test_client(), events[name], WEBHOOK_SECRET).status_code == 200

    sqlalchemy.event.listen(db.session, "before_commit", hold_first_commit)
    try:
        first_delivery = threading.Thread(target=deliver, args=(first,), name=first)
        first_delivery.start()
        assert looked.wait(10)
        deliver(second)
        other_done.set()
        first_delivery.join(10)
    finally:
        other_done.set()
        sqlalchemy.event.remove(db.session, "before_commit", hold_first_commit)
    with app.app_context():
        outcomes = dict(db.session.execute(select(StripeEvent.type, StripeEvent.outcome)).all())
        assert outcomes == {"checkout.session.completed": "applied", "invoice.paid": "applied"}
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 2


def run_concurrently(app, events: list[dict]) -> list[int]:
    """POST each event from its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(events))
    statuses: list[int] = []

    def deliver(evt: dict) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(post_event(client, evt, WEBHOOK_SECRET).status_code)

    threads = [threading.Thread(target=deliver, args=(evt,)) for evt in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
