"""A one-off gift's card saved for later, from its payment intent's webhook.

Revision ID: 9d2e4f6a8b1c
Revises: 1c1c759b23ed
Create Date: 2026-12-06 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9d2e4f6a8b1c"
down_revision = "1c1c759b23ed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pledge") as batch_op:
        batch_op.add_column(sa.Column("reusable_card_id", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("pledge") as batch_op:
        batch_op.drop_column("reusable_card_id")
