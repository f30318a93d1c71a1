"""Security at the door: headers on every response (a CSP allowing our origin and Stripe's
only), small request bodies, and input no reader sends (NUL characters, JSON nested too deep)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, request
from flask.json.provider import DefaultJSONProvider

CHALLENGE_ORIGIN = "https://challenges.cloudflare.com"
# Forms and JSON calls are small; the webhook view allows Stripe's larger events itself.
MAX_BODY_BYTES = 64 * 1024
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def content_security_policy(checkout_origin: str, challenge: bool = False) -> str:
    # The optional bot challenge runs its own script in its own frame.
    extra = f" {CHALLENGE_ORIGIN}" if challenge else ""
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            f"script-src 'self'{extra}",
            f"frame-src 'self'{extra}",
            "connect-src 'self'",
            # Chrome applies form-action to the redirect after POST /support: Checkout must pass.
            f"form-action 'self' {checkout_origin}",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deep to parse is bad JSON (a 400), not a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


def init_app(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json = JSONProvider(app)
    headers = {
        "Content-Security-Policy": content_security_policy(
            app.config["STRIPE_CHECKOUT_ORIGIN"],
            challenge=bool(app.config.get("DONATION_CHALLENGE_SITE_KEY")),
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "SAMEORIGIN",
    }

    @app.before_request
    def refuse_nul_characters() -> None:
        # No reader types a NUL (in a path, a query or a form), and PostgreSQL cannot store or
        # even look one up: refuse it at the door.
        query = request.query_string
        form = request.method == "POST" and request.mimetype in FORM_TYPES
        if (
            "\x00" in request.path
            or b"%00" in query
            or b"\x00" in query
            or (form and any("\x00" in value for value in request.form.values()))
        ):
            abort(400, description="The request contains a character we cannot accept.")

    @app.after_request
    def security_headers(response: Response) -> Response:
        # A response that brings its own (a page with its own CSP) keeps it.
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            # Only over https (directly or via a trusted proxy): it pins browsers to https.
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
