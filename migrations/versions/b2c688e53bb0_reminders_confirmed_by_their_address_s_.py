"""reminders confirmed by their address's owner

Revision ID: b2c688e53bb0
Revises: 261d5d6d80fc
Create Date: 2026-12-03 16:51:51.043785

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2c688e53bb0'
down_revision = '261d5d6d80fc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reminder_confirmation_sent_at'), ['confirmation_sent_at'], unique=False)
    # Reminders stored before double opt-in were consented to under the old rules: they stay
    # scheduled, and no confirmation e-mail is owed for them.
    op.execute("UPDATE reminder SET confirmed_at = consented_at, confirmation_sent_at = consented_at")


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_confirmation_sent_at'))
        batch_op.drop_column('confirmation_sent_at')
        batch_op.drop_column('confirmed_at')
