"""structured webhook outcomes, sampled prompt impressions

Revision ID: 75c7cff3ad98
Revises: 1ee9d2428c87
Create Date: 2026-12-03 14:58:02.049140

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '75c7cff3ad98'
down_revision = '1ee9d2428c87'
branch_labels = None
depends_on = None


def upgrade():
    # Both UPDATEs rewrite every row of their table in one transaction: webhooks arriving meanwhile
    # wait for the lock (Stripe retries them) for as long as the table takes to rewrite.
    # Counters so far were never sampled: what arrived is what they count.
    with op.batch_alter_table('prompt_stat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE prompt_stat SET received = count")

    # An event's outcome in words becomes a list of records; the old words are kept as a note.
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE stripe_event SET details = CASE WHEN reason = '' THEN '[]'::json "
            "ELSE json_build_array(json_build_object('kind', 'note', 'text', reason)) END"
        )
    else:
        op.execute(
            "UPDATE stripe_event SET details = CASE WHEN reason = '' THEN json('[]') "
            "ELSE json_array(json_object('kind', 'note', 'text', reason)) END"
        )
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.alter_column('details', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('reason')


def downgrade():
    # The old column gets its words back: a note's text, and any other record as its JSON.
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.TEXT(), server_default='', nullable=False))
    events = sa.table('stripe_event', sa.column('id'), sa.column('details', sa.JSON()), sa.column('reason'))
    bind = op.get_bind()
    for event_id, details in bind.execute(sa.select(events.c.id, events.c.details)):
        words = "; ".join(
            record["text"] if record.get("kind") == "note" else json.dumps(record, sort_keys=True)
            for record in details or []
        )
        if words:
            bind.execute(events.update().where(events.c.id == event_id).values(reason=words))
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_column('details')

    with op.batch_alter_table('prompt_stat', schema=None) as batch_op:
        batch_op.drop_column('received')
