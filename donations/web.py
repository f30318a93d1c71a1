"""Small helpers shared by the views."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for links that leave the site (Stripe, e-mails): PUBLIC_BASE_URL wins.

    Works outside a request too (commands that send e-mails), where only the setting can say
    where the site lives.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        if not has_request_context():
            raise RuntimeError("PUBLIC_BASE_URL is not set: links sent from commands need it.")
        return url_for(endpoint, _external=True, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base.rstrip("/") + path
