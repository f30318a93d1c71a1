"""Fidelity: every object the sandbox returns is what Stripe publishes for its type (every field
Stripe always sends, no other, values of the published types and enums, expanded objects and
list items included) and parses with the SDK."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe
from stripe._object_classes import get_object_class

from stripe_sandbox import SandboxServer
from tests.contract import stripe_contract

from .helpers import SAMPLES, pay, session_params

SHARED_FIXTURES = Path("/work/shared/stripe/fixtures3.json")
AUTH = {"Authorization": "Bearer sk_test_fidelity"}


def _get(server: SandboxServer, path: str, **params: Any) -> dict[str, Any]:
    response = requests.get(f"{server.url}{path}", params=params, headers=AUTH, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def _every_kind_of_object(
    client: stripe.StripeClient, server: SandboxServer
) -> Iterator[dict[str, Any]]:
    """Drive every flow once, then yield each object the API and the events hold."""
    one_off = client.v1.checkout.sessions.create(params=session_params("payment"))
    pay(one_off.url, "4000 0000 0000 0002")
    pay(one_off.url)
    monthly = client.v1.checkout.sessions.create(params=session_params("subscription"))
    pay(monthly.url, "4000 0000 0000 0341")
    client.v1.checkout.sessions.expire(
        client.v1.checkout.sessions.create(params=session_params()).id
    )
    intent_id = client.v1.checkout.sessions.retrieve(one_off.id).payment_intent
    charge_id = client.v1.payment_intents.retrieve(intent_id).latest_charge
    refund = client.v1.refunds.create(params={"charge": charge_id, "amount": 100})
    requests.post(f"{server.url}/_sandbox/charges/{charge_id}/dispute", timeout=5)
    sub_id = client.v1.checkout.sessions.retrieve(monthly.id).subscription
    first_invoice = client.v1.checkout.sessions.retrieve(monthly.id).invoice
    invoice_payment = client.v1.invoice_payments.list(params={"invoice": first_invoice}).data[0]
    customer_id = client.v1.subscriptions.retrieve(sub_id).customer
    requests.post(f"{server.url}/_sandbox/clock/advance", data={"days": 31}, timeout=5)
    portal = client.v1.billing_portal.sessions.create(params={"customer": customer_id})

    expand_session = ["subscription", "invoice", "payment_intent", "customer"]
    yield _get(server, f"/v1/checkout/sessions/{monthly.id}", **{"expand[]": expand_session})
    yield _get(server, f"/v1/checkout/sessions/{one_off.id}", **{"expand[]": expand_session})
    yield _get(server, "/v1/checkout/sessions", limit=100)
    yield _get(
        server,
        f"/v1/subscriptions/{sub_id}",
        **{"expand[]": ["items.data.price.product", "default_payment_method", "latest_invoice"]},
    )
    yield _get(server, "/v1/invoices", subscription=sub_id)
    yield _get(server, "/v1/invoice_payments", invoice=first_invoice)
    yield _get(
        server,
        f"/v1/invoice_payments/{invoice_payment.id}",
        **{"expand[]": ["invoice", "payment.payment_intent"]},
    )
    yield _get(
        server,
        f"/v1/payment_intents/{intent_id}",
        **{"expand[]": ["payment_method", "latest_charge"]},
    )
    yield _get(server, f"/v1/charges/{charge_id}")
    yield _get(server, f"/v1/refunds/{refund.id}")
    yield _get(server, f"/v1/customers/{customer_id}")
    yield portal.to_dict(recursive=True)
    yield _get(server, "/v1/events", limit=100)


@pytest.fixture
def returned(client: stripe.StripeClient, server: SandboxServer) -> list[dict[str, Any]]:
    return list(_every_kind_of_object(client, server))


def _kind(value: dict[str, Any]) -> str | None:
    """The `object` field when it names a type (an event's `data` has an `object` hash)."""
    kind = value.get("object")
    return kind if isinstance(kind, str) else None


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every Stripe object nested anywhere in a response."""
    if isinstance(value, dict):
        if _kind(value) in SAMPLES:
            yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def assert_published_shape(obj: dict[str, Any]) -> None:
    spec = stripe_contract.object_type(obj)
    assert spec is not None, f"{obj['object']} is not a published object"
    problems = stripe_contract.check_object(obj, spec, obj["object"])
    assert not problems, "\n".join(problems)


def test_every_returned_object_is_of_its_published_type(returned: list[dict[str, Any]]) -> None:
    kinds = set()
    for response in returned:
        for obj in _walk(response):
            assert_published_shape(obj)
            kinds.add(obj["object"])

    assert kinds >= {
        "billing_portal.session",
        "charge",
        "checkout.session",
        "customer",
        "dispute",
        "event",
        "invoice",
        "invoice_payment",
        "line_item",
        "payment_intent",
        "payment_method",
        "price",
        "product",
        "refund",
        "subscription",
        "subscription_item",
    }


def test_every_returned_object_is_known_to_the_sdk(returned: list[dict[str, Any]]) -> None:
    for response in returned:
        for obj in _walk(response):
            cls = get_object_class("V1", obj["object"])
            known = set().union(*(getattr(c, "__annotations__", {}) for c in cls.__mro__))
            assert cls is not stripe.StripeObject, obj["object"]
            assert set(obj) <= known, (obj["object"], sorted(set(obj) - known))
            parsed = stripe.StripeObject.construct_from(obj, "sk_test_x")
            assert parsed["id"] == obj["id"]


def test_every_event_parses_as_an_sdk_event(returned: list[dict[str, Any]]) -> None:
    events = returned[-1]["data"]
    assert events

    for raw in events:
        event = stripe.Event.construct_from(raw, "sk_test_x")
        assert event.data.object.id == raw["data"]["object"]["id"]


def test_packaged_samples_are_stripes_unchanged() -> None:
    if not SHARED_FIXTURES.exists():
        pytest.skip("the shared copy of Stripe's fixtures3.json is not on this machine")
    shared = json.loads(SHARED_FIXTURES.read_text())["resources"]

    for kind, sample in SAMPLES.items():
        assert sample == shared[kind], kind


def test_shape_check_catches_an_invented_field() -> None:
    invented = {**SAMPLES["customer"], "loyalty_points": 3}

    with pytest.raises(AssertionError, match="loyalty_points"):
        assert_published_shape(invented)


def test_shape_check_looks_inside_nested_objects() -> None:
    sub = json.loads(json.dumps(SAMPLES["subscription"]))
    sub["items"]["data"][0]["price"]["colour"] = "blue"

    with pytest.raises(AssertionError, match="colour"):
        assert_published_shape(sub)


def test_stripes_own_samples_lag_behind_the_pinned_version() -> None:
    # Why the samples alone cannot be the measure: fields the pinned version always sends
    # are missing from them (the builders add these).
    problems = stripe_contract.check_object(
        SAMPLES["checkout.session"], stripe_contract.object_type({"object": "checkout.session"})
    )
    assert any("allowed_payment_method_types: missing" in p for p in problems)
