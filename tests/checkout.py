"""Paying on the sandbox's hosted Checkout page the way a reader's browser submits it."""

from __future__ import annotations

import requests

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def pay(
    checkout_url: str,
    card: str = GOOD_CARD,
    email: str = "reader@example.org",
    promotions: bool = False,
):
    """Submit the hosted page's form (ticking "keep me updated" when `promotions`); returns the
    response without following the redirect."""
    form = {"email": email, "number": card, "expiry": "12 / 34", "cvc": "123", "name": "Ann Reader"}
    if promotions:
        form["promotions"] = "opt_in"
    with requests.Session() as browser:
        browser.get(checkout_url, timeout=10).raise_for_status()
        return browser.post(checkout_url, data=form, allow_redirects=False, timeout=10)
