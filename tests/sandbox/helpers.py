"""Helpers for the sandbox tests: a webhook receiver, Checkout shortcuts, Stripe's samples."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import stripe
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

FIXTURES = Path(__file__).parents[2] / "stripe_sandbox" / "fixtures" / "fixtures3.json"
SAMPLES: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]

GOOD_CARD = "4242 4242 4242 4242"


class Receiver:
    """A webhook endpoint on a free port that records what it gets.

    `statuses` are answered in turn (then 200), to make the sandbox retry.
    """

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[tuple[bytes, str]] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app)
        self.url = f"http://127.0.0.1:{self._server.server_port}/stripe/webhook"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.received.append((request.get_data(), request.headers["Stripe-Signature"]))
            status = self.statuses.pop(0) if self.statuses else 200
        return Response("ok", status=status)(environ, start_response)

    def events(self, secret: str) -> list[stripe.Event]:
        """Every delivery that answered 2xx, verified as the app would verify it."""
        with self._lock:
            return [
                stripe.Webhook.construct_event(body, sig, secret) for body, sig in self.received
            ]

    @contextmanager
    def running(self) -> Iterator["Receiver"]:
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()


def session_params(mode: str = "payment", **overrides: Any) -> dict[str, Any]:
    """What the app sends for a pledge: a one-off gift or a monthly one."""
    price_data: dict[str, Any] = {
        "currency": "usd",
        "unit_amount": 1000 if mode == "payment" else 500,
        "product_data": {"name": "Gift to The Moscow Times"},
    }
    params: dict[str, Any] = {
        "mode": mode,
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "success_url": "http://127.0.0.1:5000/support/thank-you?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:5000/support/cancelled",
        "client_reference_id": "pledge_123",
        "metadata": {"pledge_id": "pledge_123"},
        "submit_type": "donate",
    }
    if mode == "payment":
        params["customer_creation"] = "always"
        params["payment_intent_data"] = {
            "metadata": {"pledge_id": "pledge_123"},
            "description": "One-off gift",
        }
    else:
        price_data["recurring"] = {"interval": "month"}
        params["subscription_data"] = {
            "metadata": {"pledge_id": "pledge_123"},
            "description": "Monthly gift",
        }
    params.update(overrides)
    return params


def pay(url: str, number: str = GOOD_CARD, **fields: str) -> requests.Response:
    """Submit the hosted Checkout form, without following the redirect."""
    form = {
        "email": "reader@example.com",
        "number": number,
        "expiry": "12 / 34",
        "cvc": "123",
        "name": "Anna Reader",
        **fields,
    }
    return requests.post(url, data=form, allow_redirects=False, timeout=10)


def event_types(client: stripe.StripeClient) -> list[str]:
    """Every stored event's type, oldest first."""
    events = client.v1.events.list(params={"limit": 100})
    return [event.type for event in reversed(events.data)]
