"""reminders remember the experiment variant that asked, for its unsubscribe guardrail

Revision ID: c3d1f7a9e204
Revises: b2c688e53bb0
Create Date: 2026-12-05 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d1f7a9e204'
down_revision = 'b2c688e53bb0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_column('variant')
