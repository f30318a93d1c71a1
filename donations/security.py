"""Security headers on every response (a CSP allowing our origin and Stripe's only), and input
no reader sends (NUL characters, JSON nested too deep to parse) refused at the door."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider

CHALLENGE_ORIGIN = "https://challenges.cloudflare.com"
FORM_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
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
        # The raw query is searched, not its decoded values: the page view's hot path.
        query = request.query_string
        form = request.method in FORM_METHODS and request.mimetype in FORM_TYPES
        if (
            "\x00" in request.path
            or b"%00" in query
            or b"\x00" in query
            or (form and any("\x00" in value for value in request.form.values()))
        ):
            abort(400, description="The request contains a character we cannot accept.")

    plain = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "SAMEORIGIN"),
    ]
    # Only over https (directly or via a trusted proxy): it pins browsers to https.
    secure = [*plain, ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")]
    app.wsgi_app = SecurityHeaders(app.wsgi_app, plain, secure)  # type: ignore[method-assign]


class SecurityHeaders:
    """WSGI middleware: the security headers on every response, error pages included.

    They are appended to the header list on its way out, without the checks Flask's Headers
    make on each one (a tenth of the per-page-view prompt call, bench/profile.py). A response
    that brings its own (a page with its own CSP) keeps it.
    """

    def __init__(self, app: Any, plain: list[tuple[str, str]], secure: list[tuple[str, str]]):
        self.app = app
        self.plain = [(name.lower(), (name, value)) for name, value in plain]
        self.secure = [(name.lower(), (name, value)) for name, value in secure]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        wanted = self.secure if environ.get("wsgi.url_scheme") == "https" else self.plain

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend(header for lowered, header in wanted if lowered not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)
