"""articles have a language

Revision ID: a7e3b1c9d2f4
Revises: a7c4e2d9b1f3
Create Date: 2026-12-06 21:50:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7e3b1c9d2f4"
down_revision = "a7c4e2d9b1f3"
branch_labels = None
depends_on = None


def upgrade():
    # Every article stored so far was written in English.
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=10), server_default="en", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("language")
