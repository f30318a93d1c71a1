"""Stripe events for tests, shaped from Stripe's own samples and signed as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from stripe._api_version import _ApiVersion

from stripe_sandbox.objects import fixture


def stripe_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def event(event_type: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    evt = fixture("event")
    evt.update(
        id=stripe_id("evt_"),
        type=event_type,
        created=created or int(time.time()),
        api_version=_ApiVersion.CURRENT,
        data={"object": obj},
        livemode=False,
    )
    return evt


def checkout_session(
    *,
    pledge_id: str | None,
    mode: str,
    amount: int,
    currency: str = "usd",
    session_id: str | None = None,
    payment_status: str = "paid",
    email: str | None = "reader@example.org",
) -> dict[str, Any]:
    """A completed Checkout session, with our metadata unless pledge_id is None (stripe trigger)."""
    session = fixture("checkout.session")
    recurring = mode == "subscription"
    session.update(
        id=session_id or stripe_id("cs_test_"),
        mode=mode,
        amount_total=amount,
        amount_subtotal=amount,
        currency=currency,
        status="complete",
        payment_status=payment_status,
        client_reference_id=pledge_id,
        metadata={"pledge_id": pledge_id} if pledge_id else {},
        customer=stripe_id("cus_"),
        customer_details={**(session.get("customer_details") or {}), "email": email},
        payment_intent=None if recurring else stripe_id("pi_"),
        subscription=stripe_id("sub_") if recurring else None,
        invoice=stripe_id("in_") if recurring else None,
        submit_type=None if recurring else "donate",
    )
    return session


def invoice(
    *,
    subscription_id: str,
    pledge_id: str | None,
    amount: int,
    currency: str = "usd",
    invoice_id: str | None = None,
    billing_reason: str = "subscription_create",
) -> dict[str, Any]:
    inv = fixture("invoice")
    inv.update(
        id=invoice_id or stripe_id("in_"),
        amount_paid=amount,
        amount_due=amount,
        total=amount,
        currency=currency,
        status="paid",
        billing_reason=billing_reason,
        customer=stripe_id("cus_"),
        parent={
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "subscription": subscription_id,
                "metadata": {"pledge_id": pledge_id} if pledge_id else {},
            },
        },
        status_transitions={**inv["status_transitions"], "paid_at": int(time.time())},
    )
    return inv


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=<HMAC-SHA256 of "t.payload" keyed by the secret>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_event(client, evt: dict[str, Any], secret: str, **kwargs: Any):
    """POST an event to the webhook the way Stripe does."""
    payload = json.dumps(evt).encode()
    return client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": signature_header(payload, secret, **kwargs)},
        content_type="application/json",
    )


def subscription(
    *,
    subscription_id: str,
    pledge_id: str | None,
    status: str = "active",
    amount: int = 500,
    interval: str = "month",
    cancel_at_period_end: bool = False,
    period_end: int | None = None,
) -> dict[str, Any]:
    sub = fixture("subscription")
    item = fixture("subscription_item")
    price = fixture("price")
    price.update(
        unit_amount=amount, currency="usd", recurring={**price["recurring"], "interval": interval}
    )
    item.update(
        price=price, quantity=1, current_period_end=period_end or int(time.time()) + 30 * 86400
    )
    sub.update(
        id=subscription_id,
        status=status,
        metadata={"pledge_id": pledge_id} if pledge_id else {},
        cancel_at_period_end=cancel_at_period_end,
        items={
            "object": "list",
            "data": [item],
            "has_more": False,
            "url": "/v1/subscription_items",
        },
        customer=stripe_id("cus_"),
    )
    return sub


def payment_intent(
    *, intent_id: str, customer: str, pledge_id: str | None, saved: bool = True
) -> dict[str, Any]:
    """A succeeded payment intent; `saved`: its card kept on the customer for later payments."""
    intent = fixture("payment_intent")
    intent.update(
        id=intent_id,
        status="succeeded",
        customer=customer,
        metadata={"pledge_id": pledge_id} if pledge_id else {},
        payment_method=stripe_id("pm_"),
        setup_future_usage="off_session" if saved else None,
    )
    return intent


def charge(*, payment_intent: str, amount: int, amount_refunded: int = 0) -> dict[str, Any]:
    obj = fixture("charge")
    obj.update(
        id=stripe_id("ch_"),
        payment_intent=payment_intent,
        amount=amount,
        amount_refunded=amount_refunded,
        refunded=amount_refunded == amount,
        currency="usd",
    )
    return obj


def dispute(*, charge_id: str, payment_intent: str, amount: int) -> dict[str, Any]:
    obj = fixture("dispute")
    obj.update(id=stripe_id("dp_"), charge=charge_id, payment_intent=payment_intent, amount=amount)
    return obj


def invoice_payment(*, invoice_id: str, payment_intent: str, amount: int) -> dict[str, Any]:
    obj = fixture("invoice_payment")
    obj.update(
        id=stripe_id("inpay_"),
        invoice=invoice_id,
        amount_paid=amount,
        status="paid",
        payment={"type": "payment_intent", "payment_intent": payment_intent},
    )
    return obj
