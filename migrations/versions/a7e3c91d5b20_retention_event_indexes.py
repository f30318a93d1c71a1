"""retention page indexes: stripe_event by type and time, generated withdraws_cancellation
and cancellation_reason; payment by pledge and time; pledge's status index covers the cohorts'
columns

The retention page reads events of one type in its period (and Stripe's reason) from an
index, counts withdrawn cancellations from
an index instead of parsing every event's payload, and sums a pledge's first year of payments
from an index (bench/retention.py). The new indexes start with the columns of the single-column
ones they replace.

Revision ID: a7e3c91d5b20
Revises: d8f2a4c6e1b3
Create Date: 2026-12-06 22:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7e3c91d5b20"
down_revision = "d8f2a4c6e1b3"
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


def cancellation_reason():
    details = sa.column("payload", sa.JSON)["data"]["object"]["cancellation_details"]
    return sa.case(
        (sa.column("type") == "customer.subscription.deleted", details["reason"].as_string())
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
        batch_op.add_column(
            sa.Column(
                "cancellation_reason",
                sa.String(length=100),
                sa.Computed(cancellation_reason(), persisted=stored),
                nullable=True,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_stripe_event_type_created"),
            ["type", "created_at", "pledge_id", "cancellation_reason"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_stripe_event_type"))
        batch_op.create_index(
            batch_op.f("ix_stripe_event_withdrawn_created"),
            ["withdraws_cancellation", "created_at"],
            unique=False,
        )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_pledge_paid"),
            ["pledge_id", "paid_at", "amount", "refunded_amount"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_payment_pledge_id"))
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_index("ix_pledge_status_frequency")
        batch_op.create_index(
            "ix_pledge_status_frequency",
            ["status", "frequency", "currency", "created_at", "status_changed_at"],
            unique=False,
            postgresql_include=["amount"],
        )


def downgrade():
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_index("ix_pledge_status_frequency")
        batch_op.create_index(
            "ix_pledge_status_frequency",
            ["status", "frequency"],
            unique=False,
            postgresql_include=["currency", "amount", "created_at"],
        )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_pledge_id"), ["pledge_id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_payment_pledge_paid"))
    with op.batch_alter_table("stripe_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stripe_event_type"), ["type"], unique=False)
        batch_op.drop_index(batch_op.f("ix_stripe_event_withdrawn_created"))
        batch_op.drop_index(batch_op.f("ix_stripe_event_type_created"))
        batch_op.drop_column("cancellation_reason")
        batch_op.drop_column("withdraws_cancellation")
