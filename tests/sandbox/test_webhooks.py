"""Signed webhook delivery: Stripe's signature scheme, retries, shuffling and the admin view."""

import requests
import stripe

from stripe_sandbox import SandboxServer

from .conftest import FAST_RETRIES, SECRET
from .helpers import Receiver, event_types, pay, session_params


def _deliveries(server: SandboxServer) -> list[dict[str, object]]:
    return requests.get(f"{server.url}/_sandbox/deliveries", timeout=5).json()["data"]


def test_every_delivery_verifies_with_the_sdk(
    client: stripe.StripeClient, server: SandboxServer, receiver: Receiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params("subscription"))
    pay(session.url)

    assert server.wait_for_deliveries(timeout=5)

    events = receiver.events(SECRET)
    assert [e.type for e in events] == event_types(client)
    completed = events[-1]
    assert completed.type == "checkout.session.completed"
    assert completed.data.object.id == session.id
    assert completed.livemode is False and completed.pending_webhooks == 1


def test_a_wrong_secret_does_not_verify(
    client: stripe.StripeClient, server: SandboxServer, receiver: Receiver
) -> None:
    client.v1.customers.create(params={"email": "a@example.com"})
    server.wait_for_deliveries(timeout=5)

    body, header = receiver.received[0]
    try:
        stripe.Webhook.construct_event(body, header, "whsec_other")
    except stripe.SignatureVerificationError:
        pass
    else:
        raise AssertionError("a delivery verified with the wrong secret")


def test_failed_delivery_is_retried_until_it_succeeds(
    client: stripe.StripeClient, server: SandboxServer, receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]

    client.v1.customers.create(params={"email": "a@example.com"})

    assert server.wait_for_deliveries(timeout=5)
    [delivery] = _deliveries(server)
    assert (delivery["state"], delivery["attempts"], delivery["status_code"]) == (
        "delivered",
        3,
        200,
    )
    assert len(receiver.received) == 3
    assert len({e.id for e in receiver.events(SECRET)}) == 1


def test_delivery_gives_up_after_the_last_retry(
    client: stripe.StripeClient, server: SandboxServer, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 10

    client.v1.customers.create(params={"email": "a@example.com"})

    assert server.wait_for_deliveries(timeout=5)
    [delivery] = _deliveries(server)
    assert (delivery["state"], delivery["attempts"]) == ("failed", len(FAST_RETRIES) + 1)


def test_unreachable_endpoint_is_marked_failed(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    server.set_webhook("http://127.0.0.1:9/nowhere", SECRET)

    client.v1.customers.create(params={"email": "a@example.com"})

    assert server.wait_for_deliveries(timeout=10)
    [delivery] = _deliveries(server)
    assert delivery["state"] == "failed" and delivery["status_code"] is None


def test_event_can_be_redelivered(
    client: stripe.StripeClient, server: SandboxServer, receiver: Receiver
) -> None:
    client.v1.customers.create(params={"email": "a@example.com"})
    server.wait_for_deliveries(timeout=5)
    event_id = client.v1.events.list().data[0].id

    response = requests.post(f"{server.url}/_sandbox/events/{event_id}/redeliver", timeout=5)
    server.wait_for_deliveries(timeout=5)

    assert response.status_code == 202
    assert [e.id for e in receiver.events(SECRET)] == [event_id, event_id]


def test_without_an_endpoint_events_are_stored_not_delivered(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    server.set_webhook(None)

    client.v1.customers.create(params={"email": "a@example.com"})

    assert _deliveries(server) == []
    assert client.v1.events.list().data[0].pending_webhooks == 0


def test_webhook_can_be_repointed_over_http(
    client: stripe.StripeClient, server: SandboxServer
) -> None:
    with Receiver().running() as other:
        response = requests.post(
            f"{server.url}/_sandbox/webhook",
            data={"url": other.url, "secret": "whsec_other"},
            timeout=5,
        )
        client.v1.customers.create(params={"email": "a@example.com"})
        server.wait_for_deliveries(timeout=5)

        assert response.json()["url"] == other.url
        assert [e.type for e in other.events("whsec_other")] == ["customer.created"]


def test_shuffled_events_arrive_in_another_order_but_all_arrive() -> None:
    orders = set()
    with Receiver().running() as receiver:
        for _ in range(5):
            with SandboxServer(
                webhook_url=receiver.url,
                webhook_secret=SECRET,
                retry_delays=FAST_RETRIES,
                shuffle_events=True,
            ) as server:
                client = stripe.StripeClient(
                    "sk_test_x", base_addresses={"api": server.url}, max_network_retries=0
                )
                session = client.v1.checkout.sessions.create(params=session_params("subscription"))
                before = len(receiver.received)
                pay(session.url)
                server.wait_for_deliveries(timeout=5)
                types = [e.type for e in receiver.events(SECRET)[before:]]
                orders.add(tuple(types))
                assert sorted(types) == sorted(
                    e.type for e in client.v1.events.list(params={"limit": 100}).data
                )
    assert len(orders) > 1


def test_reset_forgets_everything(
    client: stripe.StripeClient, server: SandboxServer, receiver: Receiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    server.wait_for_deliveries(timeout=5)

    requests.post(f"{server.url}/_sandbox/reset", timeout=5)

    assert client.v1.checkout.sessions.list().data == []
    assert client.v1.events.list().data == []
    assert _deliveries(server) == []
    assert requests.get(session.url, timeout=5).status_code == 404
