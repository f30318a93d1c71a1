"""pledge_change: the save offer made on cancelling; reminder: win-backs and the gift they offer

Revision ID: a7c4e2d9b1f3
Revises: a7c4e2b9d1f3
Create Date: 2026-12-06 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2d9b1f3'
down_revision = 'a7c4e2b9d1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledge_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('save_offer', sa.String(length=10), nullable=True))
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), server_default='reader', nullable=False)
        )
        batch_op.add_column(sa.Column('gift_frequency', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('gift_amount', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('gift_currency', sa.String(length=3), nullable=True))


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_column('gift_currency')
        batch_op.drop_column('gift_amount')
        batch_op.drop_column('gift_frequency')
        batch_op.drop_column('kind')
    with op.batch_alter_table('pledge_change', schema=None) as batch_op:
        batch_op.drop_column('save_offer')
