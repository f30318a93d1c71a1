"""stripe_event: index by type and time, and a generated, indexed withdraws_cancellation

The retention page reads events of one type in its period, and counts withdrawn cancellations
from an index instead of parsing every event's payload (bench/retention.py).

Revision ID: a7e3c91d5b20
Revises: 1c1c759b23ed
Create Date: 2026-12-06 22:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7e3c91d5b20"
down_revision = "1c1c759b23ed"
branch_labels = None
depends_on = None


def withdraws_cancellation():
    # As the models had it when this ran: a migration keeps its own copy.
    data = sa.column("payload", sa.JSON)["data"]
    return sa.and_(
        sa.column("type") == "customer.subscription.updated",
        data["previous_attributes"]["cancel_at_period_end"].as_boolean().is_(True),
        data["object"]["cancel_at_period_end"].as_boolean().is_(False),
    )


def upgrade():
    # SQLite adds only virtual generated columns to a table; indexed, it reads the same.
    stored = op.get_bind().dialect.name != "sqlite"
    with op.batch_alter_table("stripe_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "withdraws_cancellation",
                sa.Boolean(),
                sa.Computed(withdraws_cancellation(), persisted=stored),
                nullable=True,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_stripe_event_type_created"), ["type", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stripe_event_withdrawn_created"),
            ["withdraws_cancellation", "created_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("stripe_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_event_withdrawn_created"))
        batch_op.drop_index(batch_op.f("ix_stripe_event_type_created"))
        batch_op.drop_column("withdraws_cancellation")
