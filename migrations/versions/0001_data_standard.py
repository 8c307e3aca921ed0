"""create the data standard tables

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:50:29.463535
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset_info",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "org_units",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_mn", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["org_units.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_org_units_parent", "org_units", ["parent_code"], unique=False)

    op.create_table(
        "agencies",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_mn", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("org_unit_code", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_unit_code"],
            ["org_units.code"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["agencies.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_agencies_org_unit", "agencies", ["org_unit_code"], unique=False)
    op.create_index("ix_agencies_parent", "agencies", ["parent_code"], unique=False)

    op.create_table(
        "readiness_checks",
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("criterion", sa.String(length=64), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_code"],
            ["org_units.code"],
        ),
        sa.PrimaryKeyConstraint("org_unit_code", "criterion", "checked_on"),
    )
    op.create_table(
        "plans",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title_mn", sa.String(length=500), nullable=False),
        sa.Column("title_en", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("owner_agency_code", sa.String(length=64), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_agency_code"],
            ["agencies.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "service_stats",
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.Column("online_applications", sa.Integer(), nullable=False),
        sa.Column("online_results", sa.Integer(), nullable=False),
        sa.Column("resolved_early", sa.Integer(), nullable=False),
        sa.Column("resolved_on_time", sa.Integer(), nullable=False),
        sa.Column("resolved_late", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agencies.code"],
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_code"],
            ["org_units.code"],
        ),
        sa.PrimaryKeyConstraint("org_unit_code", "agency_code", "month"),
    )
    op.create_index("ix_service_stats_month", "service_stats", ["month"], unique=False)

    op.create_table(
        "staff",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("position_category", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agencies.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_staff_agency", "staff", ["agency_code"], unique=False)

    op.create_table(
        "survey_responses",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=True),
        sa.Column("service_code", sa.String(length=64), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agencies.code"],
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_code"],
            ["org_units.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(
        "ix_survey_responses_agency",
        "survey_responses",
        ["agency_code", "responded_on"],
        unique=False,
    )
    op.create_index(
        "ix_survey_responses_org_unit",
        "survey_responses",
        ["org_unit_code", "responded_on"],
        unique=False,
    )
    op.create_index(
        "ix_survey_responses_responded", "survey_responses", ["responded_on"], unique=False
    )

    op.create_table(
        "survey_results",
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("satisfied_share", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agencies.code"],
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_code"],
            ["org_units.code"],
        ),
        sa.PrimaryKeyConstraint("agency_code", "org_unit_code", "period"),
    )
    op.create_table(
        "plan_items",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("task_group", sa.String(length=100), nullable=True),
        sa.Column("agency_code", sa.String(length=64), nullable=True),
        sa.Column("org_unit_code", sa.String(length=64), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agencies.code"],
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_code"],
            ["org_units.code"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_code"],
            ["plans.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_plan_items_due", "plan_items", ["due_date"], unique=False)
    op.create_index("ix_plan_items_plan", "plan_items", ["plan_code"], unique=False)

    op.create_table(
        "ratings",
        sa.Column("staff_code", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("self_score", sa.Float(), nullable=True),
        sa.Column("supervisor_score", sa.Float(), nullable=True),
        sa.Column("final_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_code"],
            ["staff.code"],
        ),
        sa.PrimaryKeyConstraint("staff_code", "period"),
    )
    op.create_index("ix_ratings_period", "ratings", ["period"], unique=False)

    op.create_table(
        "progress_reports",
        sa.Column("plan_item_code", sa.String(length=64), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("percent_complete", sa.Float(), nullable=False),
        sa.Column("verified_percent", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_item_code"],
            ["plan_items.code"],
        ),
        sa.PrimaryKeyConstraint("plan_item_code", "reported_on"),
    )
    op.create_table(
        "tasks",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("staff_code", sa.String(length=64), nullable=True),
        sa.Column("org_unit_code", sa.String(length=64), nullable=True),
        sa.Column("task_group", sa.String(length=100), nullable=True),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("plan_item_code", sa.String(length=64), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agencies.code"],
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_code"],
            ["org_units.code"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_item_code"],
            ["plan_items.code"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_code"],
            ["staff.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_tasks_agency_issued", "tasks", ["agency_code", "issued_on"], unique=False)
    op.create_index("ix_tasks_due", "tasks", ["due_on"], unique=False)
    op.create_index("ix_tasks_issued", "tasks", ["issued_on"], unique=False)
    op.create_index(
        "ix_tasks_org_unit_issued", "tasks", ["org_unit_code", "issued_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_org_unit_issued", table_name="tasks")
    op.drop_index("ix_tasks_issued", table_name="tasks")
    op.drop_index("ix_tasks_due", table_name="tasks")
    op.drop_index("ix_tasks_agency_issued", table_name="tasks")

    op.drop_table("tasks")
    op.drop_table("progress_reports")
    op.drop_index("ix_ratings_period", table_name="ratings")

    op.drop_table("ratings")
    op.drop_index("ix_plan_items_plan", table_name="plan_items")
    op.drop_index("ix_plan_items_due", table_name="plan_items")

    op.drop_table("plan_items")
    op.drop_table("survey_results")
    op.drop_index("ix_survey_responses_responded", table_name="survey_responses")
    op.drop_index("ix_survey_responses_org_unit", table_name="survey_responses")
    op.drop_index("ix_survey_responses_agency", table_name="survey_responses")

    op.drop_table("survey_responses")
    op.drop_index("ix_staff_agency", table_name="staff")

    op.drop_table("staff")
    op.drop_index("ix_service_stats_month", table_name="service_stats")

    op.drop_table("service_stats")
    op.drop_table("plans")
    op.drop_table("readiness_checks")
    op.drop_index("ix_agencies_parent", table_name="agencies")
    op.drop_index("ix_agencies_org_unit", table_name="agencies")

    op.drop_table("agencies")
    op.drop_index("ix_org_units_parent", table_name="org_units")

    op.drop_table("org_units")
    op.drop_table("dataset_info")
