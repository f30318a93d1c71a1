"""Restoring a supporter pass on another device through an e-mailed, signed, expiring link."""

from __future__ import annotations

import logging

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from donations import pledge_status
from donations.extensions import db
from donations.mail import MailError, send_email
from donations.models import Pledge, utcnow
from donations.supporters.passes import SupporterPass, pass_for
from donations.web import external_url

log = logging.getLogger(__name__)
SALT = "supporter-sign-in"


INVALID = "This link is not valid. Please ask for a new one."


class SignInLinkInvalid(Exception):
    """The link was altered or has expired; the message says which, in a reader's words."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def best_pass(email: str) -> SupporterPass | None:
    """The longest-lasting pass this e-mail's confirmed pledges earn now."""
    query = select(Pledge).where(
        func.lower(Pledge.email) == email.strip().lower(),
        Pledge.status.in_(pledge_status.CONFIRMED),
    )
    now = utcnow()
    passes = [p for p in (pass_for(pledge, now) for pledge in db.session.scalars(query)) if p]
    passes.sort(key=lambda p: (p.is_recurring, p.expires_at))
    return passes[-1] if passes else None


def request_sign_in(email: str) -> None:
    """E-mail a sign-in link when this address has given; otherwise do nothing, silently."""
    email = email.strip().lower()
    if best_pass(email) is None:
        return
    token = _serializer().dumps({"e": email})
    try:
        send_email(
            email,
            f"Your {current_app.config['NEWSROOM_NAME']} supporter link",
            "supporter_sign_in",
            newsroom=current_app.config["NEWSROOM_NAME"],
            link=external_url("supporters.restore", token=token),
            hours=current_app.config["SUPPORTER_SIGN_IN_MAX_AGE_SECONDS"] // 3600,
        )
    except MailError:
        # The reader sees the same neutral answer either way; the failure is ours to fix.
        log.exception("supporter sign-in link not sent")


def restore(token: str) -> SupporterPass | None:
    """The pass a valid link restores (None when the gift no longer earns one)."""
    try:
        payload = _serializer().loads(
            token, max_age=current_app.config["SUPPORTER_SIGN_IN_MAX_AGE_SECONDS"]
        )
    except SignatureExpired:
        raise SignInLinkInvalid("This link has expired. Please ask for a new one.") from None
    except BadSignature:
        raise SignInLinkInvalid(INVALID) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        raise SignInLinkInvalid(INVALID)  # signed by us, but not a sign-in link's shape
    return best_pass(payload["e"])
