"""Security headers on every response (a CSP allowing our origin and Stripe's only), and input
no reader sends (NUL characters, JSON nested too deep to parse) refused at the door."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, request
from flask.json.provider import DefaultJSONProvider

CHALLENGE_ORIGIN = "https://challenges.cloudflare.com"


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
    policy = content_security_policy(
        app.config["STRIPE_CHECKOUT_ORIGIN"],
        challenge=bool(app.config.get("DONATION_CHALLENGE_SITE_KEY")),
    )
    app.config.setdefault("MAX_CONTENT_LENGTH", 1024 * 1024)
    app.json = JSONProvider(app)

    @app.before_request
    def refuse_nul_characters() -> None:
        # No reader types a NUL (in a path, a query or a form), and PostgreSQL cannot store or
        # even look one up: refuse it at the door.
        values = [request.path, *request.args.values()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += request.form.values()
        if any("\x00" in value for value in values):
            abort(400, description="The request contains a character we cannot accept.")

    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "SAMEORIGIN",
    }
    # Only over https (directly or via a trusted proxy): it pins browsers to https.
    secure_headers = {**headers, "Strict-Transport-Security": "max-age=31536000; includeSubDomains"}

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # A view may set its own (the embed demo's CSP); one pass over the headers it has.
        present = {name.lower() for name, _ in response.headers.items()}
        wanted = secure_headers if request.is_secure else headers
        response.headers.extend(
            (name, value) for name, value in wanted.items() if name.lower() not in present
        )
        return response
