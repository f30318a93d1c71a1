"""Subscriptions, invoices, refunds, disputes, the portal and the test clock, via the SDK."""

import pytest
import requests
import stripe

from stripe_sandbox import SandboxServer, cards

from .helpers import event_types, pay, session_params

FAILS_AT_RENEWAL = "4000 0000 0000 0341"


def _subscribe(
    client: stripe.StripeClient, card: str = "4242 4242 4242 4242"
) -> stripe.Subscription:
    session = client.v1.checkout.sessions.create(params=session_params("subscription"))
    assert pay(session.url, card).status_code == 303
    return client.v1.subscriptions.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).subscription
    )


def _donate(client: stripe.StripeClient) -> stripe.PaymentIntent:
    session = client.v1.checkout.sessions.create(params=session_params("payment"))
    assert pay(session.url).status_code == 303
    return client.v1.payment_intents.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).payment_intent
    )


def _advance(server: SandboxServer, days: float) -> None:
    response = requests.post(f"{server.url}/_sandbox/clock/advance", data={"days": days}, timeout=5)
    assert response.status_code == 200


def _events_since(client: stripe.StripeClient, count: int) -> list[str]:
    return event_types(client)[count:]


def test_subscriptions_are_listed_by_customer_and_status(client: stripe.StripeClient) -> None:
    sub = _subscribe(client)

    by_customer = client.v1.subscriptions.list(params={"customer": sub.customer})
    canceled = client.v1.subscriptions.list(params={"status": "canceled"})

    assert [s.id for s in by_customer.data] == [sub.id]
    assert canceled.data == []


def test_cancel_at_period_end_is_scheduled_and_withdrawn(client: stripe.StripeClient) -> None:
    sub = _subscribe(client)

    scheduled = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    kept = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": False})

    assert scheduled.cancel_at_period_end is True
    assert scheduled.cancel_at == sub["items"].data[0].current_period_end
    assert (kept.cancel_at_period_end, kept.cancel_at, kept.status) == (False, None, "active")
    assert event_types(client)[-2:] == ["customer.subscription.updated"] * 2


def test_cancel_ends_the_subscription_now(client: stripe.StripeClient) -> None:
    sub = _subscribe(client)

    canceled = client.v1.subscriptions.cancel(sub.id)

    assert (canceled.status, canceled.cancellation_details.reason) == (
        "canceled",
        "cancellation_requested",
    )
    assert canceled.ended_at is not None
    assert event_types(client)[-1] == "customer.subscription.deleted"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.cancel(sub.id)


def test_unknown_subscription_update_parameter_is_refused(client: stripe.StripeClient) -> None:
    sub = _subscribe(client)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.subscriptions.update(sub.id, params={"colour": "blue"})

    assert raised.value.param == "colour"


def test_invoices_are_listed_by_subscription(client: stripe.StripeClient) -> None:
    sub = _subscribe(client)
    _subscribe(client)

    invoices = client.v1.invoices.list(params={"subscription": sub.id})

    assert [i.id for i in invoices.data] == [sub.latest_invoice]
    assert client.v1.invoices.retrieve(sub.latest_invoice).status == "paid"


def _invoice_payment(client: stripe.StripeClient, invoice_id: str) -> stripe.InvoicePayment:
    [payment] = client.v1.invoice_payments.list(params={"invoice": invoice_id}).data
    return payment


def _last_event(client: stripe.StripeClient, event_type: str) -> stripe.Event:
    return client.v1.events.list(params={"type": event_type}).data[0]


def test_invoice_payment_links_the_invoice_to_the_intent_that_paid_it(
    client: stripe.StripeClient,
) -> None:
    sub = _subscribe(client)
    invoice = client.v1.invoices.retrieve(sub.latest_invoice)

    payment = _invoice_payment(client, invoice.id)

    intent = client.v1.payment_intents.retrieve(payment.payment.payment_intent)
    assert payment.id.startswith("inpay_")
    assert (payment.invoice, payment.status, payment.is_default, payment.livemode) == (
        invoice.id,
        "paid",
        True,
        False,
    )
    assert (payment.amount_requested, payment.amount_paid, payment.currency) == (500, 500, "usd")
    assert payment.payment.to_dict() == {"type": "payment_intent", "payment_intent": intent.id}
    assert payment.status_transitions.paid_at == invoice.status_transitions.paid_at
    assert (intent.status, intent.amount_received) == ("succeeded", 500)
    assert client.v1.invoice_payments.retrieve(payment.id).to_dict() == payment.to_dict()


def test_subscription_payment_is_refunded_and_traced_back_to_its_invoice(
    client: stripe.StripeClient,
) -> None:
    sub = _subscribe(client)
    intent_id = _invoice_payment(client, sub.latest_invoice).payment.payment_intent

    refund = client.v1.refunds.create(params={"payment_intent": intent_id})

    charge = client.v1.charges.retrieve(refund.charge)
    assert (refund.amount, charge.refunded, charge.payment_intent) == (500, True, intent_id)
    found = client.v1.invoice_payments.list(
        params={"payment": {"type": "payment_intent", "payment_intent": charge.payment_intent}}
    )
    assert [p.invoice for p in found.data] == [sub.latest_invoice]


def test_invoice_payments_are_found_by_payment_intent(client: stripe.StripeClient) -> None:
    first = _invoice_payment(client, _subscribe(client).latest_invoice)
    second = _invoice_payment(client, _subscribe(client).latest_invoice)

    by_intent = client.v1.invoice_payments.list(
        params={
            "payment": {"type": "payment_intent", "payment_intent": first.payment.payment_intent}
        }
    )
    by_type = client.v1.invoice_payments.list(params={"payment": {"type": "payment_intent"}})

    assert [p.id for p in by_intent.data] == [first.id]
    assert [p.id for p in by_type.data] == [second.id, first.id]
    assert by_type.url == "/v1/invoice_payments"


def test_invoice_payment_list_pages_newest_first(client: stripe.StripeClient) -> None:
    ids = [_invoice_payment(client, _subscribe(client).latest_invoice).id for _ in range(3)]

    page = client.v1.invoice_payments.list(params={"limit": 2})
    rest = client.v1.invoice_payments.list(params={"starting_after": page.data[-1].id})

    assert [p.id for p in page.data] == ids[::-1][:2] and page.has_more
    assert [p.id for p in rest.data] == ids[:1] and not rest.has_more


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"payment": {"payment_intent": "pi_x"}}, "payment[type]"),
        ({"payment": {"type": "payment_intent", "charge": "ch_x"}}, "payment[charge]"),
        ({"subscription": "sub_x"}, "subscription"),
    ],
)
def test_invoice_payment_list_refuses_what_stripe_refuses(
    client: stripe.StripeClient, params: dict[str, object], param: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.invoice_payments.list(params=params)

    assert raised.value.param == param


def test_unknown_invoice_payment_is_missing(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.invoice_payments.retrieve("inpay_nope")

    assert (raised.value.http_status, raised.value.code) == (404, "resource_missing")


def test_subscription_checkout_emits_invoice_payment_paid_after_invoice_paid(
    client: stripe.StripeClient,
) -> None:
    sub = _subscribe(client)

    types = event_types(client)
    assert types[types.index("invoice.paid") + 1] == "invoice_payment.paid"
    event = _last_event(client, "invoice_payment.paid")
    assert event.data.object.id == _invoice_payment(client, sub.latest_invoice).id


def test_renewal_records_its_own_invoice_payment(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    sub = _subscribe(client)
    first = _invoice_payment(client, sub.latest_invoice)

    _advance(server, 31)

    renewal = _invoice_payment(client, client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert renewal.payment.payment_intent != first.payment.payment_intent
    assert renewal.status_transitions.paid_at == sub["items"].data[0].current_period_end
    assert _last_event(client, "invoice_payment.paid").data.object.id == renewal.id


def test_failed_renewal_has_no_invoice_payment_until_a_retry_pays(
    client: stripe.StripeClient, server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = _subscribe(client, FAILS_AT_RENEWAL)
    _advance(server, 31)
    invoice_id = client.v1.subscriptions.retrieve(sub.id).latest_invoice
    unpaid = client.v1.invoice_payments.list(params={"invoice": invoice_id})
    # The card's bank accepts it again; card 0341 itself fails every later charge.
    monkeypatch.setattr(cards, "behaviour_of", lambda last4: cards.SUCCEEDS)

    _advance(server, 3)

    payment = _invoice_payment(client, invoice_id)
    assert unpaid.data == []
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    assert (payment.status, payment.amount_paid) == ("paid", 500)
    assert _last_event(client, "invoice_payment.paid").data.object.id == payment.id


def test_full_refund_marks_the_charge_refunded(client: stripe.StripeClient) -> None:
    intent = _donate(client)

    refund = client.v1.refunds.create(params={"payment_intent": intent.id})

    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (refund.amount, refund.status, refund.charge) == (1000, "succeeded", charge.id)
    assert (charge.amount_refunded, charge.refunded) == (1000, True)
    assert event_types(client)[-2:] == ["refund.created", "charge.refunded"]


def test_partial_refunds_add_up(client: stripe.StripeClient) -> None:
    intent = _donate(client)

    client.v1.refunds.create(params={"charge": intent.latest_charge, "amount": 300})
    client.v1.refunds.create(params={"charge": intent.latest_charge, "amount": 200})

    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (500, False)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create(params={"charge": charge.id, "amount": 600})
    assert raised.value.param == "amount"


def test_refund_needs_a_charge_or_payment_intent(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError, match="payment_intent or charge"):
        client.v1.refunds.create(params={"amount": 100})


def test_dispute_is_opened_from_the_admin_endpoint(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    intent = _donate(client)

    response = requests.post(
        f"{server.url}/_sandbox/charges/{intent.latest_charge}/dispute", timeout=5
    )

    assert response.status_code == 201
    dispute = response.json()
    assert dispute["id"].startswith("dp_") and dispute["charge"] == intent.latest_charge
    assert client.v1.charges.retrieve(intent.latest_charge).disputed is True
    assert event_types(client)[-1] == "charge.dispute.created"
    again = requests.post(
        f"{server.url}/_sandbox/charges/{intent.latest_charge}/dispute", timeout=5
    )
    assert again.status_code == 400


def test_renewal_pays_a_cycle_invoice_and_moves_the_period(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    sub = _subscribe(client)
    seen = len(event_types(client))
    old_end = sub["items"].data[0].current_period_end

    _advance(server, 31)

    renewed = client.v1.subscriptions.retrieve(sub.id)
    item = renewed["items"].data[0]
    assert (item.current_period_start, renewed.status) == (old_end, "active")
    invoice = client.v1.invoices.retrieve(renewed.latest_invoice)
    assert (invoice.billing_reason, invoice.status, invoice.amount_paid) == (
        "subscription_cycle",
        "paid",
        500,
    )
    assert invoice.created == old_end
    assert invoice.parent.subscription_details.metadata.to_dict() == {"pledge_id": "pledge_123"}
    assert _events_since(client, seen) == [
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice_payment.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]


def test_two_months_renew_twice(client: stripe.StripeClient, server: SandboxServer) -> None:
    sub = _subscribe(client)

    _advance(server, 62)

    reasons = [
        i.billing_reason for i in client.v1.invoices.list(params={"subscription": sub.id}).data
    ]
    assert reasons == ["subscription_cycle", "subscription_cycle", "subscription_create"]


def test_scheduled_cancellation_ends_the_subscription_at_period_end(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    sub = _subscribe(client)
    client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})

    _advance(server, 31)

    ended = client.v1.subscriptions.retrieve(sub.id)
    assert (ended.status, ended.ended_at) == ("canceled", sub["items"].data[0].current_period_end)
    assert event_types(client)[-1] == "customer.subscription.deleted"
    assert len(client.v1.invoices.list(params={"subscription": sub.id}).data) == 1


def test_card_0341_fails_at_renewal_then_retries_then_cancels(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    sub = _subscribe(client, FAILS_AT_RENEWAL)
    seen = len(event_types(client))

    _advance(server, 31)

    past_due = client.v1.subscriptions.retrieve(sub.id)
    invoice = client.v1.invoices.retrieve(past_due.latest_invoice)
    assert past_due.status == "past_due"
    assert (invoice.status, invoice.attempt_count) == ("open", 1)
    assert invoice.next_payment_attempt == invoice.created + 3 * 86400
    assert _events_since(client, seen)[-2:] == [
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]

    _advance(server, 3 + 5 + 7)

    canceled = client.v1.subscriptions.retrieve(sub.id)
    assert (canceled.status, canceled.cancellation_details.reason) == ("canceled", "payment_failed")
    assert client.v1.invoices.retrieve(invoice.id).attempt_count == 4
    types = _events_since(client, seen)
    assert types.count("invoice.payment_failed") == 4
    assert types[-1] == "customer.subscription.deleted"


def test_clock_drives_created_timestamps(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    before = requests.get(f"{server.url}/_sandbox/clock", timeout=5).json()["now"]

    _advance(server, 10)
    customer = client.v1.customers.create(params={"email": "later@example.com"})

    assert customer.created >= before + 10 * 86400


def test_portal_session_lists_and_cancels_subscriptions(
    client: stripe.StripeClient,
) -> None:
    sub = _subscribe(client)
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": sub.customer, "return_url": "http://127.0.0.1:5000/account"}
    )

    page = requests.get(portal.url, timeout=5)
    assert portal.id.startswith("bps_")
    assert "$5.00 per month" in page.text
    assert 'href="http://127.0.0.1:5000/account"' in page.text
    assert "Cancel at period end" in page.text and "Cancel now" in page.text

    action = f"{portal.url}/subscriptions/{sub.id}"
    requests.post(action, data={"action": "cancel_at_period_end"}, timeout=5)
    assert client.v1.subscriptions.retrieve(sub.id).cancel_at_period_end is True
    after = requests.post(action, data={"action": "cancel_now"}, timeout=5)
    assert "Canceled on" in after.text
    assert client.v1.subscriptions.retrieve(sub.id).status == "canceled"


def test_portal_session_needs_a_known_customer(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.billing_portal.sessions.create(params={"customer": "cus_nope"})

    assert raised.value.param == "customer"
