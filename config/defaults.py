"""Default settings: safe for development, every one overridable (see config.load_settings)."""

DEFAULTS = {
    # Development placeholder; validate() refuses it outside debug and tests.
    "SECRET_KEY": "dev-only-not-secret",
    "DATABASE_URL": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "STRIPE_SECRET_KEY": None,
    "STRIPE_PUBLISHABLE_KEY": None,
    "STRIPE_WEBHOOK_SECRET": None,
    "STRIPE_API_BASE": None,
    # Where Checkout lives: the form's CSP must allow the redirect there.
    "STRIPE_CHECKOUT_ORIGIN": None,
    "STRIPE_TIMEOUT_SECONDS": 10,
    "STRIPE_WEBHOOK_TOLERANCE_SECONDS": 300,
    "ALLOW_LIVE_PAYMENTS": False,
    "PUBLIC_BASE_URL": None,
    "REDIS_URL": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_DEFAULT_SENDER": "The Moscow Times <support@example.org>",
    "EMBED_ALLOWED_ORIGINS": [],
    "NEWSROOM_NAME": "The Moscow Times",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # Card-testing bots hammer donation forms: a reader never needs more than this.
    "DONATE_RATE_LIMIT": "10 per minute;60 per hour",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Amounts in major units per frequency (DESIGN §6); the same numbers in every currency.
    "DONATION_CURRENCIES": ["usd", "eur", "gbp"],
    "DONATION_DEFAULT_CURRENCY": "usd",
    "DONATION_DEFAULT_FREQUENCY": "monthly",
    "DONATION_AMOUNTS": {
        "once": {"presets": [5, 10, 25, 50], "default": 10, "minimum": 1},
        "monthly": {"presets": [2, 5, 10, 20], "default": 5, "minimum": 2},
        "annual": {"presets": [25, 50, 100, 200], "default": 50, "minimum": 10},
    },
    "DONATION_MAXIMUM": 10_000,
    # A "manage my donation" link opens the Billing Portal for this long after it is sent.
    "MANAGE_LINK_MAX_AGE_SECONDS": 7 * 24 * 3600,
    "MANAGE_LINK_RATE_LIMIT": "5 per hour",
    # The thank-you page stops waiting for Stripe's webhook after this and says so.
    "CONFIRMATION_PATIENCE_SECONDS": 120,
}
