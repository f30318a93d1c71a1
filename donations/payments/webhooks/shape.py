"""What a signed event must look like before a handler reads it, and the API version it is in.

A signed event can still be one no handler can read: a `created` no clock reaches, `metadata`
that is not a hash, a `data.object` that is not an object. Such an event is kept as refused
(the processor stores it and answers 4xx; a redelivery is then a duplicate). An event rendered
at another API version than the app reads is refused too, with what to change: its fields are
not where the handlers look (before 2025-03-31, for one, an invoice named its subscription at
the top and a subscription carried its period; now the invoice's `parent` and the items do).
"""

from __future__ import annotations

from typing import Any

from donations.payments.stripe_gateway import API_VERSION

# Unix seconds a stored time can hold (up to the year 9999).
LATEST_TIME = 253_402_300_799
# Fields whose value Stripe sends as a hash of strings (or null).
STRING_HASHES = ("metadata",)


def malformed(event: dict[str, Any]) -> str | None:
    """Why a signed event cannot be read, or None when it can."""
    if not isinstance(event.get("type"), str) or not 0 < len(event["type"]) <= 100:
        return "its type is not a Stripe event type"
    created = event.get("created")
    if isinstance(created, bool) or not isinstance(created, int):
        return "created is not a Unix time"
    if not 0 <= created <= LATEST_TIME:
        return f"created {created} is not a time that can be stored"
    version = event.get("api_version")
    if version is not None and not (isinstance(version, str) and len(version) <= 40):
        return "api_version is not a version"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "data.object is not an object"
    return _bad_hash(data["object"], "data.object")


def _bad_hash(root: dict[str, Any], name: str) -> str | None:
    """The first `metadata` anywhere in the object that is not a hash of strings (walked
    without recursion: the body may nest as deep as JSON lets it)."""
    pending: list[tuple[str, Any]] = [(name, root)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{key}"
                if key in STRING_HASHES and not _string_hash(item):
                    return f"{inner} is not a hash of strings"
                pending.append((inner, item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


def _string_hash(value: Any) -> bool:
    # Stripe sends null for a nested object's unset metadata (invoice_creation.invoice_data).
    return value is None or (
        isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    )


def version_refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """The refusal record for an event at another API version than the app reads."""
    received = event.get("api_version")
    if received == API_VERSION:
        return None
    return {"kind": "api_version", "received": received or "unknown", "pinned": API_VERSION}
