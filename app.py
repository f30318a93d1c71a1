"""The application factory: `flask --app app …` and gunicorn ("app:create_app()") find it here."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

import config
from donations import (
    articles,
    cli,
    errors,
    health,
    manage,
    security,
    stripe_gateway,
    support,
    webhooks,
)
from donations.extensions import csrf, db, limiter, migrate


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults and the environment, or from `test_config` in tests."""
    app = Flask(__name__, instance_relative_config=True)
    settings = config.load_settings()
    if test_config is not None:
        settings.update(test_config)
    app.config.update(settings)
    config.finalise(app.config, app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)

    configure_extensions(app)
    configure_features(app)
    configure_logging(app)
    return app


def configure_extensions(app: Flask) -> None:
    db.init_app(app)
    # Batch mode lets Alembic alter tables on SQLite too.
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    stripe_gateway.init_app(app)


def configure_features(app: Flask) -> None:
    for feature in (errors, security, health, articles, support, manage, webhooks, cli):
        feature.init_app(app)


def configure_logging(app: Flask) -> None:
    if app.debug or app.testing:
        return
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
