"""A webhook flood: many pledges' events, 30 % sent twice, in shuffled order, from many threads."""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

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


def send_all(url: str, events: list[dict], secret: str, threads: int = 16) -> list[int]:
    """POST every event to the webhook, signed, from a pool of keep-alive sessions."""
    local = threading.local()

    def post(evt: dict) -> int:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        body = json.dumps(evt).encode()
        response = local.session.post(
            url,
            data=body,
            headers={"Stripe-Signature": signature_header(body, secret)},
            timeout=30,
        )
        return response.status_code

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(post, events))
