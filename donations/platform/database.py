"""What every model stands on: the declarative base, UTC times, and inserts that may conflict."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


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


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC on every database (SQLite has no time zones) and gives back aware datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC and must say so")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class EnumText(TypeDecorator):
    """A StrEnum stored as its text (a plain VARCHAR, as before) and read back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(self.enum(value))

    def process_result_value(self, value: str | None, dialect: Any) -> StrEnum | None:
        return None if value is None else self.enum(value)


def insert_for(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into the model's table that can say ON CONFLICT, on the database in use."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def insert_unless_stored(
    session: Session, model: type[Base], *key: str
) -> postgresql.Insert | sqlite.Insert:
    """INSERT into the model's table, giving back the key's first column, or nothing when a row
    with that key is stored already (ON CONFLICT DO NOTHING). The values go with the execution.
    """
    statement = insert_for(session, model).on_conflict_do_nothing(index_elements=list(key))
    return statement.returning(model.__table__.c[key[0]])
