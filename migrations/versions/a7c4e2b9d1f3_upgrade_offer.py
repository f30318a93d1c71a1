"""upgrade_offer: the one-click raise an anniversary e-mail offers, used once

Revision ID: a7c4e2b9d1f3
Revises: 9d2e4f6a8b1c
Create Date: 2026-12-06 22:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c4e2b9d1f3"
down_revision = "9d2e4f6a8b1c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upgrade_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_before", sa.Integer(), nullable=False),
        sa.Column("amount_offered", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "amount_offered > amount_before", name=op.f("ck_upgrade_offer_offer_is_a_raise")
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_upgrade_offer_pledge_id_pledge")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upgrade_offer")),
        sa.UniqueConstraint("pledge_id", "year", name=op.f("uq_upgrade_offer_pledge_id")),
    )
    with op.batch_alter_table("upgrade_offer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_upgrade_offer_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_upgrade_offer_used_at"), ["used_at"], unique=False)


def downgrade():
    with op.batch_alter_table("upgrade_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upgrade_offer_used_at"))
        batch_op.drop_index(batch_op.f("ix_upgrade_offer_created_at"))
    op.drop_table("upgrade_offer")
