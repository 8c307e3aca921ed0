"""plan execution summarised per snapshot (issue 8)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    code = sa.String(length=64)
    op.create_table(
        "summary_plans",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        sa.Column("org_unit_code", code, nullable=True),
        sa.Column("province_code", code, nullable=True),
        sa.Column("agency_code", code, nullable=True),
        sa.Column("ministry_code", code, nullable=True),
        sa.Column("items_due", sa.Integer(), nullable=False),
        sa.Column("items_not_due", sa.Integer(), nullable=False),
        sa.Column("weight_due", sa.Float(), nullable=False),
        sa.Column("weighted_progress", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_summary_plans_snapshot", "summary_plans", ["snapshot_id", "grain"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_summary_plans_snapshot", table_name="summary_plans")
    op.drop_table("summary_plans")
