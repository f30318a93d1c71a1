"""retention page's 365-day view indexes: stripe_event by pledge, type and receipt time; pledge's
monthly-offer outcomes and lapsed recurring pledges' addresses

The anniversary raises look for a pledge's subscription.updated events after the raise was
confirmed, the monthly offer's guardrail reads its outcomes by offer and time, and win-backs
read canceled recurring pledges' addresses and end times, each from an index alone
(bench/retention.py). The event index starts with the column of the one it replaces.

Revision ID: c4b8e2f17a90
Revises: a7e3c91d5b20
Create Date: 2026-12-06 23:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "c4b8e2f17a90"
down_revision = "a7e3c91d5b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stripe_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stripe_event_pledge_type_received",
            ["pledge_id", "type", "received_at"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_stripe_event_pledge_id"))
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pledge_upsell_created", ["upsell", "created_at", "status"], unique=False
        )
        batch_op.create_index(
            "ix_pledge_lapsed", ["status", "frequency", "email", "status_changed_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_index("ix_pledge_lapsed")
        batch_op.drop_index("ix_pledge_upsell_created")
    with op.batch_alter_table("stripe_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stripe_event_pledge_id"), ["pledge_id"], unique=False)
        batch_op.drop_index("ix_stripe_event_pledge_type_received")
