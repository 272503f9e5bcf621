"""CRM write-back outbox and inbound webhook events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=32), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("target", sa.JSON(), nullable=True),
        sa.Column("summary_override", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["analysis_id"], ["analyses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("crm_outbox") as batch_op:
        batch_op.create_index(batch_op.f("ix_crm_outbox_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_crm_outbox_status"), ["status"], unique=False)
    op.create_table(
        "crm_webhook_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("call_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "event_id"),
    )
    with op.batch_alter_table("crm_webhook_events") as batch_op:
        batch_op.create_index(batch_op.f("ix_crm_webhook_events_call_id"), ["call_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crm_webhook_events") as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_webhook_events_call_id"))
    op.drop_table("crm_webhook_events")
    with op.batch_alter_table("crm_outbox") as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_crm_outbox_call_id"))
    op.drop_table("crm_outbox")
