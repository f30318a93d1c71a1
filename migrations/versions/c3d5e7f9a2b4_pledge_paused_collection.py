"""pledge: Stripe's paused collection (pause_collection) and when it resumes

Revision ID: c3d5e7f9a2b4
Revises: b2c688e53bb0
Create Date: 2026-12-05 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d5e7f9a2b4'
down_revision = 'b2c688e53bb0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('collection_paused', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('pause_resumes_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_column('pause_resumes_at')
        batch_op.drop_column('collection_paused')
