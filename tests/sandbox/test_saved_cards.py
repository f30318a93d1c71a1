"""A one-off gift's card saved for later (`setup_future_usage`), products, and subscriptions
created through the API on that card with their first full period next month, via the SDK."""

from datetime import UTC, datetime

import pytest
import requests
import stripe

from stripe_sandbox import SandboxServer

from .helpers import event_types, pay, session_params

NEXT_MONTH_DAYS = 20


def _saved_gift(client: stripe.StripeClient) -> stripe.PaymentIntent:
    params = session_params("payment")
    params["payment_intent_data"]["setup_future_usage"] = "off_session"
    session = client.v1.checkout.sessions.create(params=params)
    assert pay(session.url).status_code == 303
    paid = client.v1.checkout.sessions.retrieve(session.id)
    return client.v1.payment_intents.retrieve(
        paid.payment_intent, params={"expand": ["payment_method"]}
    )


def _monthly_price(client: stripe.StripeClient) -> dict:
    product = client.v1.products.create(params={"name": "Monthly support"})
    return {
        "currency": "usd",
        "product": product.id,
        "unit_amount": 1000,
        "recurring": {"interval": "month"},
    }


def _anchor(client: stripe.StripeClient, days: int = NEXT_MONTH_DAYS) -> int:
    return client.v1.customers.list().data[0].created + days * 86400


def _subscribe(client: stripe.StripeClient, intent: stripe.PaymentIntent, **extra) -> dict:
    return {
        "customer": intent.customer,
        "items": [{"price_data": _monthly_price(client)}],
        "default_payment_method": intent.payment_method.id,
        "metadata": {"pledge_id": "pledge_456"},
        **extra,
    }


def test_a_gift_with_setup_future_usage_saves_its_card_on_the_customer(
    client: stripe.StripeClient,
) -> None:
    intent = _saved_gift(client)

    assert intent.setup_future_usage == "off_session"
    assert intent.payment_method.customer == intent.customer


def test_a_gift_without_setup_future_usage_keeps_no_card(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("payment"))
    pay(session.url)
    intent = client.v1.payment_intents.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).payment_intent,
        params={"expand": ["payment_method"]},
    )

    assert (intent.setup_future_usage, intent.payment_method.customer) == (None, None)


def test_a_subscription_anchored_next_month_charges_nothing_now(
    client: stripe.StripeClient,
) -> None:
    intent = _saved_gift(client)
    anchor = _anchor(client)

    sub = client.v1.subscriptions.create(
        params=_subscribe(client, intent, billing_cycle_anchor=anchor, proration_behavior="none")
    )

    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert (sub.status, sub.billing_cycle_anchor, sub.default_payment_method) == (
        "active",
        anchor,
        intent.payment_method.id,
    )
    assert sub["items"].data[0].current_period_end == anchor
    assert (invoice.status, invoice.amount_paid, invoice.billing_reason) == (
        "paid",
        0,
        "subscription_create",
    )
    assert invoice.parent.subscription_details.metadata.to_dict() == {"pledge_id": "pledge_456"}


def test_the_first_full_invoice_comes_at_the_anchor(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    intent = _saved_gift(client)
    sub = client.v1.subscriptions.create(
        params=_subscribe(
            client, intent, billing_cycle_anchor=_anchor(client), proration_behavior="none"
        )
    )

    requests.post(
        f"{server.url}/_sandbox/clock/advance", data={"days": NEXT_MONTH_DAYS + 1}, timeout=5
    )

    renewed = client.v1.subscriptions.retrieve(sub.id)
    invoice = client.v1.invoices.retrieve(renewed.latest_invoice)
    assert (invoice.billing_reason, invoice.amount_paid) == ("subscription_cycle", 1000)
    assert invoice.created == sub.billing_cycle_anchor


def test_creating_the_subscription_emits_stripes_events(client: stripe.StripeClient) -> None:
    intent = _saved_gift(client)
    seen = len(event_types(client))

    client.v1.subscriptions.create(
        params=_subscribe(
            client, intent, billing_cycle_anchor=_anchor(client), proration_behavior="none"
        )
    )

    assert event_types(client)[seen:] == [
        "product.created",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]


def test_a_subscription_without_an_anchor_is_charged_now(client: stripe.StripeClient) -> None:
    intent = _saved_gift(client)

    sub = client.v1.subscriptions.create(params=_subscribe(client, intent))

    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert (sub.status, invoice.status, invoice.amount_paid) == ("active", "paid", 1000)


def test_a_card_not_saved_on_the_customer_is_refused(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("payment"))
    pay(session.url)
    intent = client.v1.payment_intents.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).payment_intent,
        params={"expand": ["payment_method"]},
    )

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscriptions.create(params=_subscribe(client, intent))

    assert refused.value.param == "default_payment_method"


def test_an_anchor_past_the_natural_billing_date_is_refused(client: stripe.StripeClient) -> None:
    intent = _saved_gift(client)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscriptions.create(
            params=_subscribe(
                client, intent, billing_cycle_anchor=_anchor(client, 40), proration_behavior="none"
            )
        )

    assert refused.value.param == "billing_cycle_anchor"


def test_a_trial_is_refused_rather_than_ignored(client: stripe.StripeClient) -> None:
    intent = _saved_gift(client)
    trial_end = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscriptions.create(params=_subscribe(client, intent, trial_end=trial_end))

    assert refused.value.param == "trial_end"


def test_a_product_id_can_be_chosen_once(client: stripe.StripeClient) -> None:
    client.v1.products.create(params={"id": "monthly-support", "name": "Monthly support"})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.products.create(params={"id": "monthly-support", "name": "Again"})

    assert refused.value.code == "resource_already_exists"


def test_checkout_shows_the_name_the_session_brands_it_with(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(
        params=session_params(branding_settings={"display_name": "The Moscow Times"})
    )

    page = requests.get(session.url, timeout=5).text

    assert "The Moscow Times" in page
    assert "Sandbox newsroom" not in page


def test_checkout_shows_the_accounts_business_name_otherwise() -> None:
    with SandboxServer(business_name="Novaya Gazeta Europe") as running:
        client = stripe.StripeClient(
            "sk_test_sandbox", base_addresses={"api": running.url}, max_network_retries=0
        )
        session = client.v1.checkout.sessions.create(params=session_params())

        page = requests.get(session.url, timeout=5).text

    assert "Novaya Gazeta Europe" in page


def test_a_payment_succeeded_event_says_whether_the_card_was_saved(client, server):
    intent = _saved_gift(client)
    delivered = [
        event
        for event in client.v1.events.list(params={"type": "payment_intent.succeeded"}).data
        if event.data.object.id == intent.id
    ]
    assert [event.data.object.setup_future_usage for event in delivered] == ["off_session"]
    assert delivered[0].data.object.payment_method == intent.payment_method.id
