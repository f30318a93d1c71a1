"""Migrations: one head, and the migrated schema is exactly the models' schema."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from donations.platform.database import utcnow
from donations.platform.extensions import db
from tests.conftest import app_settings, fresh_database

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def test_there_is_one_head():
    assert len(ScriptDirectory(MIGRATIONS).get_heads()) == 1


# SQLite cannot reflect expression indexes (lower(email)); PostgreSQL compares them.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrated_schema_matches_the_models(tmp_path, sandbox):
    with fresh_database(tmp_path) as url:
        app = create_app(app_settings(url, sandbox.url))
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
            db.engine.dispose()


def test_webhook_outcomes_survive_the_move_to_records_and_back(tmp_path, sandbox):
    """75c7cff3ad98 turns each event's outcome words into records; its downgrade gives the words
    back, so stepping back a release loses nothing staff read."""
    with fresh_database(tmp_path) as url:
        app = create_app(app_settings(url, sandbox.url))
        with app.app_context():
            upgrade(revision="1ee9d2428c87")
            events = sa.table("stripe_event", *(sa.column(c) for c in ("id", "reason")))
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO stripe_event (id, type, created_at, payload, received_at,"
                        " outcome, reason) VALUES (:id, 'charge.refunded', :now, '{}', :now,"
                        " 'ignored', :reason)"
                    ),
                    [
                        {"id": "evt_words", "now": utcnow(), "reason": "no pledge for ch_1"},
                        {"id": "evt_none", "now": utcnow(), "reason": ""},
                    ],
                )
            upgrade(revision="75c7cff3ad98")
            details = sa.table("stripe_event", sa.column("id"), sa.column("details", sa.JSON()))
            with db.engine.connect() as connection:
                stored = dict(connection.execute(sa.select(details).order_by(details.c.id)).all())
            assert stored == {
                "evt_none": [],
                "evt_words": [{"kind": "note", "text": "no pledge for ch_1"}],
            }
            downgrade(revision="1ee9d2428c87")
            with db.engine.connect() as connection:
                reasons = dict(connection.execute(sa.select(events).order_by(events.c.id)).all())
            assert reasons == {"evt_none": "", "evt_words": "no pledge for ch_1"}
            db.engine.dispose()
