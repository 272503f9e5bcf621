"""conversation metrics per call and per speaker; re-analysis requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("metrics", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("analysis_requested_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("metrics", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("speakers") as batch:
        batch.drop_column("metrics")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("analysis_requested_at")
        batch.drop_column("metrics")
