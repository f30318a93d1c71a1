"""Flask extensions, created unbound here and bound to the app in create_app()."""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

from donations.kept import kept


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


def insert_for(model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT, on the database in use (PostgreSQL or SQLite).

    Into the model's table: a plain statement, not the ORM's bulk path, which cost a fifth of
    a webhook's time (these inserts run on every webhook and every batch of prompt events).
    """
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


class SigningOnceSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per key instead of on every
    request (every request opens the session, even one that never uses it)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        build = super().get_signing_serializer
        return kept("session_signer", 24 * 3600, size=4).get(key, lambda: build(app))
