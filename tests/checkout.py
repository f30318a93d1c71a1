"""Paying on the sandbox's hosted Checkout page the way a reader's browser submits it."""

from __future__ import annotations

import requests

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def pay(checkout_url: str, card: str = GOOD_CARD, email: str = "reader@example.org"):
    """Submit the hosted page's form; returns the response without following the redirect."""
    with requests.Session() as browser:
        browser.get(checkout_url, timeout=10).raise_for_status()
        return browser.post(
            checkout_url,
            data={
                "email": email,
                "number": card,
                "expiry": "12 / 34",
                "cvc": "123",
                "name": "Ann Reader",
            },
            allow_redirects=False,
            timeout=10,
        )
