"""A webhook flood: many pledges' events, 30 % sent twice, in shuffled order, from many threads."""

from __future__ import annotations

import http.client
import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from tests.stripe_events import checkout_session, event, invoice, signature_header


def flood_events(pledge_ids: list[tuple[str, str]], seed: int = 7) -> tuple[list[dict], int]:
    """Events for (public id, frequency) pairs, duplicated and shuffled; and payments expected."""
    events = []
    for public_id, frequency in pledge_ids:
        if frequency == "once":
            session = checkout_session(pledge_id=public_id, mode="payment", amount=1000)
            events.append(event("checkout.session.completed", session))
            continue
        session = checkout_session(pledge_id=public_id, mode="subscription", amount=500)
        first = invoice(
            subscription_id=session["subscription"],
            pledge_id=public_id,
            amount=500,
            invoice_id=session["invoice"],
        )
        events += [event("checkout.session.completed", session), event("invoice.paid", first)]
    rng = random.Random(seed)
    flooded = events + rng.sample(events, k=int(len(events) * 0.3))
    rng.shuffle(flooded)
    return flooded, len(pledge_ids)


def signed(events: list[dict], secret: str) -> list[tuple[bytes, str]]:
    """Bodies and Stripe-Signature headers, made before the clock starts."""
    bodies = [json.dumps(evt).encode() for evt in events]
    return [(body, signature_header(body, secret)) for body in bodies]


def send_all(url: str, deliveries: list[tuple[bytes, str]], threads: int = 16) -> list[int]:
    """POST every signed body to the webhook URL, a connection per thread (kept open if the
    server keeps it alive; gunicorn's sync workers close it after each answer)."""
    parts = urlsplit(url)
    local = threading.local()

    def post(delivery: tuple[bytes, str]) -> int:
        body, signature = delivery
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local.connection.request(
            "POST",
            parts.path,
            body=body,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        )
        response = local.connection.getresponse()
        response.read()
        return response.status

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(post, deliveries))
