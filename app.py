"""The application factory: `flask --app app …` and gunicorn ("app:create_app()") find it here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from donations import (
    articles,
    cli,
    errors,
    health,
    manage,
    observability,
    pipeline,
    prompts,
    reminders,
    security,
    staff,
    stripe_gateway,
    support,
    supporters,
    webhooks,
)
from donations.extensions import (
    LeanSessionInterface,
    db,
    login_manager,
    migrate,
    ping_idle_connections,
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults and the environment, or from `test_config` in tests."""
    app = pipeline.App(__name__, instance_relative_config=True)
    settings = config.load_settings()
    if test_config is not None:
        settings.update(test_config)
    app.config.update(settings)
    config.finalise(app.config, app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)

    configure_extensions(app)
    configure_features(app)
    configure_proxy(app)  # outermost, so every layer within sees the client's scheme and address
    return app


def configure_proxy(app: Flask) -> None:
    """Behind a load balancer, trust its X-Forwarded-* so client IPs and https are right."""
    hops = app.config["TRUSTED_PROXY_COUNT"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def configure_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_idle_connections(engine)
    # Batch mode lets Alembic alter tables on SQLite too.
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True
    )
    pipeline.init_csrf(app)
    pipeline.init_rate_limits(app)
    app.session_interface = LeanSessionInterface()
    # Only staff pages ask who is signed in (staff/__init__.py): a reader's page never loads,
    # checks or rewrites a staff session, so it sends no needless cookies.
    login_manager.init_app(app, add_context_processor=False)
    stripe_gateway.init_app(app)


def configure_features(app: Flask) -> None:
    for feature in (
        observability,
        errors,
        security,
        health,
        articles,
        support,
        manage,
        webhooks,
        staff,
        prompts,
        reminders,
        supporters,
        cli,
    ):
        feature.init_app(app)
