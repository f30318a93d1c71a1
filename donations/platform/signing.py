"""The one way to sign a value that leaves the server (cookies, links in e-mails, tokens)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import URLSafeTimedSerializer


def signer(salt: str) -> URLSafeTimedSerializer:
    """A serializer for one purpose (its salt), signing with SECRET_KEY.

    Values signed with a key in SECRET_KEY_FALLBACKS still load, so rotating the key does not
    sign every supporter out or break the links already sent. `loads(..., max_age=…)` checks age.
    """
    config = current_app.config
    keys = [*config.get("SECRET_KEY_FALLBACKS", []), current_app.secret_key]
    return URLSafeTimedSerializer(keys, salt=salt)
