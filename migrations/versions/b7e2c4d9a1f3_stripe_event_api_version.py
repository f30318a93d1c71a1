"""stripe_event.api_version: the API version each event was rendered in

Revision ID: b7e2c4d9a1f3
Revises: 0399a9d4eaf3
Create Date: 2026-12-03 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c4d9a1f3'
down_revision = '0399a9d4eaf3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_version', sa.String(length=40), nullable=True))
    # Events stored so far keep their version in the payload.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE stripe_event SET api_version = left(payload->>'api_version', 40)")
    else:
        op.execute(
            "UPDATE stripe_event SET api_version = substr(json_extract(payload, '$.api_version'), 1, 40)"
        )


def downgrade():
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_column('api_version')
