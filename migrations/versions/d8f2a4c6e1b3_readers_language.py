"""pledges, reminders and newsletter sign-ups keep the reader's language

Revision ID: d8f2a4c6e1b3
Revises: a7e3b1c9d2f4
Create Date: 2026-12-06 22:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d8f2a4c6e1b3"
down_revision = "a7e3b1c9d2f4"
branch_labels = None
depends_on = None

TABLES = ("pledge", "reminder", "newsletter_subscriber")


def upgrade():
    # Everything started so far was started on an English page.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("language", sa.String(length=10), server_default="en", nullable=False)
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language")
