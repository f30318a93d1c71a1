"""Admin endpoints under `/_sandbox/`: the test clock, disputes, deliveries, reset.

These are the sandbox's own controls (Stripe's dashboard and test helpers stand here), so
they need no API key but answer only on the loopback interface.
"""

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request

from . import billing
from .errors import StripeError
from .store import State

bp = Blueprint("admin", __name__, url_prefix="/_sandbox")

DISPUTE_REASONS = (
    "bank_cannot_process",
    "credit_not_processed",
    "customer_initiated",
    "debit_not_authorized",
    "duplicate",
    "fraudulent",
    "general",
    "incorrect_account_details",
    "insufficient_funds",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "unrecognized",
)


def _state() -> State:
    return current_app.extensions["stripe_sandbox"].state


@bp.before_request
def loopback_only() -> None:
    """Refuse anyone but this machine."""
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(403)


@bp.errorhandler(StripeError)
def stripe_error(error: StripeError) -> tuple[Response, int]:
    """Errors in Stripe's envelope, like the API's."""
    return jsonify(error.envelope()), error.status


def _public(delivery: dict[str, Any]) -> dict[str, Any]:
    return {
        k: delivery[k]
        for k in ("event", "type", "url", "attempts", "status_code", "state", "error")
    }


@bp.get("/deliveries")
def deliveries() -> Response:
    """Every webhook delivery, oldest first, with its state."""
    with _state().lock:
        return jsonify({"data": [_public(d) for d in _state().deliveries]})


@bp.post("/events/<event_id>/redeliver")
def redeliver(event_id: str) -> tuple[Response, int]:
    """Queue one more delivery of a stored event."""
    state = _state()
    with state.transaction():
        event = state.get("event", event_id)
        delivery = state.queue_delivery(event)
        if delivery is None:
            raise StripeError("No webhook endpoint is configured.", status=409)
        return jsonify(_public(delivery)), 202


@bp.post("/reset")
def reset() -> Response:
    """Forget everything."""
    _state().reset()
    return jsonify({"reset": True})


@bp.post("/webhook")
def webhook() -> Response:
    """Point delivery at another endpoint (`url`, optional `secret`; `enabled_events`, comma
    separated, and `api_version` as a Dashboard endpoint would have them)."""
    url = request.form.get("url") or None
    events = [e.strip() for e in request.form.get("enabled_events", "").split(",") if e.strip()]
    secret = current_app.extensions["stripe_sandbox"].set_webhook(
        url,
        request.form.get("secret"),
        enabled_events=events or None,
        api_version=request.form.get("api_version") or None,
    )
    return jsonify({"url": url, "secret": secret, "enabled_events": events or ["*"]})


@bp.get("/clock")
def clock() -> Response:
    """Sandbox time."""
    return jsonify({"now": _state().now()})


@bp.post("/clock/advance")
def advance() -> Response:
    """Move sandbox time forward by `days` (and/or `seconds`), running what falls due."""
    try:
        days = float(request.form.get("days", 0))
        seconds = int(days * billing.DAY) + int(request.form.get("seconds", 0))
    except ValueError:
        raise StripeError("`days` and `seconds` must be numbers.", param="days") from None
    if seconds < 0:
        raise StripeError("The test clock only moves forward.", param="days")
    state = _state()
    with state.transaction():
        billing.advance_clock(state, seconds)
        return jsonify({"now": state.now()})


@bp.post("/charges/<charge_id>/dispute")
def dispute(charge_id: str) -> tuple[Response, int]:
    """Open a dispute on a succeeded charge (`reason`, default `fraudulent`)."""
    state = _state()
    reason = request.form.get("reason", "fraudulent")
    if reason not in DISPUTE_REASONS:
        raise StripeError(f"Invalid reason: {reason}", param="reason")
    with state.transaction():
        charge = state.get("charge", charge_id)
        if charge["status"] != "succeeded":
            raise StripeError(f"Charge {charge_id} was not paid, so it cannot be disputed.")
        if charge["disputed"]:
            raise StripeError(f"Charge {charge_id} has already been disputed.")
        return jsonify(billing.dispute(state, charge, reason)), 201
