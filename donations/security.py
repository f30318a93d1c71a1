"""Security headers on every response, with a CSP that allows our origin and Stripe's only."""

from __future__ import annotations

from flask import Flask, Response


def content_security_policy(checkout_origin: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
            # Chrome applies form-action to the redirect after POST /support: Checkout must pass.
            f"form-action 'self' {checkout_origin}",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    policy = content_security_policy(app.config["STRIPE_CHECKOUT_ORIGIN"])
    app.config.setdefault("MAX_CONTENT_LENGTH", 1024 * 1024)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
