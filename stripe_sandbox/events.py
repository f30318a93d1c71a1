"""Event objects as Stripe sends them, and the signature its webhooks carry."""

import hashlib
import hmac
from typing import Any

from stripe._api_version import _ApiVersion

from . import objects

# Events carry the API version of the SDK the app is pinned to, as a Stripe account
# upgraded to that version would send them.
API_VERSION = _ApiVersion.CURRENT


def build(
    event_type: str,
    snapshot: dict[str, Any],
    *,
    created: int,
    request: dict[str, str | None],
    pending_webhooks: int,
) -> dict[str, Any]:
    """An `event` shaped from Stripe's sample, holding a snapshot of the object."""
    event = objects.fixture("event")
    event.update(
        id=objects.new_id("evt_"),
        api_version=API_VERSION,
        created=created,
        data={"object": snapshot},
        livemode=False,
        pending_webhooks=pending_webhooks,
        request=request,
        type=event_type,
    )
    return event


def signature_header(payload: str, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header: `t=…,v1=` HMAC-SHA256 of `"{t}.{payload}"`."""
    signed = f"{timestamp}.{payload}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
