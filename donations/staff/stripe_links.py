"""Links from a pledge to the same object in Stripe's dashboard (test or live, as our key is)."""

from __future__ import annotations

from flask import current_app

# Stripe's dashboard path for each kind of id we keep.
PATHS = {
    "cus_": "customers",
    "sub_": "subscriptions",
    "pi_": "payments",
    "in_": "invoices",
    "evt_": "events",
}


def stripe_dashboard_url(object_id: str | None) -> str | None:
    """https://dashboard.stripe.com/test/subscriptions/sub_… for a Stripe id; None for others."""
    if not object_id:
        return None
    for prefix, path in PATHS.items():
        if object_id.startswith(prefix):
            live = "_live_" in (current_app.config.get("STRIPE_SECRET_KEY") or "")
            mode = "" if live else "test/"
            return f"https://dashboard.stripe.com/{mode}{path}/{object_id}"
    return None
