"""The hosted Checkout page: what the reader sees and what each test card does."""

import requests
import stripe

from stripe_sandbox import SandboxServer

from .helpers import event_types, pay, session_params

DECLINED = "4000 0000 0000 0002"
NO_FUNDS = "4000 0000 0000 9995"
THREE_D_SECURE = "4000 0027 6000 3184"


def test_page_shows_amount_fields_and_back_link(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(
        params=session_params(customer_email="reader@example.com")
    )

    page = requests.get(session.url, timeout=5)

    assert page.status_code == 200
    assert "$10.00" in page.text and "per month" not in page.text
    for label in ("Email", "Card number", "Expiry (MM / YY)", "CVC", "Name on card"):
        assert f">{label}</label>" in page.text
    assert 'value="reader@example.com"' in page.text
    assert ">Donate</button>" in page.text
    assert 'href="http://127.0.0.1:5000/support/cancelled">← Back</a>' in page.text


def test_subscription_page_shows_the_cadence(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("subscription"))

    page = requests.get(session.url, timeout=5)

    assert "$5.00 per month" in page.text
    assert ">Donate</button>" in page.text


def test_without_submit_type_the_button_says_what_stripe_says(client: stripe.StripeClient) -> None:
    monthly = session_params("subscription")
    once = session_params("payment")
    del monthly["submit_type"], once["submit_type"]

    subscribe = requests.get(client.v1.checkout.sessions.create(params=monthly).url, timeout=5)
    pay_once = requests.get(client.v1.checkout.sessions.create(params=once).url, timeout=5)

    assert ">Subscribe</button>" in subscribe.text
    assert ">Pay</button>" in pay_once.text


def test_paying_once_redirects_to_success_and_completes_the_session(
    client: stripe.StripeClient,
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("payment"))

    response = pay(session.url)

    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"http://127.0.0.1:5000/support/thank-you?session_id={session.id}"
    )
    paid = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (paid.status, paid.payment_status, paid.url) == ("complete", "paid", None)
    assert paid.customer.startswith("cus_")
    assert paid.customer_details.email == "reader@example.com"
    intent = paid.payment_intent
    assert (intent.status, intent.amount_received) == ("succeeded", 1000)
    assert intent.metadata.to_dict() == {"pledge_id": "pledge_123"}
    assert intent.description == "One-off gift"
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.paid, charge.metadata.to_dict()) == (True, {"pledge_id": "pledge_123"})
    assert charge.payment_method_details.card.last4 == "4242"


def test_one_off_payment_emits_stripes_events(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("payment"))

    pay(session.url)

    assert event_types(client) == [
        "customer.created",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]


def test_subscription_checkout_starts_a_subscription_with_a_paid_invoice(
    client: stripe.StripeClient,
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("subscription"))

    assert pay(session.url).status_code == 303

    paid = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["subscription", "invoice"]}
    )
    sub, invoice = paid.subscription, paid.invoice
    assert (sub.status, sub.customer, sub.description) == ("active", paid.customer, "Monthly gift")
    assert sub.metadata.to_dict() == {"pledge_id": "pledge_123"}
    item = sub["items"].data[0]
    assert (item.price.unit_amount, item.price.recurring.interval) == (500, "month")
    assert item.current_period_end > item.current_period_start
    assert (invoice.status, invoice.amount_paid) == ("paid", 500)
    assert invoice.billing_reason == "subscription_create"
    assert invoice.parent.type == "subscription_details"
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.parent.subscription_details.metadata.to_dict() == {"pledge_id": "pledge_123"}
    assert invoice.lines.data[0].amount == 500
    assert sub.latest_invoice == invoice.id


def test_subscription_checkout_emits_stripes_events(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("subscription"))

    pay(session.url)

    types = event_types(client)
    for expected in (
        "customer.created",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.succeeded",
        "charge.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ):
        assert expected in types
    assert types[-1] == "checkout.session.completed"


def test_each_checkout_makes_its_own_customer_as_stripe_does(client: stripe.StripeClient) -> None:
    # Checkout never looks a customer up by e-mail: each session that makes one makes a new one.
    first = client.v1.checkout.sessions.create(params=session_params())
    second = client.v1.checkout.sessions.create(params=session_params("subscription"))

    pay(first.url)
    pay(second.url)

    customers = {client.v1.checkout.sessions.retrieve(s.id).customer for s in (first, second)}
    assert len(customers) == 2 and None not in customers
    assert event_types(client).count("customer.created") == 2


def test_a_one_off_payment_without_customer_creation_makes_no_customer(
    client: stripe.StripeClient,
) -> None:
    params = session_params()
    del params["customer_creation"]
    session = client.v1.checkout.sessions.create(params=params)
    assert session.customer_creation == "if_required"

    pay(session.url)

    paid = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert paid.customer is None and paid.payment_intent.customer is None
    assert paid.customer_details.email == "reader@example.com"
    assert "customer.created" not in event_types(client)


def test_declined_card_keeps_the_session_open_with_the_message(
    client: stripe.StripeClient,
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    response = pay(session.url, DECLINED)

    assert response.status_code == 402
    assert "Your card was declined." in response.text
    still = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (still.status, still.payment_status) == ("open", "unpaid")
    assert still.payment_intent.status == "requires_payment_method"
    assert still.payment_intent.last_payment_error.decline_code == "generic_decline"
    assert event_types(client)[-2:] == ["charge.failed", "payment_intent.payment_failed"]


def test_insufficient_funds_shows_its_message(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("subscription"))

    response = pay(session.url, NO_FUNDS)

    assert response.status_code == 402
    assert "Your card has insufficient funds." in response.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert client.v1.subscriptions.list().data == []


def test_paying_after_a_decline_succeeds_on_the_same_intent(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    pay(session.url, DECLINED)
    declined = client.v1.checkout.sessions.retrieve(session.id).payment_intent

    assert pay(session.url).status_code == 303

    assert client.v1.checkout.sessions.retrieve(session.id).payment_intent == declined


def test_bad_fields_are_reported_next_to_them(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    response = pay(session.url, "4242 4242 4242 4241", expiry="01 / 20", cvc="")

    assert response.status_code == 400
    assert "Your card number is invalid." in response.text
    assert "Your card&#39;s expiration date is in the past." in response.text
    assert "Your card&#39;s security code is incomplete." in response.text
    assert client.v1.events.list().data == []


def test_unknown_real_card_is_declined_in_test_mode(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    response = pay(session.url, "4111 1111 1111 1111")

    assert response.status_code == 402
    assert "non test card" in response.text


def test_completed_session_page_says_so(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    pay(session.url)

    page = requests.get(session.url, timeout=5)
    again = pay(session.url)

    assert "already been completed" in page.text
    assert again.status_code == 200
    assert event_types(client).count("checkout.session.completed") == 1


def test_expired_session_page_says_so(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    client.v1.checkout.sessions.expire(session.id)

    page = requests.get(f"{session.url}", timeout=5)

    assert page.status_code == 410
    assert "expired" in page.text


def test_session_expires_when_its_time_passes(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    requests.post(f"{server.url}/_sandbox/clock/advance", data={"days": 1}, timeout=5)

    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert event_types(client) == ["checkout.session.expired"]


def test_three_d_secure_card_asks_then_completes(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    step = pay(session.url, THREE_D_SECURE)
    assert step.status_code == 200
    assert ">Complete</button>" in step.text and ">Fail</button>" in step.text
    done = requests.post(
        f"{session.url}/authenticate",
        data={"action": "complete"},
        allow_redirects=False,
        timeout=5,
    )

    assert done.status_code == 303
    paid = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    charge = client.v1.charges.retrieve(paid.payment_intent.latest_charge)
    assert charge.payment_method_details.card.three_d_secure.result == "authenticated"


def test_three_d_secure_failure_keeps_the_session_open(client: stripe.StripeClient) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    pay(session.url, THREE_D_SECURE)

    failed = requests.post(f"{session.url}/authenticate", data={"action": "fail"}, timeout=5)

    assert failed.status_code == 402
    assert "unable to authenticate" in failed.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert event_types(client)[-1] == "payment_intent.payment_failed"


def test_unknown_session_page_is_not_found(server: SandboxServer) -> None:
    assert requests.get(f"{server.url}/c/pay/cs_test_nope", timeout=5).status_code == 404
