"""pledge: Stripe's paused collection and when it resumes; pledge_change: donors' changes

Revision ID: c3d5e7f9a2b4
Revises: 5e1f0b7c2d4a
Create Date: 2026-12-05 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d5e7f9a2b4'
down_revision = '5e1f0b7c2d4a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('collection_paused', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('pause_resumes_at', sa.DateTime(), nullable=True))
    op.create_table(
        'pledge_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pledge_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('amount_before', sa.Integer(), nullable=False),
        sa.Column('amount_after', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('frequency_after', sa.String(length=10), nullable=False),
        sa.Column('resumes_at', sa.DateTime(), nullable=True),
        sa.Column('reason', sa.String(length=30), nullable=True),
        sa.Column('reason_text', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['pledge_id'], ['pledge.id'], name=op.f('fk_pledge_change_pledge_id_pledge')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_change')),
    )
    with op.batch_alter_table('pledge_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_change_pledge_id'), ['pledge_id'], unique=False)


def downgrade():
    op.drop_table('pledge_change')
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_column('pause_resumes_at')
        batch_op.drop_column('collection_paused')
