"""staff sessions on the server and the sign-in throttle

Revision ID: 261d5d6d80fc
Revises: b7e2c4d9a1f3
Create Date: 2026-12-03 16:42:26.370089

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '261d5d6d80fc'
down_revision = 'b7e2c4d9a1f3'
branch_labels = None
depends_on = None


def upgrade():
    # Cookies signed in before this held an account id, which no session token matches: every
    # staff member signs in once more. The throttle replaces the per-account lock.
    op.create_table('sign_in_throttle',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(), nullable=False),
    sa.Column('wait_until', sa.DateTime(), nullable=True),
    sa.Column('owner_told_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttle'))
    )
    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_staff_session_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_session_staff_user_id'), ['staff_user_id'], unique=False)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.INTEGER(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DATETIME(), nullable=True))

    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_staff_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_session_expires_at'))

    op.drop_table('staff_session')
    op.drop_table('sign_in_throttle')
