"""The platform every feature stands on: settings, extensions, the database, signing, caching,
security headers, request ids and logs, error pages, health checks and mail. It knows nothing
of pledges, prompts or readers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.cli import load_dotenv
from flask.helpers import get_load_dotenv
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Settings, load_settings
from donations.platform import errors, health, i18n, observability, security, web
from donations.platform.extensions import cache, csrf, db, limiter, login_manager, migrate


def configure(app: Flask, test_config: Mapping[str, Any] | None = None) -> Settings:
    """Settings into app.config, then the extensions and the request pipeline."""
    if test_config is None:
        # A real start reads .env as Flask's CLI does (the environment wins): `flask --help`
        # lists the commands before its own loading runs. FLASK_SKIP_DOTENV=1 turns it off.
        load_dotenv(load_defaults=get_load_dotenv())
    overrides = dict(test_config or {})
    known = {name: overrides.pop(name) for name in list(overrides) if name in Settings.model_fields}
    settings = load_settings(**known)
    app.config.from_mapping(settings.flask_config(app.instance_path))
    app.config.from_mapping(overrides)  # extensions' own settings, from tests
    app.extensions["settings"] = settings
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    # Batch mode lets Alembic alter tables on SQLite too.
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app, add_context_processor=False)
    for part in (observability, security, errors, health, web, i18n):
        part.init_app(app)
    return settings


def trust_proxies(app: Flask) -> None:
    """Behind a load balancer, trust its X-Forwarded-* so client IPs and https are right.
    Called last: ProxyFix must wrap every other layer."""
    hops = app.config["TRUSTED_PROXY_COUNT"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
