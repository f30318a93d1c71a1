"""The contract checker's self-test: it fails on what Stripe would refuse or never send."""

from __future__ import annotations

import copy
import json
from urllib.parse import urlencode

from stripe._encode import _api_encode

from stripe_sandbox.objects import fixture
from tests.contract import stripe_contract

SESSIONS = "http://127.0.0.1:12111/v1/checkout/sessions"
GOOD = {
    "mode": "payment",
    "customer_creation": "always",
    "submit_type": "donate",
    "line_items": [
        {
            "price_data": {
                "currency": "usd",
                "unit_amount": 500,
                "product_data": {"name": "Support"},
            },
            "quantity": 1,
        }
    ],
    "metadata": {"pledge_id": "pl_1"},
    "expand": ["payment_intent"],
}


def encoded(params: dict) -> str:
    """The form body stripe-python sends for these parameters."""
    return urlencode(list(_api_encode(params)))


def problems(params: dict) -> list[str]:
    operation, found = stripe_contract.check_request("POST", SESSIONS, encoded(params))
    assert operation == "POST /v1/checkout/sessions"
    return found


def test_a_request_as_the_app_sends_it_passes() -> None:
    assert problems(GOOD) == []


def test_an_unknown_parameter_fails() -> None:
    params = copy.deepcopy(GOOD)
    params["line_items"][0]["price_data"]["tax_mode"] = "inclusive"

    assert problems(params) == [
        "POST /v1/checkout/sessions: unknown parameter line_items[0][price_data][tax_mode]"
    ]


def test_a_bad_enum_fails() -> None:
    assert problems({**GOOD, "submit_type": "give"}) == [
        "POST /v1/checkout/sessions: submit_type: 'give' is not one of "
        "['auto', 'book', 'donate', 'pay', 'subscribe']"
    ]


def test_a_missing_required_field_fails() -> None:
    params = copy.deepcopy(GOOD)
    del params["line_items"][0]["price_data"]["currency"]

    assert problems(params) == [
        "POST /v1/checkout/sessions: missing required parameter line_items[0][price_data][currency]"
    ]


def test_a_wrong_type_fails() -> None:
    params = copy.deepcopy(GOOD)
    params["line_items"][0]["quantity"] = "one"

    assert problems(params) == [
        "POST /v1/checkout/sessions: line_items[0][quantity]: 'one' is not a number"
    ]


def test_a_query_is_checked_like_a_body() -> None:
    url = "http://127.0.0.1:12111/v1/invoice_payments?" + encoded(
        {"payment": {"type": "charge", "payment_intent": "pi_1"}}
    )

    operation, found = stripe_contract.check_request("GET", url, None)

    assert operation == "GET /v1/invoice_payments"
    assert found == [
        "GET /v1/invoice_payments: payment[type]: 'charge' is not one of "
        "['payment_intent', 'payment_record']"
    ]


def test_an_operation_stripe_does_not_publish_fails() -> None:
    operation, found = stripe_contract.check_request("POST", "http://x/v1/donations", "a=1")

    assert operation is None
    assert found == ["POST /v1/donations: not a published operation"]


def test_a_path_parameter_matches_the_operation() -> None:
    assert (
        stripe_contract.operation_for("POST", "/v1/checkout/sessions/cs_test_1/expire")
        == "POST /v1/checkout/sessions/{id}/expire"
    )
    assert stripe_contract.operation_for("GET", "/v1/charges/ch_1") == "GET /v1/charges/{id}"


def session_problems(session: dict) -> list[str]:
    return stripe_contract.check_object(
        session, stripe_contract.object_type(session), "checkout.session"
    )


def good_session() -> dict:
    session = fixture("checkout.session")
    session["allowed_payment_method_types"] = None
    assert session_problems(session) == []
    return session


def test_an_object_field_stripe_does_not_have_fails() -> None:
    session = {**good_session(), "loyalty_points": 3}

    assert session_problems(session) == ["checkout.session.loyalty_points: not a published field"]


def test_an_object_without_a_field_stripe_always_sends_fails() -> None:
    session = good_session()
    del session["payment_method_collection"]

    assert session_problems(session) == [
        "checkout.session.payment_method_collection: missing (Stripe always sends it)"
    ]


def test_an_object_enum_outside_the_published_values_fails() -> None:
    session = {**good_session(), "ui_mode": "hosted"}

    assert session_problems(session) == [
        "checkout.session.ui_mode: 'hosted' is not one of "
        "['elements', 'embedded_page', 'form', 'hosted_page']"
    ]


def test_a_null_where_stripe_never_sends_one_fails() -> None:
    session = {**good_session(), "livemode": None}

    assert session_problems(session) == [
        "checkout.session.livemode: null, which Stripe never sends here"
    ]


def test_an_expanded_object_is_checked_as_its_own_type() -> None:
    customer = fixture("customer")
    customer["favourite_colour"] = "blue"
    session = {**good_session(), "customer": customer}

    assert "checkout.session.customer.favourite_colour: not a published field" in (
        session_problems(session)
    )


def test_an_event_is_checked_by_its_type() -> None:
    session = good_session()
    event = fixture("event")
    event.update(type="checkout.session.completed", data={"object": session})
    assert stripe_contract.check_event(json.loads(json.dumps(event))) == []

    session["status"] = "finished"
    assert stripe_contract.check_event(event) == [
        "checkout.session.completed.object.status: 'finished' is not one of "
        "['complete', 'expired', 'open']"
    ]
