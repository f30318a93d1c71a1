"""The webhook endpoint: verify, hand to the event processor, answer Stripe."""

from __future__ import annotations

from flask import jsonify, request

from donations.extensions import csrf, limiter
from donations.stripe_gateway import WebhookRejected, gateway
from donations.webhooks import bp
from donations.webhooks.processor import process_event


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def receive():
    """Verify Stripe's signature on the raw body, apply the event once, answer 200."""
    try:
        event = gateway().verify_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except WebhookRejected as rejected:
        return jsonify(error=str(rejected)), 400
    result = process_event(event)
    return jsonify(received=True, outcome=result.outcome)
