"""newsletter subscribers, article tags, anonymous one-off gifts

Revision ID: eb98edd96121
Revises: c3d5e7f9a2b4
Create Date: 2026-12-05 14:02:13.368678

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "eb98edd96121"
down_revision = "c3d5e7f9a2b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "newsletter_subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmation_sent_at", sa.DateTime(), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_subscriber")),
        sa.UniqueConstraint("code", name=op.f("uq_newsletter_subscriber_code")),
        sa.UniqueConstraint("email", name=op.f("uq_newsletter_subscriber_email")),
    )
    with op.batch_alter_table("newsletter_subscriber", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_newsletter_subscriber_confirmation_sent_at"),
            ["confirmation_sent_at"],
            unique=False,
        )

    op.create_table(
        "article_tag",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_article_tag_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "tag", name=op.f("pk_article_tag")),
    )
    with op.batch_alter_table("article_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_tag_tag"), ["tag"], unique=False)

    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_column("anonymous")

    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_column('anonymous')

    with op.batch_alter_table("article_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_tag_tag"))

    op.drop_table("article_tag")
    with op.batch_alter_table("newsletter_subscriber", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletter_subscriber_confirmation_sent_at"))

    op.drop_table("newsletter_subscriber")
