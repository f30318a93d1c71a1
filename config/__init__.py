"""Settings: safe defaults in code, overridden by environment variables inside create_app()."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from config.defaults import DEFAULTS


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


# Environment variables read as-is (strings), and those parsed into other types.
_STRING_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "STRIPE_CHECKOUT_ORIGIN",
    "PUBLIC_BASE_URL",
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "NEWSROOM_NAME",
    "DONATE_RATE_LIMIT",
    "DONATE_SESSION_RATE_LIMIT",
    "DONATION_CHALLENGE_SECRET",
    "DONATION_CHALLENGE_SITE_KEY",
    "DONATION_CHALLENGE_VERIFY_URL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "REMIND_RATE_LIMIT",
    "PAYWALL_MODE",
    "READER_COOKIE_SAMESITE",
)
_INT_SETTINGS = (
    "MAIL_PORT",
    "TRUSTED_PROXY_COUNT",
    "PAYWALL_FREE_ARTICLES",
    "ARTICLE_PAGE_CACHE_SECONDS",
)
_BOOL_SETTINGS = ("ALLOW_LIVE_PAYMENTS", "MAIL_USE_TLS", "SESSION_COOKIE_SECURE")
_LIST_SETTINGS = ("EMBED_ALLOWED_ORIGINS", "PAYWALL_ALLOWED_CRAWLERS")
PAYWALL_MODES = ("off", "soft", "metered")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the defaults overridden by whatever the environment sets."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name in _STRING_SETTINGS:
        if environ.get(name):
            settings[name] = environ[name].strip()
    for name in _INT_SETTINGS:
        if environ.get(name):
            settings[name] = _parse_int(name, environ[name])
    for name in _BOOL_SETTINGS:
        if name in environ:
            settings[name] = _parse_bool(name, environ[name])
    for name in _LIST_SETTINGS:
        if environ.get(name):
            settings[name] = [item.strip() for item in environ[name].split(",") if item.strip()]
    return settings


def finalise(settings: dict[str, Any], instance_path: str) -> None:
    """Fill in settings derived from others, then refuse configurations that are unsafe."""
    settings["SQLALCHEMY_DATABASE_URI"] = database_uri(settings.get("DATABASE_URL"), instance_path)
    if settings.get("STRIPE_API_BASE") and not settings.get("STRIPE_SECRET_KEY"):
        # The sandbox accepts any test key; no real key is needed to develop offline.
        settings["STRIPE_SECRET_KEY"] = "sk_test_sandbox"
    if not settings.get("STRIPE_CHECKOUT_ORIGIN"):
        settings["STRIPE_CHECKOUT_ORIGIN"] = settings.get("STRIPE_API_BASE") or (
            "https://checkout.stripe.com"
        )
    validate(settings)


def database_uri(url: str | None, instance_path: str) -> str:
    """SQLAlchemy URI for DATABASE_URL; SQLite under instance/ when unset."""
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "donations.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def validate(settings: Mapping[str, Any]) -> None:
    """Fail fast, with a message naming the variable, on settings that cannot work."""
    production = not (settings.get("DEBUG") or settings.get("TESTING"))
    secret_key = settings.get("SECRET_KEY") or ""
    if production and (not secret_key or secret_key == DEFAULTS["SECRET_KEY"]):
        raise ConfigError(
            "SECRET_KEY is not set: generate one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` and export it."
        )
    stripe_key = settings.get("STRIPE_SECRET_KEY") or ""
    if not stripe_key:
        raise ConfigError(
            "STRIPE_SECRET_KEY is not set: use a test key (sk_test_…) from the Stripe dashboard, "
            "or set STRIPE_API_BASE to the local sandbox (make run does this)."
        )
    if not stripe_key.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
        raise ConfigError("STRIPE_SECRET_KEY does not look like a Stripe secret key (sk_test_…).")
    if "_live_" in stripe_key and not settings.get("ALLOW_LIVE_PAYMENTS"):
        raise ConfigError(
            "STRIPE_SECRET_KEY is a live key: real cards would be charged. "
            "Set ALLOW_LIVE_PAYMENTS=1 if that is what you mean."
        )
    if settings.get("LOG_FORMAT", "json") not in ("json", "text"):
        raise ConfigError("LOG_FORMAT must be json or text.")
    if settings.get("PAYWALL_MODE", "off") not in PAYWALL_MODES:
        raise ConfigError("PAYWALL_MODE must be off, soft or metered.")
    if production and not settings.get("PUBLIC_BASE_URL"):
        raise ConfigError(
            "PUBLIC_BASE_URL is not set: e-mails and Stripe's return pages link to it, "
            "e.g. https://support.example.org."
        )
    webhook_secrets = (settings.get("STRIPE_WEBHOOK_SECRET") or "").split(",")
    if not all(secret.strip().startswith("whsec_") for secret in webhook_secrets):
        raise ConfigError(
            "STRIPE_WEBHOOK_SECRET is not set (or not a whsec_… secret): `stripe listen` prints "
            "one; without it no payment can be confirmed. While rotating, give both: new,old."
        )


def _parse_int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None


def _parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}.")
