"""Small helpers shared by the views."""

from __future__ import annotations

from typing import Any

from flask import Request, current_app, has_request_context, url_for


def cookie(request: Request, name: str) -> str | None:
    """The cookie's value, or None. request.cookies.get() raises and catches an exception for a
    missing cookie, and most page views lack most of ours."""
    cookies = request.cookies
    return cookies[name] if name in cookies else None  # noqa: SIM401 (.get is the slow path)


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
