"""The webhook: only Stripe's signed events count, each once, in any order."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge, StripeEvent
from donations.payments.webhooks.handlers import on_checkout_session_completed
from donations.payments.webhooks.outcome import describe, in_words
from donations.platform.extensions import db
from tests.conftest import WEBHOOK_SECRET
from tests.pledges import new_pledge as make_pledge
from tests.stripe_events import (
    checkout_session,
    event,
    invoice,
    payment_intent,
    post_event,
    signature_header,
)


def new_pledge(frequency: str = "once", amount: int = 1000) -> Pledge:
    return make_pledge(
        frequency,
        amount,
        article="russia-to-build-drone-factory-in-belarus",
        placement="article-end",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_completed_one_off_checkout_marks_pledge_paid_and_records_payment(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        response = post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
        assert response.status_code == 200
        assert response.json["outcome"] == "applied"
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.PAID
        assert pledge.email == "reader@example.org"
        assert pledge.payment_intent_id == session["payment_intent"]
        [payment] = pledge.payments
        assert (payment.amount, payment.currency) == (1000, "usd")
        assert payment.stripe_payment_intent_id == session["payment_intent"]


def test_paid_checkout_writes_its_pledge_once_and_its_payment_in_one_statement(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        statements: list[str] = []

        def note(connection, cursor, statement, *args) -> None:
            statements.append(statement)

        sql_event.listen(db.engine, "before_cursor_execute", note)
        try:
            post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", note)
        assert sum(s.startswith("UPDATE pledge ") for s in statements) == 1
        assert sum(s.startswith("INSERT INTO payment ") for s in statements) == 1
        assert not [s for s in statements if s.startswith("SELECT") and "FROM payment" in s]
        db.session.refresh(pledge)
        assert (pledge.status, pledge.email) == (PledgeStatus.PAID, "reader@example.org")


def test_a_payment_is_named_as_recorded_the_first_time_only(app):
    """What `stripe reconcile` reports: a second run finds the payment stored."""
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        evt = event("checkout.session.completed", session)
        first = on_checkout_session_completed(session, evt)
        db.session.commit()
        again = on_checkout_session_completed(session, evt)
        db.session.commit()
        [recorded] = first.payments_recorded()
        assert (recorded["amount"], recorded["currency"]) == (1000, "usd")
        assert describe(recorded).startswith("payment of $10 recorded")
        assert again.payments_recorded() == []
        assert count(Payment) == 1


def test_duplicate_event_is_ignored(app, client):
    with app.app_context():
        pledge = new_pledge("once", 2500)
        evt = event(
            "checkout.session.completed",
            checkout_session(pledge_id=pledge.public_id, mode="payment", amount=2500),
        )
        assert post_event(client, evt, WEBHOOK_SECRET).json["outcome"] == "applied"
        again = post_event(client, evt, WEBHOOK_SECRET)
        assert again.status_code == 200
        assert again.json["outcome"] == "duplicate"
        assert count(Payment) == 1
        assert count(StripeEvent) == 1


def test_subscription_checkout_and_its_first_invoice_count_once(app, client):
    with app.app_context():
        pledge = new_pledge("monthly", 500)
        session = checkout_session(pledge_id=pledge.public_id, mode="subscription", amount=500)
        first_invoice = invoice(
            subscription_id=session["subscription"],
            pledge_id=pledge.public_id,
            amount=500,
            invoice_id=session["invoice"],
        )
        post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
        post_event(client, event("invoice.paid", first_invoice), WEBHOOK_SECRET)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.ACTIVE
        assert pledge.subscription_id == session["subscription"]
        assert [p.stripe_invoice_id for p in pledge.payments] == [session["invoice"]]


def test_invoice_paid_before_checkout_completed_counts_once(app, client):
    with app.app_context():
        pledge = new_pledge("annual", 5000)
        session = checkout_session(pledge_id=pledge.public_id, mode="subscription", amount=5000)
        first_invoice = invoice(
            subscription_id=session["subscription"],
            pledge_id=pledge.public_id,
            amount=5000,
            invoice_id=session["invoice"],
        )
        post_event(client, event("invoice.paid", first_invoice), WEBHOOK_SECRET)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.ACTIVE
        post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.ACTIVE
        assert count(Payment) == 1
        assert pledge.checkout_session_id == session["id"]


def test_renewal_invoice_found_by_subscription_id_records_a_second_payment(app, client):
    with app.app_context():
        pledge = new_pledge("monthly", 500)
        session = checkout_session(pledge_id=pledge.public_id, mode="subscription", amount=500)
        post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
        renewal = invoice(
            subscription_id=session["subscription"],
            pledge_id=None,  # matched by the subscription id stored from the session
            amount=500,
            billing_reason="subscription_cycle",
        )
        assert post_event(client, event("invoice.paid", renewal), WEBHOOK_SECRET).json == {
            "received": True,
            "outcome": "applied",
        }
        assert count(Payment) == 2


@pytest.mark.parametrize(
    "event_type, obj",
    [
        (
            "checkout.session.completed",
            checkout_session(pledge_id=None, mode="payment", amount=3000),
        ),
        ("invoice.paid", invoice(subscription_id="sub_unknown", pledge_id=None, amount=2000)),
    ],
)
def test_event_for_unknown_object_is_stored_as_unmatched(app, client, event_type, obj):
    with app.app_context():
        evt = event(event_type, obj)
        response = post_event(client, evt, WEBHOOK_SECRET)
        assert response.status_code == 200
        stored = db.session.get(StripeEvent, evt["id"])
        assert stored.outcome == "unmatched"
        assert stored.payload == evt
        assert count(Payment) == 0


def test_event_we_do_not_act_on_is_stored_as_ignored(app, client):
    with app.app_context():
        evt = event("customer.created", {"id": "cus_123", "object": "customer"})
        assert post_event(client, evt, WEBHOOK_SECRET).json["outcome"] == "ignored"
        assert db.session.get(StripeEvent, evt["id"]).type == "customer.created"


def test_malformed_event_of_a_known_type_is_kept_as_refused(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        del session["amount_total"]
        evt = event("checkout.session.completed", session)
        response = post_event(client, evt, WEBHOOK_SECRET)
        # Kept, and answered 4xx; Stripe's next delivery of it is a duplicate.
        assert response.status_code == 400
        stored = db.session.get(StripeEvent, evt["id"])
        assert stored.outcome == "refused"
        [refused] = stored.details
        assert refused["kind"] == "malformed" and "amount_total" in refused["error"]
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.PENDING
        assert count(Payment) == 0


def test_forged_signature_is_rejected_and_nothing_stored(app, client):
    with app.app_context():
        evt = event("customer.created", {"id": "cus_1", "object": "customer"})
        response = post_event(client, evt, "whsec_not_the_right_secret")
        assert response.status_code == 400
        assert response.json["error"] == "signature does not match"
        assert count(StripeEvent) == 0


def test_stale_signature_is_rejected(app, client):
    with app.app_context():
        evt = event("customer.created", {"id": "cus_1", "object": "customer"})
        response = post_event(client, evt, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
        assert response.status_code == 400
        assert response.json["error"] == "signature timestamp too old"
        assert count(StripeEvent) == 0


@pytest.mark.parametrize(
    "headers, reason",
    [
        ({}, "missing Stripe-Signature header"),
        ({"Stripe-Signature": "nonsense"}, "malformed Stripe-Signature header"),
    ],
)
def test_missing_or_garbled_signature_header_is_rejected(client, headers, reason):
    response = client.post("/stripe/webhook", data=b"{}", headers=headers)
    assert response.status_code == 400
    assert response.json["error"] == reason


@pytest.mark.parametrize(
    "payload, reason",
    [
        (b"{not json", "body is not valid JSON"),
        (b'{"object": "charge", "id": "ch_1"}', "body is not a Stripe event"),
        (b'[{"object": "event", "id": "evt_1"}]', "body is not a Stripe event"),
        (b"\xff\xfe", "body is not UTF-8"),
    ],
)
def test_signed_but_unreadable_body_is_rejected(app, client, payload, reason):
    response = client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": signature_header(payload, WEBHOOK_SECRET)},
    )
    assert response.status_code == 400
    assert response.json["error"] == reason
    with app.app_context():
        assert count(StripeEvent) == 0


def test_webhook_needs_no_csrf_token_but_get_is_not_allowed(client):
    assert client.get("/stripe/webhook").status_code == 405


def test_older_event_cannot_undo_a_newer_status(app, client):
    with app.app_context():
        pledge = new_pledge("monthly", 500)
        session = checkout_session(pledge_id=pledge.public_id, mode="subscription", amount=500)
        now = int(time.time())
        post_event(
            client, event("checkout.session.completed", session, created=now), WEBHOOK_SECRET
        )
        pledge.move_to(PledgeStatus.PAST_DUE)
        pledge.status_event_at = pledge.status_changed_at
        db.session.commit()
        late_invoice = invoice(
            subscription_id=session["subscription"], pledge_id=pledge.public_id, amount=500
        )
        post_event(client, event("invoice.paid", late_invoice, created=now - 3600), WEBHOOK_SECRET)
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.PAST_DUE
        stored = db.session.scalars(select(StripeEvent).where(StripeEvent.type == "invoice.paid"))
        assert "older than the last change" in in_words(next(iter(stored)).details)


def test_event_body_is_stored_verbatim(app, client):
    with app.app_context():
        evt = event("customer.created", {"id": "cus_9", "object": "customer", "email": "é@x.org"})
        post_event(client, evt, WEBHOOK_SECRET)
        assert json.dumps(db.session.get(StripeEvent, evt["id"]).payload, sort_keys=True) == (
            json.dumps(evt, sort_keys=True)
        )


@pytest.mark.parametrize("intent_first", [False, True], ids=["session-first", "intent-first"])
def test_a_one_off_gifts_saved_card_is_kept_in_either_order(app, client, intent_first):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        intent = payment_intent(
            intent_id=session["payment_intent"],
            customer=session["customer"],
            pledge_id=pledge.public_id,
        )
        events = [
            event("checkout.session.completed", session),
            event("payment_intent.succeeded", intent),
        ]
        for evt in reversed(events) if intent_first else events:
            assert post_event(client, evt, WEBHOOK_SECRET).json["outcome"] == "applied"
        db.session.refresh(pledge)
        assert pledge.reusable_card_id == intent["payment_method"]
        assert pledge.status == PledgeStatus.PAID


def test_a_card_not_saved_for_later_is_not_kept(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
        intent = payment_intent(
            intent_id=session["payment_intent"],
            customer=session["customer"],
            pledge_id=pledge.public_id,
            saved=False,
        )
        answer = post_event(client, event("payment_intent.succeeded", intent), WEBHOOK_SECRET)
        assert answer.json["outcome"] == "applied"
        db.session.refresh(pledge)
        assert pledge.reusable_card_id is None


def test_a_subscription_invoices_payment_intent_is_not_a_gifts(app, client):
    with app.app_context():
        intent = payment_intent(intent_id="pi_renewal", customer="cus_x", pledge_id=None)
        answer = post_event(client, event("payment_intent.succeeded", intent), WEBHOOK_SECRET)
        assert answer.json["outcome"] == "ignored"
