"""Signed events the app cannot read, and events at another API version: kept, refused, said.

A signed event no handler can read (nested past what Python parses, `metadata` that is not a
hash, a `created` no clock reaches) answers 4xx, and is kept as refused when it has an id, so
Stripe's next delivery is a duplicate. An event rendered at another API version than the app
reads is kept and refused with what to change, and staff see it beside its pledge.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, StripeEvent
from donations.payments.stripe_gateway import API_VERSION
from donations.payments.webhooks.outcome import in_words
from donations.platform.extensions import db
from donations.staff import auth
from donations.staff.models import ADMIN
from stripe_sandbox.objects import fixture
from tests.conftest import WEBHOOK_SECRET, csrf_token
from tests.pledges import new_pledge
from tests.stripe_events import checkout_session, event, invoice, post_event, signature_header

OLD_VERSION = "2025-02-24.acacia"  # before 2025-03-31: other invoice and subscription shapes


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post_raw(client, body: bytes, **signing):
    return client.post(
        "/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": signature_header(body, WEBHOOK_SECRET, **signing)},
        content_type="application/json",
    )


# -- malformed but signed -------------------------------------------------------------------


def test_json_nested_100000_deep_is_a_400_and_nothing_is_kept(app, client):
    body = b'{"id": "evt_deep", "object": "event", "data": ' + b"[" * 100_000 + b"]" * 100_000
    body += b"}"

    response = post_raw(client, body)

    assert response.status_code == 400
    assert response.json["error"] == "body is not valid JSON"
    with app.app_context():
        assert count(StripeEvent) == 0


def test_nan_is_not_json(app, client):
    response = post_raw(client, b'{"id": "evt_nan", "object": "event", "created": NaN}')

    assert response.status_code == 400
    with app.app_context():
        assert count(StripeEvent) == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"created": 1e20}, "created is not a Unix time"),
        ({"created": 10**20}, "created 100000000000000000000 is not a time that can be stored"),
        ({"created": "yesterday"}, "created is not a Unix time"),
        ({"data": {"object": "cs_1"}}, "data.object is not an object"),
        ({"type": ["checkout.session.completed"]}, "its type is not a Stripe event type"),
    ],
)
def test_a_signed_event_no_handler_can_read_is_kept_as_refused(app, client, change, reason):
    with app.app_context():
        evt = event(
            "checkout.session.completed",
            checkout_session(pledge_id="pl_1", mode="payment", amount=500),
        )
        evt.update(change)

        response = post_event(client, evt, WEBHOOK_SECRET)

        assert response.status_code == 400
        assert response.json["outcome"] == "refused"
        assert reason in response.json["error"]
        stored = db.session.get(StripeEvent, evt["id"])
        assert stored.outcome == "refused"
        assert stored.details == [{"kind": "malformed", "event_type": stored.type, "error": reason}]
        # Stripe's next delivery of it finds it kept, so Stripe stops there.
        again = post_event(client, evt, WEBHOOK_SECRET)
        assert (again.status_code, again.json["outcome"]) == (200, "duplicate")


def test_metadata_that_is_not_a_hash_is_refused_and_changes_nothing(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000)
        session["metadata"] = "pledge_id=" + pledge.public_id
        evt = event("checkout.session.completed", session)

        response = post_event(client, evt, WEBHOOK_SECRET)

        assert response.status_code == 400
        assert "data.object.metadata is not a hash of strings" in response.json["error"]
        db.session.refresh(pledge)
        assert pledge.status == PledgeStatus.PENDING
        assert count(Payment) == 0


def test_nested_metadata_is_checked_too(app, client):
    with app.app_context():
        inv = invoice(subscription_id="sub_1", pledge_id="pl_1", amount=500)
        inv["parent"]["subscription_details"]["metadata"] = ["pl_1"]

        response = post_event(client, event("invoice.paid", inv), WEBHOOK_SECRET)

        assert response.status_code == 400
        assert "parent.subscription_details.metadata is not a hash" in response.json["error"]


# -- signature times ---------------------------------------------------------------------------


def test_a_signature_from_the_future_is_refused(app, client):
    with app.app_context():
        evt = event("customer.created", {"id": "cus_1", "object": "customer"})

        response = post_event(client, evt, WEBHOOK_SECRET, timestamp=int(time.time()) + 301)

        assert response.status_code == 400
        assert response.json["error"] == "signature timestamp in the future"
        assert count(StripeEvent) == 0


def test_a_clock_a_little_ahead_is_tolerated(app, client):
    with app.app_context():
        evt = event("customer.created", {"id": "cus_1", "object": "customer"})

        response = post_event(client, evt, WEBHOOK_SECRET, timestamp=int(time.time()) + 60)

        assert response.status_code == 200


# -- API versions ------------------------------------------------------------------------------


def test_an_event_at_the_pinned_version_is_applied_and_its_version_kept(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        evt = event(
            "checkout.session.completed",
            checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000),
        )
        assert evt["api_version"] == API_VERSION

        assert post_event(client, evt, WEBHOOK_SECRET).json["outcome"] == "applied"
        assert db.session.get(StripeEvent, evt["id"]).api_version == API_VERSION


def old_renewal(subscription_id: str, pledge_id: str) -> dict:
    """`invoice.paid` for a renewal as Stripe renders it before 2025-03-31: Stripe's own sample
    invoice, which names its subscription at the top and has no `parent`."""
    inv = fixture("invoice")
    inv.update(
        id="in_old_shape",
        subscription=subscription_id,
        billing_reason="subscription_cycle",
        amount_paid=500,
        currency="usd",
        status="paid",
        subscription_details={"metadata": {"pledge_id": pledge_id}},
    )
    inv.pop("parent", None)
    evt = event("invoice.paid", inv)
    evt["api_version"] = OLD_VERSION
    return evt


def test_an_event_at_another_version_is_kept_refused_and_says_what_to_set(app, client):
    with app.app_context():
        pledge = new_pledge("monthly", 500)
        pledge.subscription_id = "sub_old"
        pledge.status = PledgeStatus.ACTIVE
        db.session.commit()
        evt = old_renewal("sub_old", pledge.public_id)

        response = post_event(client, evt, WEBHOOK_SECRET)

        # Answered 200: a redelivery would be refused the same way.
        assert (response.status_code, response.json["outcome"]) == (200, "refused")
        stored = db.session.get(StripeEvent, evt["id"])
        assert stored.api_version == OLD_VERSION
        assert stored.pledge_id == pledge.id  # shown beside the pledge it names
        assert stored.details == [
            {"kind": "api_version", "received": OLD_VERSION, "pinned": API_VERSION}
        ]
        assert in_words(stored.details) == (
            f"endpoint API version {OLD_VERSION}; this app reads {API_VERSION}; "
            f"set the endpoint's version to {API_VERSION}"
        )
        assert count(Payment) == 0


def test_a_refused_version_stays_refused_when_replayed(app, client, runner):
    with app.app_context():
        evt = old_renewal("sub_old", "pl_unknown")
        post_event(client, evt, WEBHOOK_SECRET)

    result = runner.invoke(args=["stripe", "replay", evt["id"]])

    assert result.exit_code == 0
    assert f"refused: endpoint API version {OLD_VERSION}" in result.output


def test_an_event_without_a_version_is_refused(app, client):
    with app.app_context():
        pledge = new_pledge("once", 1000)
        evt = event(
            "checkout.session.completed",
            checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1000),
        )
        evt["api_version"] = None

        assert post_event(client, evt, WEBHOOK_SECRET).json["outcome"] == "refused"
        assert db.session.get(StripeEvent, evt["id"]).details[0]["received"] == "unknown"


def test_staff_see_the_refusal_and_the_version_on_the_pledge(app, client):
    with app.app_context():
        pledge = new_pledge("monthly", 500)
        pledge.subscription_id = "sub_old"
        db.session.commit()
        public_id = pledge.public_id
        post_event(client, old_renewal("sub_old", public_id), WEBHOOK_SECRET)
        auth.create_staff("desk@newsroom.example", ADMIN, "a long enough passphrase")
    token = csrf_token(client, "/staff/login")
    client.post(
        "/staff/login",
        data={
            "csrf_token": token,
            "email": "desk@newsroom.example",
            "password": "a long enough passphrase",
        },
    )

    page = client.get(f"/staff/pledges/{public_id}").get_data(as_text=True)

    assert f"API {OLD_VERSION}" in page
    assert f"set the endpoint&#39;s version to {API_VERSION}" in page
