"""pledges made monthly from a one-off gift

Revision ID: 5e1f0b7c2d4a
Revises: c3d1f7a9e204
Create Date: 2026-12-05 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0b7c2d4a'
down_revision = 'c3d1f7a9e204'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('converted_from_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_pledge_converted_from_id'), ['converted_from_id'])
        batch_op.create_foreign_key(batch_op.f('fk_pledge_converted_from_id_pledge'), 'pledge', ['converted_from_id'], ['id'])


def downgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pledge_converted_from_id_pledge'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_pledge_converted_from_id'), type_='unique')
        batch_op.drop_column('converted_from_id')
