"""The factory and its settings: environment overrides, and unsafe settings refused at start-up."""

from __future__ import annotations

import re
from pathlib import Path

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


@pytest.fixture
def settings_for(monkeypatch):
    """The app's config as create_app() would make it from exactly this environment."""

    def load(environ: dict[str, str]) -> dict[str, object]:
        for name in config.Settings.model_fields:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv("FLASK_DEBUG", raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return config.load_settings().flask_config("/srv/instance")

    return load


def test_environment_overrides_defaults(settings_for):
    settings = settings_for({**SANDBOX_ENV, "MAIL_PORT": "2525", "ALLOW_LIVE_PAYMENTS": "0"})
    assert settings["MAIL_PORT"] == 2525
    assert settings["ALLOW_LIVE_PAYMENTS"] is False
    assert settings["STRIPE_SECRET_KEY"] == "sk_test_sandbox"


def test_sqlite_under_instance_when_no_database_url(settings_for):
    settings = settings_for(SANDBOX_ENV)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/instance/donations.sqlite3"


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_postgres_urls_use_psycopg(scheme, settings_for):
    settings = settings_for({**SANDBOX_ENV, "DATABASE_URL": scheme + "u:p@db:5432/news"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/news"


def test_checkout_origin_follows_the_sandbox_or_stripe(settings_for):
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
def test_unsafe_settings_are_refused_with_a_clear_message(change, message, settings_for):
    with pytest.raises(ConfigError, match=message):
        settings_for({**SANDBOX_ENV, **change})


def test_live_key_accepted_only_when_explicitly_allowed(settings_for):
    live = {**SANDBOX_ENV, "STRIPE_SECRET_KEY": "sk_live_123", "ALLOW_LIVE_PAYMENTS": "1"}
    assert settings_for(live)["STRIPE_SECRET_KEY"] == "sk_live_123"


@pytest.mark.parametrize(
    "change, secure",
    [
        ({}, True),
        ({"PUBLIC_BASE_URL": "http://donate.example.org"}, True),
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, False),  # make run
        ({"PUBLIC_BASE_URL": "http://localhost:5000"}, False),
        ({"FLASK_DEBUG": "1"}, False),
        ({"SESSION_COOKIE_SECURE": "0"}, False),
        ({"SESSION_COOKIE_SECURE": "1", "FLASK_DEBUG": "1"}, True),
    ],
)
def test_cookies_are_https_only_unless_in_development_or_on_plain_loopback(
    settings_for, change, secure
):
    settings = settings_for({**SANDBOX_ENV, **change})
    assert settings["SESSION_COOKIE_SECURE"] is secure
    assert settings["REMEMBER_COOKIE_SECURE"] is secure


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


# The README's table of settings ------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_settings() -> list[str]:
    table = README.read_text().split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    return re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.M)


def test_the_readme_table_is_the_settings_own():
    table = README.read_text().split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    assert table.strip() == config.settings.markdown_table()


@pytest.mark.parametrize(
    "change, hosts",
    [
        (
            {"PUBLIC_MIRROR_ORIGINS": "http://abc.onion"},
            ["support.example.org", "abc.onion", "127.0.0.1", "localhost", "::1"],
        ),
        ({"TRUSTED_HOSTS": "donate.example.org"}, ["donate.example.org"]),
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, None),  # make run
        ({"FLASK_DEBUG": "1"}, None),
    ],
)
def test_requests_must_name_the_sites_own_hosts_outside_development(settings_for, change, hosts):
    assert settings_for({**SANDBOX_ENV, **change})["TRUSTED_HOSTS"] == hosts


def test_a_request_for_another_host_is_refused_in_words(make_app):
    client = make_app(TRUSTED_HOSTS=["support.example.org"]).test_client()
    assert client.get("/", headers={"Host": "support.example.org"}).status_code == 200
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert refused.get_data(as_text=True) == "This site does not answer to that address."


# A value of each kind that differs from every default, and what the app should make of it.
SAMPLES = {
    bool: ("1", True),
    int: ("7", 7),
    float: ("0.25", 0.25),
    str: ("set-from-the-environment", "set-from-the-environment"),
}
SPECIAL = {
    # Values that must make sense to pass the start-up checks.
    "SECRET_KEY": ("another-real-secret", "another-real-secret"),
    "STRIPE_SECRET_KEY": ("sk_test_fromenv", "sk_test_fromenv"),
    "STRIPE_WEBHOOK_SECRET": ("whsec_fromenv", "whsec_fromenv"),
    "DONATION_DEFAULT_CURRENCY": ("EUR", "eur"),
    "DONATION_CURRENCIES": ("usd, eur", ["usd", "eur"]),
    "DONATION_AMOUNTS": (
        '{"once": {"presets": [3], "default": 3, "minimum": 1}, '
        '"monthly": {"presets": [4], "default": 4, "minimum": 2}, '
        '"annual": {"presets": [30], "default": 30, "minimum": 10}}',
        {
            "once": {"presets": [3], "default": 3, "minimum": 1},
            "monthly": {"presets": [4], "default": 4, "minimum": 2},
            "annual": {"presets": [30], "default": 30, "minimum": 10},
        },
    ),
    "PROMPT_VIEW_CAPS": ('{"article-end": 2}', {"article-end": 2}),
    "PROMPT_MIN_ARTICLES": ('{"banner": 1}', {"banner": 1}),
    "REMINDER_CUTOFF_DAY": ("12", 12),
    "EVENT_PAYLOAD_RETENTION_DAYS": ("90", 90),
    "SESSION_COOKIE_SECURE": ("0", False),  # 1 is the default at an https address
    "STRIPE_TIMEOUT_SECONDS": ("3.5", 3.5),
    "LANGUAGES": ("en,ru", ["en", "ru"]),
}


def sample_for(name: str) -> tuple[str, object]:
    if name in SPECIAL:
        return SPECIAL[name]
    annotation = config.Settings.model_fields[name].annotation
    choices = getattr(annotation, "__args__", ())
    if str(annotation).startswith("typing.Literal"):
        default = config.Settings.model_fields[name].default
        other = next(choice for choice in choices if choice != default)
        return other, other
    if str(annotation).startswith("list"):
        return "a.example, b.example", ["a.example", "b.example"]
    kind = next((t for t in (bool, int, float, str) if t is annotation or t in choices), str)
    return SAMPLES[kind]


@pytest.mark.parametrize("name", readme_settings())
def test_every_setting_the_readme_names_is_read_from_the_environment(settings_for, name):
    value, expected = sample_for(name)
    environ = {**SANDBOX_ENV, name: value}
    if name == "STRIPE_SECRET_KEY":
        environ.pop("STRIPE_API_BASE")
    assert settings_for(environ)[name] == expected


def test_every_setting_is_in_the_readme():
    documented = set(readme_settings())
    assert set(config.Settings.model_fields) - documented == {"DEBUG", "TESTING"}


@pytest.mark.parametrize(("rate", "refused"), [("0.1", False), ("0.25", False), ("0.4", True)])
def test_impressions_are_sampled_one_in_a_whole_number(settings_for, rate, refused):
    environ = {**SANDBOX_ENV, "PROMPT_IMPRESSION_SAMPLE_RATE": rate}
    if refused:
        with pytest.raises(ConfigError, match="one in a whole number"):
            settings_for(environ)
    else:
        assert settings_for(environ)["PROMPT_IMPRESSION_SAMPLE_RATE"] == float(rate)
