"""The /v1 wire protocol through the stripe SDK: sessions, customers, errors, idempotency."""

import time

import pytest
import requests
import stripe

from stripe_sandbox import SandboxServer

from .helpers import event_types, session_params
from .helpers import pay as pay_session


def test_payment_session_is_created_open_with_a_hosted_url(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("payment"))

    assert session.id.startswith("cs_test_")
    assert session.url == f"{server.url}/c/pay/{session.id}"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.mode, session.submit_type) == ("payment", "donate")
    assert (session.amount_total, session.currency) == (1000, "usd")
    assert session.metadata.to_dict() == {"pledge_id": "pledge_123"}
    assert session.client_reference_id == "pledge_123"
    assert session.livemode is False


def test_session_expires_in_24_hours_by_default(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("payment"))

    assert session.expires_at - session.created == 24 * 3600


def test_subscription_session_is_created(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("subscription"))

    assert (session.mode, session.amount_total) == ("subscription", 500)
    # A subscription's Checkout says "Donate" too (Stripe allows it since 2024-11-20).
    assert session.submit_type == "donate"
    assert session.subscription is None


def test_session_is_retrieved_and_listed(client: stripe.StripeClient) -> None:
    first = client.v1.checkout.sessions.create(params=session_params("payment"))
    second = client.v1.checkout.sessions.create(params=session_params("subscription"))

    assert client.v1.checkout.sessions.retrieve(first.id).id == first.id
    listed = client.v1.checkout.sessions.list()
    assert [s.id for s in listed.data] == [second.id, first.id]
    assert listed.url == "/v1/checkout/sessions"
    assert listed.has_more is False


def test_session_list_pages_with_limit_and_starting_after(client: stripe.StripeClient) -> None:
    ids = [client.v1.checkout.sessions.create(params=session_params()).id for _ in range(3)]

    page = client.v1.checkout.sessions.list(params={"limit": 2})
    rest = client.v1.checkout.sessions.list(params={"limit": 2, "starting_after": page.data[-1].id})

    assert [s.id for s in page.data] == ids[::-1][:2] and page.has_more
    assert [s.id for s in rest.data] == ids[:1] and not rest.has_more


def test_session_list_filters_by_status_and_created(client: stripe.StripeClient) -> None:
    old = client.v1.checkout.sessions.create(params=session_params())
    client.v1.checkout.sessions.expire(old.id)

    expired = client.v1.checkout.sessions.list(params={"status": "expired"})
    future = client.v1.checkout.sessions.list(params={"created": {"gte": int(time.time()) + 60}})

    assert [s.id for s in expired.data] == [old.id]
    assert future.data == []


def test_expire_closes_an_open_session_and_emits_the_event(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    expired = client.v1.checkout.sessions.expire(session.id)

    assert (expired.status, expired.url) == ("expired", None)
    assert event_types(client) == ["checkout.session.expired"]


def test_expiring_a_closed_session_is_refused(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    client.v1.checkout.sessions.expire(session.id)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.expire(session.id)

    assert raised.value.http_status == 400


def test_unknown_parameter_is_named(client: stripe.StripeClient) -> None:
    params = session_params()
    params["line_items"][0]["price_data"]["tax_mode"] = "inclusive"

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert raised.value.param == "line_items[0][price_data][tax_mode]"
    assert raised.value.code == "parameter_unknown"
    assert "Received unknown parameter" in raised.value.user_message


def test_missing_required_parameter_is_named(client: stripe.StripeClient) -> None:
    params = session_params()
    del params["line_items"][0]["price_data"]["currency"]

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert raised.value.code == "parameter_missing"
    assert raised.value.param == "line_items[0][price_data][currency]"


@pytest.mark.parametrize(
    ("mode", "change", "param"),
    [
        ("subscription", {"customer_creation": "always"}, "customer_creation"),
        ("payment", {"submit_type": "give"}, "submit_type"),
        ("payment", {"mode": "subscription"}, "line_items"),
        (
            "payment",
            {"payment_intent_data": None, "subscription_data": {"description": "x"}},
            "subscription_data",
        ),
        (
            "subscription",
            {"subscription_data": None, "payment_intent_data": {"description": "x"}},
            "payment_intent_data",
        ),
        ("payment", {"customer_email": "not-an-email"}, "customer_email"),
        ("payment", {"locale": "xx"}, "locale"),
        ("payment", {"expires_at": int(time.time()) + 60}, "expires_at"),
    ],
)
def test_invalid_combinations_are_refused_like_stripe(
    client: stripe.StripeClient, mode: str, change: dict[str, object], param: str
) -> None:
    params = {k: v for k, v in {**session_params(mode), **change}.items() if v is not None}

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert raised.value.param == param


def test_recurring_price_is_refused_in_payment_mode(client: stripe.StripeClient) -> None:
    params = session_params("payment")
    params["line_items"][0]["price_data"]["recurring"] = {"interval": "month"}

    with pytest.raises(stripe.InvalidRequestError, match="recurring price"):
        client.v1.checkout.sessions.create(params=params)


@pytest.mark.parametrize(
    ("field", "value"), [("unit_amount", 0), ("unit_amount", -5), ("currency", "USD")]
)
def test_bad_price_data_is_refused(client: stripe.StripeClient, field: str, value: object) -> None:
    params = session_params()
    params["line_items"][0]["price_data"][field] = value

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert raised.value.param == f"line_items[0][price_data][{field}]"


def test_non_integer_amount_is_refused(client: stripe.StripeClient) -> None:
    params = session_params()
    params["line_items"][0]["price_data"]["unit_amount"] = "5.00"

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert raised.value.code == "parameter_invalid_integer"


def test_live_key_is_refused(server: SandboxServer) -> None:
    live = stripe.StripeClient(
        "sk_live_123456789", base_addresses={"api": server.url}, max_network_retries=0
    )

    with pytest.raises(stripe.AuthenticationError) as raised:
        live.v1.checkout.sessions.list()

    assert raised.value.http_status == 401
    assert "123456789" not in raised.value.user_message  # the key is masked


def test_missing_key_is_refused(server: SandboxServer) -> None:
    response = requests.get(f"{server.url}/v1/checkout/sessions", timeout=5)

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_unknown_id_is_resource_missing(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_nope")

    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"
    assert raised.value.user_message == "No such checkout.session: 'cs_test_nope'"


def test_unknown_customer_in_params_is_resource_missing(client: stripe.StripeClient) -> None:
    params = session_params(customer="cus_nope")
    del params["customer_creation"]
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert (raised.value.http_status, raised.value.param) == (400, "customer")


def test_unknown_url_answers_like_stripe(server: SandboxServer) -> None:
    response = requests.get(
        f"{server.url}/v1/nothing", headers={"Authorization": "Bearer sk_test_x"}, timeout=5
    )

    assert response.status_code == 404
    assert "Unrecognized request URL" in response.json()["error"]["message"]


def test_same_idempotency_key_replays_the_response(client: stripe.StripeClient) -> None:
    options = {"idempotency_key": "pledge-123"}
    first = client.v1.checkout.sessions.create(params=session_params(), options=options)
    again = client.v1.checkout.sessions.create(params=session_params(), options=options)

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.checkout.sessions.list().data) == 1


def test_idempotency_key_reused_with_other_params_is_refused(client: stripe.StripeClient) -> None:
    options = {"idempotency_key": "pledge-123"}
    client.v1.checkout.sessions.create(params=session_params(), options=options)

    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(
            params=session_params(client_reference_id="other"), options=options
        )


def test_customer_is_created_and_retrieved(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"email": "reader@example.com", "name": "Anna", "metadata": {"source": "test"}}
    )

    fetched = client.v1.customers.retrieve(customer.id)

    assert customer.id.startswith("cus_")
    assert (fetched.email, fetched.name) == ("reader@example.com", "Anna")
    assert fetched.metadata.to_dict() == {"source": "test"}
    assert event_types(client) == ["customer.created"]


def test_session_for_an_existing_customer(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "reader@example.com"})

    params = session_params(customer=customer.id)
    del params["customer_creation"]
    session = client.v1.checkout.sessions.create(params=params)
    expanded = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["customer"]})

    assert expanded.customer.email == "reader@example.com"


def test_expanding_a_plain_field_is_refused(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["currency"]})


def test_events_are_listed_by_type_with_wildcards(client: stripe.StripeClient) -> None:
    client.v1.customers.create(params={"email": "a@example.com"})
    session = client.v1.checkout.sessions.create(params=session_params())
    client.v1.checkout.sessions.expire(session.id)

    only = client.v1.events.list(params={"type": "checkout.session.*"})
    event = client.v1.events.retrieve(only.data[0].id)

    assert [e.type for e in only.data] == ["checkout.session.expired"]
    assert event.data.object.id == session.id
    assert event.api_version == stripe._api_version._ApiVersion.CURRENT
    assert event.request.id.startswith("req_")


def test_basic_auth_with_the_key_as_user_works_like_curl(server: SandboxServer) -> None:
    response = requests.get(
        f"{server.url}/v1/checkout/sessions", auth=("sk_test_curl", ""), timeout=5
    )

    assert response.status_code == 200


def test_parameters_stripe_accepts_are_accepted_and_recorded(client: stripe.StripeClient) -> None:
    # Once refused by the sandbox, all of them taken by Stripe at the pinned version.
    params = session_params(
        "payment",
        automatic_tax={"enabled": True},
        custom_fields=[
            {"key": "note", "label": {"type": "custom", "custom": "A note"}, "type": "text"}
        ],
        allow_promotion_codes=True,
        billing_address_collection="required",
        phone_number_collection={"enabled": True},
    )
    params["payment_intent_data"]["statement_descriptor_suffix"] = "DONATION"

    session = client.v1.checkout.sessions.create(params=params)

    assert session.customer_creation == "always"
    assert session.automatic_tax.enabled is True and session.automatic_tax.status is None
    assert session.custom_fields[0].key == "note"
    assert session.custom_fields[0].label.custom == "A note"
    assert session.allow_promotion_codes is True
    assert session.billing_address_collection == "required"
    assert session.phone_number_collection.enabled is True


def test_a_stored_price_can_be_named_instead_of_price_data(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    monthly = client.v1.checkout.sessions.create(params=session_params("subscription"))
    pay_session(monthly.url)
    sub = client.v1.subscriptions.retrieve(
        client.v1.checkout.sessions.retrieve(monthly.id).subscription
    )
    price = sub["items"].data[0].price

    params = session_params("subscription")
    params["line_items"] = [{"price": price.id, "quantity": 1}]
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)
    # Checkout's inline prices are archived at once, as Stripe's are.
    assert "inactive" in raised.value.user_message

    params["line_items"] = [{"price": "price_nope", "quantity": 1}]
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)
    assert raised.value.code == "resource_missing"


def test_ui_mode_other_than_hosted_has_a_client_secret_and_no_page(
    client: stripe.StripeClient,
) -> None:
    params = session_params("payment", ui_mode="embedded_page", return_url="http://x.test/done")
    del params["success_url"], params["cancel_url"]

    session = client.v1.checkout.sessions.create(params=params)

    assert (session.ui_mode, session.url) == ("embedded_page", None)
    assert session.client_secret.startswith(session.id)
    assert session.return_url == "http://x.test/done"
