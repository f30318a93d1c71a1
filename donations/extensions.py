"""Flask extensions, created unbound here and bound to the app in create_app()."""

import time
from functools import cache

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

from donations.kept import kept
from donations.signing import OneShotHMAC
from donations.web import cookie


class Base(DeclarativeBase):
    # Predictable constraint names, so Alembic can alter them on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()


# A pooled connection idle this long is checked before use; one used a moment ago is not.
PING_AFTER_IDLE_SECONDS = 1.0


def ping_idle_connections(engine: Engine) -> None:
    """SQLAlchemy's pool_pre_ping, for connections that have sat idle.

    A database restart or a dropped network leaves pooled connections dead, and a check
    before use replaces them unseen. pool_pre_ping checks on every checkout, a round trip per
    request; a connection used within the last second needs none (bench/http_load.py: /healthz
    1,061 -> 1,199 req/s). Should one die in that second, its request is a clean 503 and the
    pool replaces it for the next (tests/test_faults.py).
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def idle_from_now(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, proxy) -> None:
        if time.monotonic() - record.info.get("idle_since", 0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("dead pooled connection") from error  # the pool reconnects


def insert_for(model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT, on the database in use (PostgreSQL or SQLite).

    Into the model's table: a plain statement, not the ORM's bulk path, which cost a fifth of
    a webhook's time (these inserts run on every webhook and every batch of prompt events).
    """
    return _insert_on(model, db.session.get_bind().dialect.name)


def _insert_on(model: type[Base], dialect: str) -> postgresql.Insert | sqlite.Insert:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def insert_unless_stored(model: type[Base], *key: str) -> postgresql.Insert | sqlite.Insert:
    """INSERT into the model's table, giving back the key's first column, or nothing when a row
    with that key is stored already (ON CONFLICT DO NOTHING). The values go with the execution.
    """
    return _insert_unless_stored(model, key, db.session.get_bind().dialect.name)


@cache
def _insert_unless_stored(
    model: type[Base], key: tuple[str, ...], dialect: str
) -> postgresql.Insert | sqlite.Insert:
    # Built once per database kind: built anew for every webhook, it took a third of the
    # insert's time in the webhook's profile.
    statement = _insert_on(model, dialect).on_conflict_do_nothing(index_elements=list(key))
    return statement.returning(model.__table__.c[key[0]])


class LeanSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the work a reader's page view does for nothing.

    Every request opens and saves the session, yet most carry no session cookie and never
    touch it (the per-page-view prompt call, the embed script): those skip the signer and the
    seven settings Flask reads only to do nothing. The signer is built once per key, and
    signs with hashlib's one-shot HMAC (donations/signing.py).
    """

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        return kept("session_signer", 24 * 3600, size=4).get(key, lambda: self._signer(app))

    def _signer(self, app: Flask) -> URLSafeTimedSerializer | None:
        made = super().get_signing_serializer(app)
        if made is not None:
            made.signer_kwargs["algorithm"] = OneShotHMAC()  # the same signature, made faster
        return made

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not cookie(request, app.config["SESSION_COOKIE_NAME"]):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified and not session.accessed:
            return  # what Flask would conclude, after reading its settings
        super().save_session(app, session, response)
