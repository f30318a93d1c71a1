"""Shared fixtures: the app on SQLite or PostgreSQL, the Stripe sandbox, and a live server.

The database comes from TEST_DATABASE: `sqlite` (default) or `postgresql`, for which a fresh
database is created on 127.0.0.1:5432 for the run and dropped afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql
from werkzeug.serving import make_server

from app import create_app
from config import database_uri
from donations.demo import seed_demo
from donations.platform.extensions import db
from stripe_sandbox import SandboxServer

# Tests give their own settings: a developer's .env (written by `make run`) must not count.
os.environ["FLASK_SKIP_DOTENV"] = "1"
WEBHOOK_SECRET = "whsec_" + secrets.token_hex(16)
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgres@127.0.0.1:5432")


def on_postgresql() -> bool:
    return os.environ.get("TEST_DATABASE", "sqlite") == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of PostgreSQL's own behaviour (row locks, restarts) run in its pass of `make test`."""
    if on_postgresql():
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@contextmanager
def fresh_database(directory: Path) -> Iterator[str]:
    """An empty database of the kind TEST_DATABASE names; a PostgreSQL one is dropped after."""
    if not on_postgresql():
        yield f"sqlite:///{directory / 'test.sqlite3'}"
        return
    name = f"donations_test_{secrets.token_hex(4)}"
    admin_url = f"postgresql://{POSTGRES_SERVER}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://{POSTGRES_SERVER}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """The local Stripe stand-in, over real HTTP, shared by the whole run."""
    with SandboxServer(webhook_secret=WEBHOOK_SECRET, retry_delays=(0.05, 0.1, 0.2)) as server:
        yield server


def app_settings(database_url: str, stripe_api_base: str, **overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "STRIPE_API_BASE": stripe_api_base,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "RATELIMIT_ENABLED": False,
        # What the test client calls itself; a live server puts its own address here.
        "PUBLIC_BASE_URL": "http://localhost",
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def _schema(database_url: str, sandbox: SandboxServer) -> None:
    app = create_app(app_settings(database_url, sandbox.url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url: str, sandbox: SandboxServer, _schema: None) -> Iterator:
    """Build apps on the test database with settings changed; every table is emptied after."""
    made: list[Flask] = []

    def make(stripe_api_base: str | None = None, seed: bool = True, **overrides: object) -> Flask:
        app = create_app(app_settings(database_url, stripe_api_base or sandbox.url, **overrides))
        if seed:
            with app.app_context():
                seed_demo()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            if app.config["SQLALCHEMY_DATABASE_URI"] == database_uri(database_url, ""):
                for table in reversed(db.metadata.sorted_tables):
                    db.session.execute(table.delete())
                db.session.commit()
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@contextmanager
def serving(app: Flask, sandbox: SandboxServer) -> Iterator[str]:
    """Serve the app on a free port, with the sandbox's webhooks pointed at it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url
    sandbox.set_webhook(url + "/stripe/webhook", WEBHOOK_SECRET)
    try:
        yield url
    finally:
        sandbox.wait_for_deliveries(timeout=10)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask, sandbox: SandboxServer) -> Iterator[str]:
    """The app on a real port, with the shared sandbox's webhooks pointed at it."""
    with serving(app, sandbox) as url:
        yield url


def csrf_token(client: FlaskClient, path: str = "/support") -> str:
    """The form token a reader's browser would get with the page."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    """What a real SMTP server (aiosmtpd) received during a test."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox() -> Iterator[_Inbox]:
    inbox = _Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def own_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of the test's own, for tests that move its clock; it retries webhooks fast."""
    with SandboxServer(webhook_secret=WEBHOOK_SECRET, retry_delays=(0.05, 0.1, 0.2)) as server:
        yield server


@pytest.fixture
def world(make_app, own_sandbox, smtp_inbox):
    """The app with its own sandbox and a real SMTP server, served on a real port."""
    app = make_app(
        stripe_api_base=own_sandbox.url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port
    )
    with serving(app, own_sandbox) as url, app.app_context():
        yield app, url, own_sandbox, smtp_inbox
