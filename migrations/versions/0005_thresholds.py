"""administrators' traffic-light thresholds

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_thresholds",
        sa.Column("metric_key", sa.String(length=64), nullable=False),
        sa.Column("green", sa.Float(), nullable=False),
        sa.Column("yellow", sa.Float(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("metric_key"),
    )


def downgrade() -> None:
    op.drop_table("metric_thresholds")
