"""Migrations: one head, and the migrated schema is exactly the models' schema."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app import create_app
from donations.extensions import db
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
