"""Default settings: safe for development, every one overridable (see config.load_settings)."""

DEFAULTS = {
    # Development placeholder; validate() refuses it outside debug and tests.
    "SECRET_KEY": "dev-only-not-secret",
    "DATABASE_URL": None,
    # Connections a database restart left dead are replaced unseen: those idle for a second
    # are checked before use (extensions.ping_idle_connections).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
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
    "LOG_FORMAT": "json",  # or "text"
    "LOG_LEVEL": "INFO",
    # Proxies in front of the app (a load balancer: 1); their X-Forwarded-* headers are trusted.
    "TRUSTED_PROXY_COUNT": 0,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # Card-testing bots hammer donation forms: a reader never needs more than this.
    "DONATE_RATE_LIMIT": "10 per minute;60 per hour",
    # The same, per browser session, for bots that rotate addresses.
    "DONATE_SESSION_RATE_LIMIT": "5 per minute;30 per hour",
    # Optional bot challenge (Turnstile): off unless the secret is set.
    "DONATION_CHALLENGE_SECRET": None,
    "DONATION_CHALLENGE_SITE_KEY": None,
    "DONATION_CHALLENGE_VERIFY_URL": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    "RATELIMIT_HEADERS_ENABLED": True,
    # If Redis goes away, keep limiting per machine rather than failing donations.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
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
    # Rendered article pages are kept this long per worker (0: render every view).
    "ARTICLE_PAGE_CACHE_SECONDS": 60,
    # Prompts (DESIGN §6): caps and durations, every one configurable.
    "PROMPT_WINDOW_DAYS": 30,
    "PROMPT_VIEW_CAPS": {"article-end": 4},
    "PROMPT_MIN_ARTICLES": {"banner": 3, "overlay": 3},
    "PROMPT_DISMISS_DAYS": 14,
    "PROMPT_SNOOZE_DAYS": 7,
    "PROMPT_VARIANT": "default",
    # Form tokens of the embedded component; they also bind its calls to the page's origin.
    "PROMPT_TOKEN_MAX_AGE_SECONDS": 6 * 3600,
    "SUPPORTER_PASS_ONCE_DAYS": 90,
    "SUPPORTER_PASS_RECURRING_DAYS": 400,
    "SUPPORTER_SIGN_IN_MAX_AGE_SECONDS": 24 * 3600,
    # Reader-state cookies; "None" (with SESSION_COOKIE_SECURE) lets other sites' embeds send them.
    "READER_COOKIE_SAMESITE": "Lax",
    "REMIND_RATE_LIMIT": "10 per minute;50 per hour",
    # A reminder goes in the month after next once this day of the month has passed.
    "REMINDER_CUTOFF_DAY": 20,
    "REMINDER_SECOND_AFTER_DAYS": 7,
    # off: the donation model; soft: a dismissible overlay; metered: the body is withheld.
    "PAYWALL_MODE": "off",
    "PAYWALL_FREE_ARTICLES": 5,
    "PAYWALL_ALLOWED_CRAWLERS": ["Googlebot", "Bingbot"],
}
