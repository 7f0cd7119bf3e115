"""Outbox messages can be skipped (no longer true when their turn came)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 22:05:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'sent', 'skipped', 'failed')")


def downgrade():
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE status = 'skipped'")
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint("status", "status IN ('pending', 'sent', 'failed')")
