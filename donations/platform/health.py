"""Health for operations: /healthz (alive, database and Redis answer) and /readyz (and migrated)."""

from __future__ import annotations

import os

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from donations.platform.extensions import db, limiter

bp = Blueprint("health", __name__)


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def redis_ok() -> bool | None:
    """None when no Redis is configured (rate limits then live in memory)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


def schema_current() -> bool:
    try:
        with db.engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        return False
    return revision in current_app.extensions["migration_heads"]


def report(checks: dict[str, bool | None]):
    healthy = all(result is not False for result in checks.values())
    body = {name: _word(result) for name, result in checks.items()}
    body["status"] = "ok" if healthy else "unavailable"
    return jsonify(body), 200 if healthy else 503


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 when the process, the database and Redis (if configured) answer; 503 otherwise."""
    return report({"database": database_ok(), "redis": redis_ok()})


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Like /healthz, and the schema is migrated to the code's head: safe to send traffic."""
    return report({"database": database_ok(), "redis": redis_ok(), "schema": schema_current()})


def _word(result: bool | None) -> str:
    return {True: "ok", False: "failing", None: "not configured"}[result]


def init_app(app: Flask) -> None:
    scripts = ScriptDirectory(os.path.join(app.root_path, "migrations"))
    app.extensions["migration_heads"] = frozenset(scripts.get_heads())
    app.register_blueprint(bp)
