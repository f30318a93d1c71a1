"""The webhook endpoint: verify, hand to the event processor, answer Stripe.

400 for a body that is not provably Stripe's event (nothing is kept) and for a signed event no
handler can read (kept as refused); 200 for everything else, refused for its API version
included, since a redelivery would change nothing."""

from __future__ import annotations

from flask import jsonify, request

from donations.payments.stripe_gateway import WebhookRejected, gateway
from donations.payments.webhooks import bp
from donations.payments.webhooks.processor import process_event
from donations.platform.extensions import csrf, limiter

# Stripe publishes no size limit; its largest events (with expanded lists) are tens of KB.
MAX_EVENT_BYTES = 1024 * 1024


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def receive():
    """Verify Stripe's signature on the raw body, apply the event once, answer 200."""
    request.max_content_length = MAX_EVENT_BYTES  # a larger body is a 413, never read whole
    try:
        event = gateway().verify_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except WebhookRejected as rejected:
        return jsonify(error=str(rejected)), 400
    result = process_event(event)
    if result.malformed:
        # Kept as refused: Stripe's next delivery of it is answered as a duplicate.
        return jsonify(error=result.words, outcome=result.outcome), 400
    return jsonify(received=True, outcome=result.outcome)
