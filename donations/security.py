"""Security headers on every response, with a CSP that allows our origin and Stripe's only."""

from __future__ import annotations

from flask import Flask, Response, abort, request

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


def init_app(app: Flask) -> None:
    policy = content_security_policy(
        app.config["STRIPE_CHECKOUT_ORIGIN"],
        challenge=bool(app.config.get("DONATION_CHALLENGE_SITE_KEY")),
    )
    app.config.setdefault("MAX_CONTENT_LENGTH", 1024 * 1024)

    @app.before_request
    def refuse_nul_characters() -> None:
        # No reader types a NUL, and PostgreSQL cannot store one: refuse it at the door.
        values = list(request.args.values())
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += request.form.values()
        if any("\x00" in value for value in values):
            abort(400, description="The request contains a character we cannot accept.")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.is_secure:
            # Only over https (directly or via a trusted proxy): it pins browsers to https.
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
