"""The factory and its settings: environment overrides, and unsafe settings refused at start-up."""

from __future__ import annotations

import pytest

import config
from app import create_app
from config import ConfigError

SANDBOX_ENV = {
    "SECRET_KEY": "a-real-secret",
    "STRIPE_API_BASE": "http://127.0.0.1:12111",
    "STRIPE_WEBHOOK_SECRET": "whsec_test",
    "PUBLIC_BASE_URL": "https://support.example.org",
}


def settings_for(environ: dict[str, str]) -> dict[str, object]:
    settings = config.load_settings(environ)
    config.finalise(settings, "/srv/instance")
    return settings


def test_environment_overrides_defaults():
    settings = settings_for({**SANDBOX_ENV, "MAIL_PORT": "2525", "ALLOW_LIVE_PAYMENTS": "0"})
    assert settings["MAIL_PORT"] == 2525
    assert settings["ALLOW_LIVE_PAYMENTS"] is False
    assert settings["STRIPE_SECRET_KEY"] == "sk_test_sandbox"


def test_sqlite_under_instance_when_no_database_url():
    settings = settings_for(SANDBOX_ENV)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/instance/donations.sqlite3"


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_postgres_urls_use_psycopg(scheme):
    settings = settings_for({**SANDBOX_ENV, "DATABASE_URL": scheme + "u:p@db:5432/news"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/news"


def test_checkout_origin_follows_the_sandbox_or_stripe():
    assert settings_for(SANDBOX_ENV)["STRIPE_CHECKOUT_ORIGIN"] == "http://127.0.0.1:12111"
    real = {**SANDBOX_ENV, "STRIPE_SECRET_KEY": "sk_test_abc"}
    del real["STRIPE_API_BASE"]
    assert settings_for(real)["STRIPE_CHECKOUT_ORIGIN"] == "https://checkout.stripe.com"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL is not set"),
        ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET is not set"),
        ({"STRIPE_API_BASE": ""}, "STRIPE_SECRET_KEY is not set"),
        ({"STRIPE_SECRET_KEY": "pk_test_oops"}, "does not look like a Stripe secret key"),
        ({"STRIPE_SECRET_KEY": "sk_live_123"}, "live key"),
        ({"MAIL_PORT": "twenty-five"}, "MAIL_PORT must be a whole number"),
        ({"ALLOW_LIVE_PAYMENTS": "maybe"}, "ALLOW_LIVE_PAYMENTS must be 1 or 0"),
    ],
)
def test_unsafe_settings_are_refused_with_a_clear_message(change, message):
    with pytest.raises(ConfigError, match=message):
        settings_for({**SANDBOX_ENV, **change})


def test_live_key_accepted_only_when_explicitly_allowed():
    live = {**SANDBOX_ENV, "STRIPE_SECRET_KEY": "sk_live_123", "ALLOW_LIVE_PAYMENTS": "1"}
    assert settings_for(live)["STRIPE_SECRET_KEY"] == "sk_live_123"


def test_create_app_reads_the_environment(monkeypatch, tmp_path):
    for name, value in SANDBOX_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("NEWSROOM_NAME", "The Daily Example")
    app = create_app()
    assert app.config["NEWSROOM_NAME"] == "The Daily Example"
    assert not app.testing


def test_create_app_refuses_to_start_without_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:12111")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
