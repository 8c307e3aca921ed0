"""pre-aggregated summary tables (issue 8)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CODE = sa.String(length=64)


def _cell_columns() -> list[sa.Column]:
    return [
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        sa.Column("org_unit_code", CODE, nullable=True),
        sa.Column("province_code", CODE, nullable=True),
        sa.Column("agency_code", CODE, nullable=True),
        sa.Column("ministry_code", CODE, nullable=True),
    ]


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "summary_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_summary_snapshots_period",
        "summary_snapshots",
        ["period_start", "period_end", "as_of", "kind"],
        unique=True,
    )
    op.create_table(
        "summary_status",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    cell_tables = {
        "summary_tasks": [
            sa.Column("due_on", sa.Date(), nullable=True),
            *_counts("early", "on_time", "late", "open_tasks"),
        ],
        "summary_task_months": [
            sa.Column("month", sa.String(length=7), nullable=False),
            *_counts("early", "on_time", "late"),
        ],
        "summary_open_tasks": _counts("open_tasks", "overdue_tasks"),
        "summary_responses": [
            sa.Column("month", sa.String(length=7), nullable=False),
            *_counts(
                "score_1", "score_2", "score_3", "score_4", "score_5", "score_low", "score_high"
            ),
        ],
        "summary_newest": [
            sa.Column("part", sa.String(length=16), nullable=False),
            sa.Column("newest", sa.Date(), nullable=False),
        ],
    }
    for name, columns in cell_tables.items():
        op.create_table(name, *_cell_columns(), *columns)
        op.create_index(f"ix_{name}_snapshot", name, ["snapshot_id", "grain"], unique=False)
    op.create_table(
        "summary_overdue_tasks",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("task_code", CODE, nullable=False),
    )
    op.create_index(
        "ix_summary_overdue_tasks_order",
        "summary_overdue_tasks",
        ["snapshot_id", "due_on", "task_code"],
        unique=False,
    )
    op.create_table(
        "summary_readiness",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_code", CODE, nullable=False),
        sa.Column("criterion", sa.String(length=64), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_summary_readiness_snapshot",
        "summary_readiness",
        ["snapshot_id", "org_unit_code"],
        unique=False,
    )
    op.create_table(
        "summary_ratings",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("agency_code", CODE, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_summary_ratings_period", "summary_ratings", ["period", "agency_code"], unique=False
    )
    op.create_table(
        "summary_item_progress",
        sa.Column("plan_item_code", CODE, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_summary_item_progress_item",
        "summary_item_progress",
        ["plan_item_code", "valid_from"],
        unique=False,
    )


def downgrade() -> None:
    for name in (
        "summary_item_progress",
        "summary_ratings",
        "summary_readiness",
        "summary_overdue_tasks",
        "summary_newest",
        "summary_responses",
        "summary_open_tasks",
        "summary_task_months",
        "summary_tasks",
        "summary_status",
        "summary_snapshots",
    ):
        op.drop_table(name)
