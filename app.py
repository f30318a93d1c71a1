"""The application factory: `flask --app app …` and gunicorn ("app:create_app()") find it here."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from donations import (
    articles,
    cli,
    errors,
    health,
    manage,
    observability,
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
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class App(Flask):
    """Flask, remembering which functions are plain: it asks of every hook and view on every
    request whether it is async (a dozen inspect calls per page view, bench/profile.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runnable: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        runnable = self._runnable.get(func)
        if runnable is None:
            runnable = self._runnable[func] = super().ensure_sync(func)
        return runnable


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults and the environment, or from `test_config` in tests."""
    app = App(__name__, instance_relative_config=True)
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
    # Batch mode lets Alembic alter tables on SQLite too.
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True
    )
    # Flask-WTF's own hook matches every request's view against the exemptions before it
    # looks at the method; ours asks only requests that can carry a form (bench/profile.py).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(protect_forms)
    configure_rate_limits(app)
    app.session_interface = LeanSessionInterface()
    # Only staff pages ask who is signed in (staff/__init__.py): a reader's page never loads,
    # checks or rewrites a staff session, so it sends no needless cookies.
    login_manager.init_app(app, add_context_processor=False)
    stripe_gateway.init_app(app)


def configure_rate_limits(app: Flask) -> None:
    """Flask-Limiter, its hooks kept to where our limits are (bench/profile.py).

    Every limit we set sits on a view that takes POSTs, and that view's decorator checks it.
    Unless app-wide limits are configured, the extension's check before every request does
    nothing (it took 15 % of the per-page-view prompt call), and its header and clean-up hooks
    have nothing to do on a read (another 8 %): the check goes, the others run on writes only.
    """
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    hook_tables = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    existing = [list(table.get(None, [])) for table in hook_tables]
    limiter.init_app(app)
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    before, after, teardown = (
        [hook for hook in table.get(None, []) if hook not in kept]
        for table, kept in zip(hook_tables, existing, strict=True)
    )
    for hook in before:
        app.before_request_funcs[None].remove(hook)
    for table, hooks in ((app.after_request_funcs, after), (app.teardown_request_funcs, teardown)):
        for hook in hooks:
            table[None][table[None].index(hook)] = _on_writes(hook)


def _on_writes(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        return value if request.method in READS else hook(value)

    return run


def protect_forms() -> None:
    config = current_app.config
    if config["WTF_CSRF_ENABLED"] and request.method in config["WTF_CSRF_METHODS"]:
        csrf.protect(apply_exemptions=True)


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
