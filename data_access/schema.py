"""Tables of the data standard (DESIGN §3), as SQLAlchemy Core metadata.

The Alembic migrations under ``migrations/`` create these tables; this module is what queries
and the demo generator use to refer to them. Keep both in step: a test compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

CODE = String(64)

org_units = Table(
    "org_units",
    metadata,
    Column("code", CODE, primary_key=True),
    Column("name_mn", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("level", Integer, nullable=False),
    Column("parent_code", CODE, ForeignKey("org_units.code"), nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("geometry", Text, nullable=True),
    Index("ix_org_units_parent", "parent_code"),
)

agencies = Table(
    "agencies",
    metadata,
    Column("code", CODE, primary_key=True),
    Column("name_mn", String(300), nullable=False),
    Column("name_en", String(300), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("parent_code", CODE, ForeignKey("agencies.code"), nullable=True),
    Column("org_unit_code", CODE, ForeignKey("org_units.code"), nullable=True),
    Index("ix_agencies_parent", "parent_code"),
    Index("ix_agencies_org_unit", "org_unit_code"),
)

staff = Table(
    "staff",
    metadata,
    Column("code", CODE, primary_key=True),
    Column("agency_code", CODE, ForeignKey("agencies.code"), nullable=False),
    Column("position_category", String(64), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Index("ix_staff_agency", "agency_code"),
)

plans = Table(
    "plans",
    metadata,
    Column("code", CODE, primary_key=True),
    Column("title_mn", String(500), nullable=False),
    Column("title_en", String(500), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("owner_agency_code", CODE, ForeignKey("agencies.code"), nullable=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
)

plan_items = Table(
    "plan_items",
    metadata,
    Column("code", CODE, primary_key=True),
    Column("plan_code", CODE, ForeignKey("plans.code"), nullable=False),
    Column("title", String(500), nullable=False),
    Column("task_group", String(100), nullable=True),
    Column("agency_code", CODE, ForeignKey("agencies.code"), nullable=True),
    Column("org_unit_code", CODE, ForeignKey("org_units.code"), nullable=True),
    Column("due_date", Date, nullable=False),
    Column("weight", Float, nullable=False, default=1.0),
    Index("ix_plan_items_plan", "plan_code"),
    Index("ix_plan_items_due", "due_date"),
)

progress_reports = Table(
    "progress_reports",
    metadata,
    Column("plan_item_code", CODE, ForeignKey("plan_items.code"), primary_key=True),
    Column("reported_on", Date, primary_key=True),
    Column("percent_complete", Float, nullable=False),
    Column("verified_percent", Float, nullable=True),
)

tasks = Table(
    "tasks",
    metadata,
    Column("code", CODE, primary_key=True),
    Column("title", String(500), nullable=False),
    Column("agency_code", CODE, ForeignKey("agencies.code"), nullable=False),
    Column("staff_code", CODE, ForeignKey("staff.code"), nullable=True),
    Column("org_unit_code", CODE, ForeignKey("org_units.code"), nullable=True),
    Column("task_group", String(100), nullable=True),
    Column("source_kind", String(32), nullable=False),
    Column("plan_item_code", CODE, ForeignKey("plan_items.code"), nullable=True),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("completed_on", Date, nullable=True),
    Column("cancelled", Boolean, nullable=False, default=False),
    Index("ix_tasks_issued", "issued_on"),
    Index("ix_tasks_agency_issued", "agency_code", "issued_on"),
    Index("ix_tasks_org_unit_issued", "org_unit_code", "issued_on"),
    Index("ix_tasks_due", "due_on"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("staff_code", CODE, ForeignKey("staff.code"), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("self_score", Float, nullable=True),
    Column("supervisor_score", Float, nullable=True),
    Column("final_score", Float, nullable=True),
    Index("ix_ratings_period", "period"),
)

survey_responses = Table(
    "survey_responses",
    metadata,
    Column("code", CODE, primary_key=True),
    Column("agency_code", CODE, ForeignKey("agencies.code"), nullable=False),
    Column("org_unit_code", CODE, ForeignKey("org_units.code"), nullable=True),
    Column("service_code", CODE, nullable=True),
    Column("responded_on", Date, nullable=False),
    Column("score", Integer, nullable=False),
    Column("channel", String(16), nullable=True),
    Index("ix_survey_responses_responded", "responded_on"),
    Index("ix_survey_responses_agency", "agency_code", "responded_on"),
    Index("ix_survey_responses_org_unit", "org_unit_code", "responded_on"),
)

survey_results = Table(
    "survey_results",
    metadata,
    Column("agency_code", CODE, ForeignKey("agencies.code"), primary_key=True),
    Column("org_unit_code", CODE, ForeignKey("org_units.code"), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("respondents", Integer, nullable=False),
    Column("satisfied_share", Float, nullable=False),
)

service_stats = Table(
    "service_stats",
    metadata,
    Column("org_unit_code", CODE, ForeignKey("org_units.code"), primary_key=True),
    Column("agency_code", CODE, ForeignKey("agencies.code"), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("applications", Integer, nullable=False),
    Column("online_applications", Integer, nullable=False),
    Column("online_results", Integer, nullable=False),
    Column("resolved_early", Integer, nullable=False),
    Column("resolved_on_time", Integer, nullable=False),
    Column("resolved_late", Integer, nullable=False),
    Index("ix_service_stats_month", "month"),
)

readiness_checks = Table(
    "readiness_checks",
    metadata,
    Column("org_unit_code", CODE, ForeignKey("org_units.code"), primary_key=True),
    Column("criterion", String(64), primary_key=True),
    Column("checked_on", Date, primary_key=True),
    Column("met", Boolean, nullable=False),
)

dataset_info = Table(
    "dataset_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime, nullable=True),
)

# Local accounts (issue 5). No foreign key to org_units: the demo loader truncates the data
# tables, which PostgreSQL refuses while another table refers to them; the code checks codes.
users = Table(
    "users",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("role", String(16), nullable=False),
    Column("province_code", CODE, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("password_changed_at", DateTime, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(200), nullable=True),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_audit_log_user_at", "username", "at"),
    Index("ix_audit_log_action_at", "action", "at"),
)

# An administrator's traffic-light thresholds, replacing a metric's defaults (metrics/definitions).
metric_thresholds = Table(
    "metric_thresholds",
    metadata,
    Column("metric_key", String(64), primary_key=True),
    Column("green", Float, nullable=False),
    Column("yellow", Float, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("changed_by", String(200), nullable=True),
)


FACT_TABLES_IN_LOAD_ORDER = (
    org_units,
    agencies,
    staff,
    plans,
    plan_items,
    progress_reports,
    tasks,
    ratings,
    survey_responses,
    survey_results,
    service_stats,
    readiness_checks,
)

# Imports of agencies' files (issue 4): one row per attempt, kept even when nothing was
# imported, so an administrator can see who sent what and what became of it.
import_log = Table(
    "import_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("via", String(16), nullable=False),
    Column("file_name", String(300), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("file_bytes", Integer, nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_inserted", Integer, nullable=False),
    Column("rows_updated", Integer, nullable=False),
    Column("rows_unchanged", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("duration_seconds", Float, nullable=False),
    Column("message", Text, nullable=True),
    Index("ix_import_log_started", "started_at"),
)

# When an import last changed each agency's rows of each table. No foreign key to agencies:
# the demo loader truncates agencies, which PostgreSQL refuses while another table refers to it.
agency_updates = Table(
    "agency_updates",
    metadata,
    Column("agency_code", CODE, primary_key=True),
    Column("table_name", String(64), primary_key=True),
    Column("updated_at", DateTime, nullable=False),
    Column("import_id", Integer, ForeignKey("import_log.id"), nullable=False),
    Column("rows_changed", Integer, nullable=False),
)


# --------------------------------------------------------------------------------------------
# Pre-aggregated summaries (issue 8), maintained by data_access.summary: by the demo load in
# its transaction, and right after every import commits (the import lists itself in
# summary_pending in its own transaction; no summary is read while any import is listed).
# Nothing but that module writes them; queries read them when they answer exactly what was
# asked, and the facts otherwise. No foreign keys: they are derived data, rebuilt from the
# facts at any time.

# A snapshot is a reporting period read at one as-of date: "scorecard" snapshots (every
# year's end, the data's as-of date and a year before it) carry every figure; "month_end"
# ones only the open and overdue tasks behind the monthly trend.
summary_snapshots = Table(
    "summary_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("as_of", Date, nullable=False),
    Index(
        "ix_summary_snapshots_period", "period_start", "period_end", "as_of", "kind", unique=True
    ),
)

# Which summaries are built (name, when): a summary not listed here is never read.
summary_status = Table(
    "summary_status",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("refreshed_at", DateTime, nullable=False),
)

# Imports committed whose summaries have not caught up yet (migration 0007). An import lists
# itself in its own transaction and its refresh, right after the commit, takes it off; one
# that stopped in between is caught up by the next refresh.
summary_pending = Table(
    "summary_pending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("table_name", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def _cell_columns() -> list[Column]:
    """A summary row's snapshot and cell. ``grain`` says which of the cell's codes are kept:
    "pair" rows keep the unit and agency (and their province and ministry), "province" rows
    only the province, "agency" rows only the agency and its ministry; the coarser grains
    are sums of the pair rows, kept so that the common questions read a few rows."""
    return [
        Column("snapshot_id", Integer, nullable=False),
        Column("grain", String(8), nullable=False),
        Column("org_unit_code", CODE, nullable=True),
        Column("province_code", CODE, nullable=True),
        Column("agency_code", CODE, nullable=True),
        Column("ministry_code", CODE, nullable=True),
    ]


# Control cards issued in the snapshot's period up to its as-of date (not cancelled):
# completed ones counted by timeliness (due_on NULL), open ones by their due date.
summary_tasks = Table(
    "summary_tasks",
    metadata,
    *_cell_columns(),
    Column("due_on", Date, nullable=True),
    Column("early", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    Column("late", Integer, nullable=False),
    Column("open_tasks", Integer, nullable=False),
    Index("ix_summary_tasks_snapshot", "snapshot_id", "grain"),
)

# The same tasks completed by the as-of date, by month of completion (``YYYY-MM``).
summary_task_months = Table(
    "summary_task_months",
    metadata,
    *_cell_columns(),
    Column("month", String(7), nullable=False),
    Column("early", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    Column("late", Integer, nullable=False),
    Index("ix_summary_task_months_snapshot", "snapshot_id", "grain"),
)

# Month-end snapshots: tasks of the period issued by the as-of date and open on it.
summary_open_tasks = Table(
    "summary_open_tasks",
    metadata,
    *_cell_columns(),
    Column("open_tasks", Integer, nullable=False),
    Column("overdue_tasks", Integer, nullable=False),
    Index("ix_summary_open_tasks_snapshot", "snapshot_id", "grain"),
)

# Which control cards are overdue at a scorecard snapshot, in the order the list pages them.
summary_overdue_tasks = Table(
    "summary_overdue_tasks",
    metadata,
    Column("snapshot_id", Integer, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("task_code", CODE, nullable=False),
    Index("ix_summary_overdue_tasks_order", "snapshot_id", "due_on", "task_code"),
)

# Citizens' survey responses of the period up to the as-of date, by month and score (scores
# outside 1-5, which validation refuses, are still counted: below and above).
summary_responses = Table(
    "summary_responses",
    metadata,
    *_cell_columns(),
    Column("month", String(7), nullable=False),
    Column("score_1", Integer, nullable=False),
    Column("score_2", Integer, nullable=False),
    Column("score_3", Integer, nullable=False),
    Column("score_4", Integer, nullable=False),
    Column("score_5", Integer, nullable=False),
    Column("score_low", Integer, nullable=False),
    Column("score_high", Integer, nullable=False),
    Index("ix_summary_responses_snapshot", "snapshot_id", "grain"),
)

# The newest fact on or before the as-of date behind each part of the scorecard.
summary_newest = Table(
    "summary_newest",
    metadata,
    *_cell_columns(),
    Column("part", String(16), nullable=False),
    Column("newest", Date, nullable=False),
    Index("ix_summary_newest_snapshot", "snapshot_id", "grain"),
)

# Every commune's criteria at its latest readiness check on or before the as-of date.
summary_readiness = Table(
    "summary_readiness",
    metadata,
    Column("snapshot_id", Integer, nullable=False),
    Column("org_unit_code", CODE, nullable=False),
    Column("criterion", String(64), nullable=False),
    Column("checked_on", Date, nullable=False),
    Column("met", Boolean, nullable=False),
    Index("ix_summary_readiness_snapshot", "snapshot_id", "org_unit_code"),
)

# Civil servants' ratings counted by period, agency and score (final, else self).
summary_ratings = Table(
    "summary_ratings",
    metadata,
    Column("period", String(7), nullable=False),
    Column("agency_code", CODE, nullable=False),
    Column("score", Float, nullable=False),
    Column("ratings", Integer, nullable=False),
    Index("ix_summary_ratings_period", "period", "agency_code"),
)

# Each plan item's progress between two of its reports: from ``valid_from`` (a report date)
# until the next report (``valid_to``, NULL for the latest), the item's progress is
# ``progress`` (latest verified %, else latest reported %), ``verified`` says whether a
# verified figure exists, ``reported_on`` is ``valid_from``. Any as-of date reads one row.
summary_item_progress = Table(
    "summary_item_progress",
    metadata,
    Column("plan_item_code", CODE, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    Column("progress", Float, nullable=False),
    Column("verified", Boolean, nullable=False),
    Index("ix_summary_item_progress_item", "plan_item_code", "valid_from"),
)

# Plan items of the snapshot's period, their progress at its as-of date (migration 0006).
summary_plans = Table(
    "summary_plans",
    metadata,
    *_cell_columns(),
    Column("items_due", Integer, nullable=False),
    Column("items_not_due", Integer, nullable=False),
    Column("weight_due", Float, nullable=False),
    Column("weighted_progress", Float, nullable=False),
    Index("ix_summary_plans_snapshot", "snapshot_id", "grain"),
)
