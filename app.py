"""The application factory: `flask --app app …` and gunicorn ("app:create_app()") find it here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from donations import (
    articles,
    cli,
    experiments,
    manage,
    newsletter,
    payments,
    platform,
    prompts,
    receipts,
    reminders,
    staff,
    support,
    supporters,
)

# Features depend on the platform and the payment core, never on each other.
FEATURES = (
    articles,
    support,
    prompts,
    reminders,
    newsletter,
    supporters,
    manage,
    staff,
    receipts,
    experiments,
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults and the environment, or with `test_config` on top in tests."""
    app = Flask(__name__, instance_relative_config=True)
    platform.configure(app, test_config)
    payments.init_app(app)
    for feature in FEATURES:
        feature.init_app(app)
    cli.init_app(app)
    platform.trust_proxies(app)
    return app
