"""Every setting the service reads: its type, its default, and the checks that refuse unsafe ones.

One typed object, made once in create_app() from the environment (12-factor; Flask's CLI also
reads a `.env` file, which `make run` writes). Each field is read from the environment variable
of the same name: lists as comma-separated text, mappings as JSON. app.config is filled from it,
and that is what the code and Flask's extensions read afterwards.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_KEY = "dev-only-not-secret"
CommaList = Annotated[list[str], NoDecode]


def about(default: Any, description: str, **constraints: Any) -> Any:
    """A setting's default and what it is for (the README's table is made from these)."""
    return Field(default, description=description, **constraints)


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", env_ignore_empty=True)

    # Flask's own: FLASK_DEBUG=1 (or `flask run --debug`) is development, TESTING the suite.
    DEBUG: bool = Field(False, validation_alias=AliasChoices("DEBUG", "FLASK_DEBUG"), exclude=False)
    TESTING: bool = False

    # -- The site
    SECRET_KEY: str = about(
        DEV_SECRET_KEY,
        "Signs sessions, form tokens, cookies and links. Required outside development.",
    )
    SECRET_KEY_FALLBACKS: CommaList = about(
        [], "Older keys, comma-separated: what they signed still reads while a new key rolls out."
    )
    DATABASE_URL: str | None = about(
        None,
        "SQLAlchemy URL; `postgresql://…` goes through psycopg 3. SQLite under instance/ when unset.",
    )
    PUBLIC_BASE_URL: str | None = about(
        None,
        "The site's public address, for Stripe's return pages and e-mails. Required outside development.",
    )
    NEWSROOM_NAME: str = about("The Moscow Times", "The name on pages, Checkout and e-mails.")
    NEWSROOM_CONTACT_EMAIL: str = about(
        "support@example.org",
        "Where readers write to the newsroom: given in receipts, donors' e-mails and the form.",
    )
    LANGUAGES: CommaList = about(
        ["en", "ru"],
        "The languages the newsroom publishes in, each with a catalogue in translations/; the first is the default.",
    )
    EMBED_ALLOWED_ORIGINS: CommaList = about(
        [], "Other origins (the newsroom's other sites) whose pages may embed the prompts."
    )
    PUBLIC_MIRROR_ORIGINS: CommaList = about(
        [],
        "Other addresses readers reach this same site by (a mirror, an onion service), e.g. `http://abc….onion`: reader pages link relatively and forms posted from these are the site's own.",
    )
    TRUSTED_HOSTS: CommaList = about(
        [],
        "Host names requests may be addressed to; any other is refused (400). Unset: the hosts of `PUBLIC_BASE_URL` and `PUBLIC_MIRROR_ORIGINS` and loopback outside development, any in development. A load balancer's health check must send one of them, or list its address here.",
    )
    TRUSTED_PROXY_COUNT: int = about(
        0,
        "Proxies in front (nginx, a load balancer) whose X-Forwarded-* headers are trusted.",
        ge=0,
    )
    PUBLIC_CACHE_SECONDS: int = about(
        60,
        "How long nginx and browsers keep a page that is the same for every reader; edits show within it.",
        ge=0,
    )
    REDIS_URL: str | None = about(
        None,
        "Redis for rate limits and the app's cache, shared by every machine; memory when unset.",
    )
    LOG_FORMAT: Literal["json", "text"] = about(
        "json", "Log lines as JSON, or text for a person at a terminal."
    )
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = about(
        "INFO", "The lowest level logged."
    )
    SESSION_COOKIE_SECURE: bool | None = about(
        None,
        "Send cookies over https only. On unless in development or at a plain-http loopback address (`make run`); 0 turns it off.",
    )
    SESSION_COOKIE_SAMESITE: Literal["Lax", "Strict", "None"] = about(
        "Lax", "SameSite of the session cookie."
    )
    READER_COOKIE_SAMESITE: Literal["Lax", "Strict", "None"] = about(
        "Lax",
        "SameSite of the supporter pass and the metered paywall's cookie.",
    )

    # -- Stripe
    STRIPE_SECRET_KEY: str | None = about(
        None,
        "`sk_test_…`; a live key is refused unless ALLOW_LIVE_PAYMENTS=1. `sk_test_sandbox` with the sandbox.",
    )
    STRIPE_PUBLISHABLE_KEY: str | None = about(None, "`pk_test_…`.")
    STRIPE_WEBHOOK_SECRET: str | None = about(
        None, "`whsec_…` from the dashboard or `stripe listen`; `new,old` while rotating."
    )
    STRIPE_API_BASE: str | None = about(
        None, "The local sandbox's URL; unset means real Stripe (`make run` sets it)."
    )
    STRIPE_CHECKOUT_ORIGIN: str | None = about(
        None, "Where Checkout lives, for the form's CSP; follows STRIPE_API_BASE."
    )
    STRIPE_TIMEOUT_SECONDS: float = about(10, "How long a call to Stripe may take.", gt=0)
    STRIPE_WEBHOOK_TOLERANCE_SECONDS: int = about(300, "How old a signed webhook may be.", gt=0)
    ALLOW_LIVE_PAYMENTS: bool = about(False, "1 to accept an `sk_live_` key.")

    # -- E-mail
    MAIL_SERVER: str | None = about(
        None, "SMTP server; unset writes each message to instance/outbox/ instead."
    )
    MAIL_PORT: int = about(25, "SMTP port.")
    MAIL_USERNAME: str | None = about(None, "SMTP user.")
    MAIL_PASSWORD: str | None = about(None, "SMTP password.")
    MAIL_USE_TLS: bool = about(False, "STARTTLS to the SMTP server.")
    MAIL_DEFAULT_SENDER: str = about(
        "The Moscow Times <support@example.org>", "From: of every e-mail."
    )

    # -- Donations (DESIGN §6): amounts in major units, the same in every currency
    DONATION_CURRENCIES: CommaList = about(["usd", "eur", "gbp"], "Currencies readers may give in.")
    DONATION_DEFAULT_CURRENCY: str = about("usd", "The currency the form starts with.")
    DONATION_DEFAULT_FREQUENCY: Literal["once", "monthly", "annual"] = about(
        "monthly", "The tab the form starts on."
    )
    DONATION_AMOUNTS: dict[str, dict[str, Any]] = about(
        {
            "once": {"presets": [5, 10, 25, 50], "default": 10, "minimum": 1},
            "monthly": {"presets": [2, 5, 10, 20], "default": 5, "minimum": 2},
            "annual": {"presets": [25, 50, 100, 200], "default": 50, "minimum": 10},
        },
        "Presets, default and minimum per frequency, in major units (JSON).",
    )
    DONATION_MAXIMUM: int = about(10_000, "The largest gift taken online, in major units.", gt=0)
    DONATE_RATE_LIMIT: str = about(
        "10 per minute;60 per hour",
        "Donation attempts per address (card-testing bots hammer donation forms).",
    )
    DONATE_SESSION_RATE_LIMIT: str = about(
        "5 per minute;30 per hour", "The same per browser session, for bots that rotate addresses."
    )
    DONATION_CHALLENGE_SECRET: str | None = about(
        None, "Cloudflare Turnstile's secret: the bot challenge is off unless set."
    )
    DONATION_CHALLENGE_SITE_KEY: str | None = about(
        None, "Turnstile's site key for the form's widget."
    )
    DONATION_CHALLENGE_VERIFY_URL: str = about(
        "https://challenges.cloudflare.com/turnstile/v0/siteverify",
        "Where challenge tokens are checked.",
    )
    CONFIRMATION_PATIENCE_SECONDS: int = about(
        120, "How long the thank-you page waits for Stripe's webhook before it says so."
    )
    MANAGE_LINK_MAX_AGE_SECONDS: int = about(
        7 * 24 * 3600, 'How long an e-mailed "manage my donation" link opens the Billing Portal.'
    )
    MANAGE_LINK_RATE_LIMIT: str = about("5 per hour", "Manage-link requests per address.")
    CANCEL_SAVE_OFFERS: bool = about(
        True,
        "Before a cancellation is sent, offer a lower amount to a donor who gave a money "
        "reason and a pause to one who wants a break; 0 cancels straight away.",
    )
    WIN_BACK_REMINDERS: bool = about(
        True, 'After a cancellation, offer "remind me in 3 / 6 months" by e-mail.'
    )
    UPSELL_MONTHLY: Literal["off", "on"] = about(
        "off",
        'After a small one-off choice, offer "make it monthly?" before Checkout; an experiment '
        "variant's `upsell` change overrides it for its readers.",
    )
    UPSELL_BELOW: int = about(
        50, "One-off gifts below this (major units) get the monthly offer.", gt=0
    )
    ANNIVERSARY_EMAILS: bool = about(
        False,
        "1: `mail queue-anniversaries` thanks recurring donors on each anniversary of their first payment and offers a one-click raise (`make run` turns it on).",
    )
    UPGRADE_LINK_MAX_AGE_SECONDS: int = about(
        30 * 24 * 3600,
        'How long an anniversary e-mail\'s "raise to …" link works (once).',
        gt=0,
    )
    RECOVERY_FIRST_AFTER_HOURS: int = about(
        1, "Hours after an abandoned Checkout expired before its first reminder.", ge=0
    )
    RECOVERY_SECOND_AFTER_HOURS: int = about(
        24, "Hours after it expired before the second and last reminder; 0 sends one only.", ge=0
    )

    # -- Prompts (DESIGN §6): the rules the reader's browser applies, and how it reports back
    PROMPT_WINDOW_DAYS: int = about(30, "The window articles read and views are counted in.", gt=0)
    PROMPT_VIEW_CAPS: dict[str, int] = about(
        {"article-end": 4}, "Views per placement within the window (JSON)."
    )
    PROMPT_MIN_ARTICLES: dict[str, int] = about(
        {"banner": 3, "overlay": 3}, "Articles read before a placement may ask (JSON)."
    )
    PROMPT_DISMISS_DAYS: int = about(14, "How long a closed prompt stays away.", ge=0)
    PROMPT_SNOOZE_DAYS: int = about(
        7, 'How long "remind me later" without an e-mail stops the asks.', ge=0
    )
    PROMPT_VARIANT: str = about("default", "The variant name the prompts report.")
    PROMPT_IMPRESSION_SAMPLE_RATE: float = about(
        1.0,
        "The share of impressions reported, one in a whole number (0.1: one in ten); the funnel scales them back.",
        gt=0,
        le=1,
    )
    PROMPT_EVENTS_RATE_LIMIT: str = about(
        "60 per minute;600 per hour", "Event batches per address."
    )
    SUPPORTER_PASS_ONCE_DAYS: int = about(90, "Days a one-off donor is not asked.")
    SUPPORTER_PASS_RECURRING_DAYS: int = about(
        400, "How long a recurring supporter's pass lasts before it is renewed."
    )
    SUPPORTER_SIGN_IN_MAX_AGE_SECONDS: int = about(
        24 * 3600, 'How long an "Already a supporter?" link works.'
    )

    # -- Remind me later
    REMIND_RATE_LIMIT: str = about(
        "10 per minute;50 per hour", "Remind-me and supporter-link requests per address."
    )
    REMINDER_CUTOFF_DAY: int = about(
        20,
        "Past this day of the month the first reminder month offered is the one after next.",
        ge=1,
        le=28,
    )
    REMINDER_SECOND_AFTER_DAYS: int = about(7, "Days before the second (and last) reminder.")

    # -- The newsletter
    NEWSLETTER_RATE_LIMIT: str = about(
        "5 per minute;20 per hour", "Newsletter sign-ups per address."
    )

    # -- Donor safety
    DONOR_SAFETY: bool = about(
        False,
        "1: reader pages ask no third party for anything before the reader chooses to pay, and donors' e-mails have neutral subjects, sender names and bodies (`make run` turns it on).",
    )
    NEUTRAL_SENDER_NAME: str = about(
        "Reader services",
        "The sender's name on donors' e-mails under DONOR_SAFETY, and the name their bodies give the newsroom.",
    )
    PENDING_PLEDGE_RETENTION_DAYS: int = about(
        30,
        "`privacy purge` deletes checkouts abandoned (still pending, nothing paid) this many days ago.",
        ge=1,
    )
    EVENT_PAYLOAD_RETENTION_DAYS: int = about(
        400,
        "`privacy purge` empties the payloads of Stripe events older than this; their ids, types and outcomes stay.",
        ge=30,
    )

    # -- Paywall
    PAYWALL_MODE: Literal["off", "soft", "metered"] = about(
        "off",
        "`off` (donations only), `soft` (a dismissible overlay), `metered` (the body withheld).",
    )
    PAYWALL_FREE_ARTICLES: int = about(
        5, "Free articles in the window before the overlay or the meter.", ge=0
    )
    PAYWALL_ALLOWED_CRAWLERS: CommaList = about(
        ["Googlebot", "Bingbot"], "User-agent parts that always get the whole article."
    )

    # -- The staff dashboard
    STAFF_LOGIN_RATE_LIMIT: str = about(
        "10 per minute;50 per hour", "Sign-in attempts per address."
    )
    STAFF_SIGN_IN_FREE_ATTEMPTS: int = about(
        5,
        "Wrong passwords for an account (or from an address) before each further try waits, twice as long each time.",
        gt=0,
    )
    STAFF_SIGN_IN_MAX_WAIT_MINUTES: int = about(15, "The longest wait between tries.", gt=0)
    STAFF_SESSION_HOURS: int = about(
        12, "How long a staff sign-in lasts; signing out ends it at once.", gt=0
    )
    STAFF_PAGE_SIZE: int = about(50, "Pledges per page.", gt=0, le=500)
    STAFF_SETTLED_CACHE_SECONDS: int = about(
        300,
        "How long settled staff figures are kept: sums of days older than the charts' 90, "
        "and the retention page's 12-month value.",
        ge=0,
    )
    GOAL_TARGET: int = about(
        0, "New monthly supporters to win in the goal's period; 0 shows no goal.", ge=0
    )
    GOAL_PERIOD: Literal["month", "quarter", "year"] = about(
        "quarter", "The calendar period the goal counts new monthly supporters in (UTC)."
    )
    GOAL_PUBLIC: bool = about(False, "Show the goal's progress to readers in the appeal.")

    @field_validator(
        "SECRET_KEY_FALLBACKS",
        "LANGUAGES",
        "EMBED_ALLOWED_ORIGINS",
        "PUBLIC_MIRROR_ORIGINS",
        "TRUSTED_HOSTS",
        "DONATION_CURRENCIES",
        "PAYWALL_ALLOWED_CRAWLERS",
        mode="before",
    )
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("DONATION_CURRENCIES", "DONATION_DEFAULT_CURRENCY")
    @classmethod
    def _lower_case_currencies(cls, value: Any) -> Any:
        return [c.lower() for c in value] if isinstance(value, list) else value.lower()

    @field_validator("PROMPT_IMPRESSION_SAMPLE_RATE")
    @classmethod
    def _one_in_n(cls, rate: float) -> float:
        # Each impression that arrives then stands for a whole number of them.
        if abs(1 / rate - round(1 / rate)) > 1e-9:
            raise ValueError("must be one in a whole number: 1, 0.5, 0.25, 0.2, 0.1, 0.01…")
        return rate

    @model_validator(mode="after")
    def _fill_in_and_refuse_unsafe(self) -> Settings:
        if self.STRIPE_API_BASE and not self.STRIPE_SECRET_KEY:
            # The sandbox accepts any test key; no real key is needed to develop offline.
            self.STRIPE_SECRET_KEY = "sk_test_sandbox"
        if not self.STRIPE_CHECKOUT_ORIGIN:
            self.STRIPE_CHECKOUT_ORIGIN = self.STRIPE_API_BASE or "https://checkout.stripe.com"
        if self.SESSION_COOKIE_SECURE is None:
            # A browser keeps Secure cookies from https only; `make run` serves plain http on
            # loopback, where nothing travels over a network.
            self.SESSION_COOKIE_SECURE = not (
                self.development or plain_http_on_loopback(self.PUBLIC_BASE_URL)
            )
        if not self.TRUSTED_HOSTS and not (
            self.development or plain_http_on_loopback(self.PUBLIC_BASE_URL)
        ):
            # A forged Host header gets nothing built from it, and nothing cached under it.
            public = [self.PUBLIC_BASE_URL or "", *self.PUBLIC_MIRROR_ORIGINS]
            hosts = [urlsplit(url).hostname for url in public]
            self.TRUSTED_HOSTS = [host for host in hosts if host] + list(LOOPBACK)
        refuse_unsafe(self)
        return self

    @property
    def development(self) -> bool:
        return self.DEBUG or self.TESTING

    def flask_config(self, instance_path: str) -> dict[str, Any]:
        """app.config: every setting, and what Flask's extensions derive from them."""
        return {
            **self.model_dump(),
            "SQLALCHEMY_DATABASE_URI": database_uri(self.DATABASE_URL, instance_path),
            # Connections a database restart left dead are replaced unseen.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_recycle": 1800},
            "RATELIMIT_STORAGE_URI": self.REDIS_URL or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            # If Redis goes away, keep limiting per machine rather than failing donations.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "CACHE_TYPE": "RedisCache" if self.REDIS_URL else "SimpleCache",
            "CACHE_REDIS_URL": self.REDIS_URL,
            "CACHE_KEY_PREFIX": "donations:",
            "BABEL_DEFAULT_LOCALE": self.LANGUAGES[0] if self.LANGUAGES else "en",
            "SESSION_COOKIE_HTTPONLY": True,
            # Staff sessions carry refund rights: never readable by scripts.
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.SESSION_COOKIE_SECURE,
            "TRUSTED_HOSTS": self.TRUSTED_HOSTS or None,
        }


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment, `overrides` winning; ConfigError if unusable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(_in_words(error)) from None


def database_uri(url: str | None, instance_path: str) -> str:
    """SQLAlchemy URI for DATABASE_URL; SQLite under instance/ when unset."""
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "donations.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def plain_http_on_loopback(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme == "http" and parts.hostname in LOOPBACK


def refuse_unsafe(settings: Settings) -> None:
    """Fail fast, with a message naming the variable, on settings that cannot work."""
    production = not settings.development
    if production and settings.SECRET_KEY == DEV_SECRET_KEY:
        raise ValueError(
            "SECRET_KEY is not set: generate one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` and export it."
        )
    stripe_key = settings.STRIPE_SECRET_KEY or ""
    if not stripe_key:
        raise ValueError(
            "STRIPE_SECRET_KEY is not set: use a test key (sk_test_…) from the Stripe dashboard, "
            "or set STRIPE_API_BASE to the local sandbox (make run does this)."
        )
    if not stripe_key.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
        raise ValueError("STRIPE_SECRET_KEY does not look like a Stripe secret key (sk_test_…).")
    if "_live_" in stripe_key and not settings.ALLOW_LIVE_PAYMENTS:
        raise ValueError(
            "STRIPE_SECRET_KEY is a live key: real cards would be charged. "
            "Set ALLOW_LIVE_PAYMENTS=1 if that is what you mean."
        )
    if production and not settings.PUBLIC_BASE_URL:
        raise ValueError(
            "PUBLIC_BASE_URL is not set: e-mails and Stripe's return pages link to it, "
            "e.g. https://support.example.org."
        )
    webhook_secrets = (settings.STRIPE_WEBHOOK_SECRET or "").split(",")
    if not all(secret.strip().startswith("whsec_") for secret in webhook_secrets):
        raise ValueError(
            "STRIPE_WEBHOOK_SECRET is not set (or not a whsec_… secret): `stripe listen` prints "
            "one; without it no payment can be confirmed. While rotating, give both: new,old."
        )
    frequencies = {"once", "monthly", "annual"}
    if set(settings.DONATION_AMOUNTS) != frequencies or not all(
        {"presets", "default", "minimum"} <= set(rule)
        for rule in settings.DONATION_AMOUNTS.values()
    ):
        raise ValueError(
            "DONATION_AMOUNTS must give presets, default and minimum for once, monthly and annual."
        )
    if settings.DONOR_SAFETY and settings.DONATION_CHALLENGE_SITE_KEY:
        raise ValueError(
            "DONOR_SAFETY=1 loads nothing from third parties on reader pages, but the bot "
            "challenge (DONATION_CHALLENGE_SITE_KEY) loads Cloudflare's script: unset one of them."
        )
    if settings.DONATION_DEFAULT_CURRENCY not in settings.DONATION_CURRENCIES:
        raise ValueError("DONATION_DEFAULT_CURRENCY must be one of DONATION_CURRENCIES.")


# Pydantic's error types, in words a person setting a variable understands.
_WORDS = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be 1 or 0",
    "float_parsing": "must be a number",
    "json_invalid": "must be JSON",
    "literal_error": "must be one of",
}


def markdown_table() -> str:
    """The README's table of settings, made from the fields above (tests/test_config.py keeps
    the README's copy the same)."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.description:
            rows.append(f"| `{name}` | {field.description} | {shown(field.default)} |")
    return "\n".join(rows)


def shown(default: Any) -> str:
    if default is None or default == []:
        return "—"
    if isinstance(default, bool):
        return "`1`" if default else "`0`"
    if isinstance(default, list):
        return f"`{','.join(default)}`"
    if isinstance(default, dict):
        return f"`{json.dumps(default, separators=(',', ':'))}`"
    return f"`{default}`"


def _in_words(error: ValidationError) -> str:
    problems = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"])
        if not name:  # a check across settings: its message names the variable itself
            problems.append(str(problem.get("ctx", {}).get("error", problem["msg"])))
            continue
        words = _WORDS.get(problem["type"])
        if words == "must be one of":
            words = f"must be one of {problem['ctx']['expected']}"
        detail = words or problem["msg"].lower()
        problems.append(f"{name} {detail}, not {problem.get('input')!r}.")
    return " ".join(problems)
