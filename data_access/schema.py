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
