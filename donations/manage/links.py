"""Signed, expiring "manage my donation" links: whoever holds one may open the Billing Portal."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from donations.models import Pledge
from donations.web import external_url

SALT = "manage-donation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def manage_url(pledge: Pledge) -> str:
    token = _serializer().dumps({"customer": pledge.customer_id})
    return external_url("manage.donation", token=token)


def customer_from_token(token: str) -> str | None:
    """The Stripe customer a link was made for; None when forged, garbled or expired."""
    max_age = current_app.config["MANAGE_LINK_MAX_AGE_SECONDS"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature:
        return None
    customer = data.get("customer") if isinstance(data, dict) else None
    return customer if isinstance(customer, str) and customer else None
