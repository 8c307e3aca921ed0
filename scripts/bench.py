"""Benchmark of the data side: build the demo dataset, time every page's data calls.

    .venv/bin/python scripts/bench.py [--scale national] [--backends sqlite,postgresql]
        [--repeat 3] [--reuse] [--no-docs]

For each backend (SQLite in bench-results/bench-<scale>.sqlite3; PostgreSQL in a throwaway
cluster like tests/pg_cluster.py) the script builds the demo dataset (summaries included) and
measures, for every page of app.py, all the page's data_access + metrics calls with the
default filters (the same cached loaders the pages call, pages/common.py):

- cold: in a fresh Python process that has run the page once (its code loaded, as in a server
  that has served pages), with Streamlit's data cache emptied and a new database connection
  (an empty SQLite page cache, a new PostgreSQL backend); median of ``--repeat`` runs; the
  very first run of the process is kept too (``first``: Python loading pandas, scipy...);
- warm: the same calls again in that process (Streamlit's cache answers);
- hand-written SQL: one plain SQL query per figure of the page, over the row-level tables,
  on the backend itself (what the database does without summaries);
- DuckDB: the same hand-written queries run by DuckDB over the same rows (copied from the
  SQLite file into DuckDB's own tables once), as the reference for what the hardware can do.

Targets (issue 8): data cold <= 300 ms, warm <= 30 ms, cold within 3x of DuckDB. Results go to
bench-results/bench-<scale>.json and, unless --no-docs, to docs/performance.md between the
markers of the scale's section. Run it alone (``flock /tmp/bench.lock ...``): it measures time.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.getLogger("streamlit").setLevel(logging.ERROR)

from data_access import schema  # noqa: E402
from data_access.filters import Filters, GroupBy  # noqa: E402
from data_access.scope import FULL_SCOPE  # noqa: E402

RESULTS = ROOT / "bench-results"
DOCS = ROOT / "docs" / "performance.md"
COLD_TARGET_MS, WARM_TARGET_MS, DUCKDB_FACTOR = 300.0, 30.0, 3.0
DATA_AS_OF = date(2025, 11, 30)  # the demo's (data_access.demo.DATA_AS_OF)
FILTERS = Filters(
    scope=FULL_SCOPE,
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
    as_of=DATA_AS_OF,
)
DRILL_PROVINCE = "65"  # the map's drill-down in the old benchmark: a province with many soums
PAGES = (
    "overview", "map", "agencies", "plans", "tasks", "satisfaction_gap", "digital_services",
    "reality_check", "integrity", "outlook", "press_room", "data",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# What each page asks for with the default filters (mirrors pages/*.py)


def page_calls(url: str) -> dict[str, list[Callable[[], object]]]:
    from metrics import completeness
    from pages import common

    f = FILTERS
    provinces = common.reference_data(url, FULL_SCOPE)["provinces"]
    first_province = provinces["code"].iloc[0]
    quarters = completeness.reporting_periods(year=f.period_start.year, as_of=f.as_of)
    quarter = completeness.default_reporting_period(periods=quarters, as_of=f.as_of)
    reference = [lambda: common.reference_data(url, FULL_SCOPE)]
    return {
        "overview": [
            *reference,
            lambda: common.scorecard(url, f, GroupBy.NONE),
            lambda: common.scorecard(url, common.previous_period(f), GroupBy.NONE),
            lambda: common.scorecard(url, f, GroupBy.PROVINCE),
            lambda: common.scorecard(url, f, GroupBy.AGENCY, common.AGENCY_PARTS),
            lambda: common.monthly_trend(url, f),
            lambda: common.reality_units(url, f),
        ],
        "map": [
            *reference,
            lambda: common.scorecard_with_freshness(url, f, GroupBy.PROVINCE),
            lambda: common.unit_shapes(url, 1, None),
            lambda: common.scorecard_with_freshness(
                url, replace(f, province_code=DRILL_PROVINCE), GroupBy.DISTRICT
            ),
            lambda: common.units_under(url, DRILL_PROVINCE, FULL_SCOPE),
            lambda: common.unit_shapes(url, 2, DRILL_PROVINCE),
        ],
        "agencies": [
            *reference,
            lambda: common.scorecard(url, f, GroupBy.AGENCY, common.AGENCY_PARTS),
        ],
        "plans": [
            *reference,
            lambda: common.plan_execution(url, f, GroupBy.PLAN_KIND),
            lambda: common.plan_execution(url, f, GroupBy.PLAN),
            lambda: common.plan_execution(url, f, GroupBy.TASK_GROUP),
            lambda: common.plan_items_behind(url, f, 200),
        ],
        "tasks": [
            *reference,
            lambda: common.timeliness(url, f, GroupBy.NONE),
            lambda: common.timeliness(url, f, GroupBy.PROVINCE),
            lambda: common.overdue_page(url, f, 50, 0),
        ],
        "satisfaction_gap": [
            *reference,
            lambda: common.gap(url, f, GroupBy.NONE),
            lambda: common.gap(url, f, GroupBy.AGENCY),
        ],
        "digital_services": [
            *reference,
            lambda: common.digital_scorecard(url, f, GroupBy.NONE),
            lambda: common.digital_scorecard(url, f, GroupBy.PROVINCE),
            lambda: common.monthly_services(url, f),
            lambda: common.digital_scorecard(
                url, replace(f, province_code=first_province), GroupBy.DISTRICT
            ),
            lambda: common.commune_matrix(url, replace(f, province_code=first_province)),
            lambda: common.missing_criteria(url, f, GroupBy.NONE),
            lambda: common.missing_criteria(url, f, GroupBy.PROVINCE),
        ],
        "reality_check": [*reference, lambda: common.reality_units(url, f)],
        "integrity": [
            *reference,
            lambda: common.rating_inflation(url, f, GroupBy.AGENCY),
            lambda: common.verification(url, f, GroupBy.AGENCY),
        ],
        "outlook": [
            *reference,
            lambda: common.plan_outlook(url, f),
            lambda: common.items_at_risk(url, f),
        ],
        "press_room": [
            *reference,
            lambda: common.scorecard(url, f, GroupBy.NONE),
            lambda: common.scorecard(url, f, GroupBy.PROVINCE),
            lambda: common.plan_execution(url, f, GroupBy.MINISTRY),
            lambda: common.gap(url, f, GroupBy.PROVINCE),
            lambda: common.monthly_trend(url, f),
            lambda: common.scorecard(url, f, GroupBy.AGENCY, common.AGENCY_PARTS),
        ],
        "data": [
            *reference,
            lambda: common.reporting(url, f, quarter),
            lambda: common.all_units(url),
            lambda: common.import_history(url, 200),
        ],
    }


def measure_page(*, url: str, page: str) -> dict[str, float]:
    """In this fresh process: ``first`` = the page's calls as the process's first work
    (Python still loading code); then, with Streamlit's data cache emptied and a new database
    connection (an empty SQLite page cache, a new PostgreSQL backend), ``cold``; then
    ``warm``, the same calls again (Streamlit's cache answers)."""
    from data_access.db import get_engine
    from pages import common

    calls = page_calls(url)[page]
    timings = {}
    for name in ("first", "cold", "warm"):
        if name != "warm":
            common.st.cache_data.clear()
            get_engine(url).dispose()
        started = time.perf_counter()
        for call in calls:
            call()
        timings[f"{name}_ms"] = (time.perf_counter() - started) * 1000
    return timings


# --------------------------------------------------------------------------------------------
# The hand-written reference: one plain query per figure, over the row-level tables


class Sql:
    """The few things that differ between SQLite, PostgreSQL and DuckDB in these queries."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def day(self, value: date) -> str:
        # SQLite keeps dates as ISO text; the others take a typed literal.
        return f"'{value}'" if self.dialect == "sqlite" else f"DATE '{value}'"

    def month(self, column: str) -> str:
        if self.dialect == "sqlite":
            return f"substr({column}, 1, 7)"
        return f"substr(CAST({column} AS VARCHAR), 1, 7)"


PROVINCE = "CASE WHEN u.level = 1 THEN u.code ELSE u.parent_code END"
MINISTRY = "CASE WHEN a.kind = 'ministry' THEN a.code ELSE a.parent_code END"


def group_sql(group_by: GroupBy, *, agency: str) -> str:
    return {
        GroupBy.NONE: "'all'",
        GroupBy.PROVINCE: f"COALESCE({PROVINCE}, '_national')",
        GroupBy.DISTRICT: "COALESCE(u.code, '_national')",
        GroupBy.AGENCY: f"COALESCE({agency}, '_none')",
        GroupBy.MINISTRY: f"COALESCE({MINISTRY}, '_none')",
        GroupBy.PLAN: "COALESCE(p.code, '_none')",
        GroupBy.PLAN_KIND: "COALESCE(p.kind, '_none')",
        GroupBy.TASK_GROUP: "COALESCE(i.task_group, '_none')",
    }[group_by]


def dims(*, unit: str, agency: str) -> str:
    return f" LEFT JOIN agencies a ON a.code = {agency} LEFT JOIN org_units u ON u.code = {unit}"


def province_where(f: Filters) -> str:
    return f" AND {PROVINCE} = '{f.province_code}'" if f.province_code else ""


def tasks_sql(sql: Sql, f: Filters, group_by: GroupBy) -> str:
    d, a = sql.day, f.as_of
    done = f"t.completed_on <= {d(a)}"
    still_open = f"(t.completed_on IS NULL OR t.completed_on > {d(a)})"
    overdue = f"{still_open} AND t.due_on < {d(a)}"
    soon = d(a + timedelta(days=7))
    counts = {
        "early": f"{done} AND t.completed_on < t.due_on",
        "on_time": f"{done} AND t.completed_on = t.due_on",
        "late": f"{done} AND t.completed_on > t.due_on",
        "overdue": overdue,
        "due_soon": f"{still_open} AND t.due_on >= {d(a)} AND t.due_on <= {soon}",
        "on_track": f"{still_open} AND t.due_on > {soon}",
    }
    for low, high in ((1, 7), (8, 30), (31, 90), (91, None)):
        bucket = f"{overdue} AND t.due_on <= {d(a - timedelta(days=low))}"
        if high:
            bucket += f" AND t.due_on >= {d(a - timedelta(days=high))}"
        counts[f"b{low}"] = bucket
    measures = ", ".join(
        f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {name}"
        for name, condition in counts.items()
    )
    return (
        f"SELECT {group_sql(group_by, agency='t.agency_code')} AS g, {measures}"
        f" FROM tasks t{dims(unit='t.org_unit_code', agency='t.agency_code')}"
        f" WHERE NOT t.cancelled AND t.issued_on >= {d(f.period_start)}"
        f" AND t.issued_on <= {d(f.effective_end)}{province_where(f)} GROUP BY 1"
    )


def plans_sql(sql: Sql, f: Filters, group_by: GroupBy) -> str:
    d, a = sql.day, f.as_of
    return (
        f"WITH la AS (SELECT plan_item_code, MAX(reported_on) AS d FROM progress_reports"
        f" WHERE reported_on <= {d(a)} GROUP BY plan_item_code),"
        f" lv AS (SELECT plan_item_code, MAX(reported_on) AS d FROM progress_reports"
        f" WHERE reported_on <= {d(a)} AND verified_percent IS NOT NULL GROUP BY plan_item_code)"
        f" SELECT {group_sql(group_by, agency='i.agency_code')} AS g,"
        f" SUM(CASE WHEN i.due_date <= {d(a)} THEN 1 ELSE 0 END) AS items_due,"
        f" SUM(CASE WHEN i.due_date > {d(a)} THEN 1 ELSE 0 END) AS items_not_due,"
        f" SUM(CASE WHEN i.due_date <= {d(a)} THEN i.weight ELSE 0 END) AS weight_due,"
        f" SUM(CASE WHEN i.due_date <= {d(a)} THEN i.weight * COALESCE(rv.verified_percent,"
        f" ra.percent_complete, 0) ELSE 0 END) AS weighted"
        f" FROM plan_items i JOIN plans p ON p.code = i.plan_code"
        f" LEFT JOIN la ON la.plan_item_code = i.code LEFT JOIN progress_reports ra"
        f" ON ra.plan_item_code = i.code AND ra.reported_on = la.d"
        f" LEFT JOIN lv ON lv.plan_item_code = i.code LEFT JOIN progress_reports rv"
        f" ON rv.plan_item_code = i.code AND rv.reported_on = lv.d"
        f"{dims(unit='i.org_unit_code', agency='i.agency_code')}"
        f" WHERE i.due_date >= {d(f.period_start)} AND i.due_date <= {d(f.period_end)}"
        f"{province_where(f)} GROUP BY 1"
    )


def ratings_sql(sql: Sql, f: Filters, group_by: GroupBy) -> str:
    year = f.period_start.year
    score = "COALESCE(r.final_score, r.self_score)"
    return (
        f"SELECT {group_sql(group_by, agency='s.agency_code')} AS g, COUNT({score}),"
        f" SUM({score}), SUM({score} * {score}),"
        f" SUM(CASE WHEN {score} >= 95 THEN 1 ELSE 0 END)"
        f" FROM ratings r JOIN staff s ON s.code = r.staff_code"
        f"{dims(unit='a.org_unit_code', agency='s.agency_code')}"
        f" WHERE r.period IN ('{year}', '{year}-H1', '{year}-H2'){province_where(f)} GROUP BY 1"
    )


def responses_sql(sql: Sql, f: Filters, group_by: GroupBy) -> list[str]:
    d, year = sql.day, f.period_start.year
    scores = ", ".join(f"SUM(CASE WHEN r.score = {s} THEN 1 ELSE 0 END)" for s in range(1, 6))
    return [
        f"SELECT {group_sql(group_by, agency='r.agency_code')} AS g, COUNT(*), {scores}"
        f" FROM survey_responses r{dims(unit='r.org_unit_code', agency='r.agency_code')}"
        f" WHERE r.responded_on >= {d(f.period_start)} AND r.responded_on <= {d(f.effective_end)}"
        f"{province_where(f)} GROUP BY 1",
        f"SELECT {group_sql(group_by, agency='r.agency_code')} AS g, SUM(r.respondents),"
        f" SUM(r.respondents * r.satisfied_share)"
        f" FROM survey_results r{dims(unit='r.org_unit_code', agency='r.agency_code')}"
        f" WHERE r.period IN ('{year}', '{year}-H1', '{year}-H2'){province_where(f)} GROUP BY 1",
    ]


def services_sql(sql: Sql, f: Filters, group_by: GroupBy) -> str:
    d = sql.day
    columns = ", ".join(
        f"SUM(s.{c})"
        for c in ("applications", "online_applications", "online_results", "resolved_early")
    )
    return (
        f"SELECT {group_sql(group_by, agency='s.agency_code')} AS g, {columns}"
        f" FROM service_stats s{dims(unit='s.org_unit_code', agency='s.agency_code')}"
        f" WHERE s.month >= {d(f.period_start)} AND s.month <= {d(f.effective_end)}"
        f"{province_where(f)} GROUP BY 1"
    )


def readiness_sql(sql: Sql, f: Filters, group_by: GroupBy) -> str:
    d = sql.day
    return (
        f"WITH latest AS (SELECT org_unit_code, MAX(checked_on) AS d FROM readiness_checks"
        f" WHERE checked_on <= {d(f.as_of)} GROUP BY org_unit_code),"
        f" commune AS (SELECT c.org_unit_code, c.criterion, c.met FROM readiness_checks c"
        f" JOIN latest l ON l.org_unit_code = c.org_unit_code AND l.d = c.checked_on)"
        f" SELECT {group_sql(group_by, agency='NULL')} AS g, c.criterion, COUNT(*),"
        f" SUM(CASE WHEN c.met THEN 0 ELSE 1 END)"
        f" FROM commune c LEFT JOIN org_units u ON u.code = c.org_unit_code"
        f" WHERE 1 = 1{province_where(f)} GROUP BY 1, 2"
    )


def trend_sql(sql: Sql, f: Filters) -> list[str]:
    from metrics.trend import month_ends

    d = sql.day
    opened = ", ".join(
        f"SUM(CASE WHEN t.issued_on <= {d(m)} AND (t.completed_on IS NULL OR t.completed_on >"
        f" {d(m)}) THEN 1 ELSE 0 END), SUM(CASE WHEN t.issued_on <= {d(m)} AND"
        f" (t.completed_on IS NULL OR t.completed_on > {d(m)}) AND t.due_on < {d(m)} THEN 1"
        f" ELSE 0 END)"
        for m in month_ends(start=f.period_start, end=f.effective_end)
    )
    issued = (
        f"NOT t.cancelled AND t.issued_on >= {d(f.period_start)}"
        f" AND t.issued_on <= {d(f.effective_end)}"
    )
    return [
        f"SELECT {sql.month('t.completed_on')} AS m,"
        f" SUM(CASE WHEN t.completed_on < t.due_on THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN t.completed_on = t.due_on THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN t.completed_on > t.due_on THEN 1 ELSE 0 END)"
        f" FROM tasks t WHERE {issued} AND t.completed_on <= {d(f.as_of)} GROUP BY 1",
        f"SELECT {sql.month('r.responded_on')} AS m, COUNT(*),"
        f" SUM(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END) FROM survey_responses r"
        f" WHERE r.responded_on >= {d(f.period_start)} AND r.responded_on <= {d(f.effective_end)}"
        f" GROUP BY 1",
        f"SELECT {opened} FROM tasks t WHERE NOT t.cancelled"
        f" AND t.issued_on >= {d(f.period_start)}",
    ]


def overdue_sql(sql: Sql, f: Filters) -> list[str]:
    d = sql.day
    where = (
        f" FROM tasks t{dims(unit='t.org_unit_code', agency='t.agency_code')}"
        f" WHERE NOT t.cancelled AND t.issued_on >= {d(f.period_start)}"
        f" AND t.issued_on <= {d(f.effective_end)} AND t.due_on < {d(f.as_of)}"
        f" AND (t.completed_on IS NULL OR t.completed_on > {d(f.as_of)})"
    )
    return [
        f"SELECT t.code, t.title, a.name_en, u.name_en, t.due_on{where}"
        f" ORDER BY t.due_on, t.code LIMIT 50",
        f"SELECT COUNT(*){where}",
    ]


def newest_sql(sql: Sql, f: Filters, group_by: GroupBy) -> list[str]:
    d = sql.day
    parts = [
        ("tasks t", "t", "t.issued_on"),
        ("tasks t", "t", "t.completed_on"),
        ("survey_responses r", "r", "r.responded_on"),
        ("service_stats s", "s", "s.month"),
    ]
    queries = [
        f"SELECT {group_sql(group_by, agency=f'{alias}.agency_code')} AS g, MAX({day})"
        f" FROM {table}{dims(unit=f'{alias}.org_unit_code', agency=f'{alias}.agency_code')}"
        f" WHERE {day} <= {d(f.as_of)}{province_where(f)} GROUP BY 1"
        for table, alias, day in parts
    ]
    queries.append(
        f"SELECT {group_sql(group_by, agency='i.agency_code')} AS g, MAX(p.reported_on)"
        f" FROM progress_reports p JOIN plan_items i ON i.code = p.plan_item_code"
        f"{dims(unit='i.org_unit_code', agency='i.agency_code')}"
        f" WHERE p.reported_on <= {d(f.as_of)}{province_where(f)} GROUP BY 1"
    )
    return queries


def scorecard_sql(sql: Sql, f: Filters, group_by: GroupBy, *, agency_parts: bool = False):
    queries = [
        tasks_sql(sql, f, group_by),
        plans_sql(sql, f, group_by),
        ratings_sql(sql, f, group_by),
        *responses_sql(sql, f, group_by),
        services_sql(sql, f, group_by),
    ]
    if not agency_parts and group_by in (GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT):
        queries.append(readiness_sql(sql, f, group_by))
    return queries


def previous(f: Filters) -> Filters:
    return replace(
        f,
        period_start=f.period_start.replace(year=f.period_start.year - 1),
        period_end=f.period_end.replace(year=f.period_end.year - 1),
        as_of=f.as_of.replace(year=f.as_of.year - 1),
    )


def reference_queries(sql: Sql) -> dict[str, list[str]]:
    """The figures of every page as hand-written SQL over the row-level tables."""
    from metrics.trend import month_ends

    f = FILTERS
    drill = replace(f, province_code=DRILL_PROVINCE)
    first = replace(f, province_code="11")
    overview = [
        *scorecard_sql(sql, f, GroupBy.NONE),
        *scorecard_sql(sql, previous(f), GroupBy.NONE),
        *scorecard_sql(sql, f, GroupBy.PROVINCE),
        *scorecard_sql(sql, f, GroupBy.AGENCY, agency_parts=True),
        *trend_sql(sql, f),
    ]
    outlook_dates = month_ends(start=f.period_start, end=f.effective_end)
    return {
        "overview": overview,
        "map": [
            *scorecard_sql(sql, f, GroupBy.PROVINCE),
            *newest_sql(sql, f, GroupBy.PROVINCE),
            *scorecard_sql(sql, drill, GroupBy.DISTRICT),
            *newest_sql(sql, drill, GroupBy.DISTRICT),
        ],
        "agencies": scorecard_sql(sql, f, GroupBy.AGENCY, agency_parts=True),
        "plans": [
            plans_sql(sql, f, GroupBy.PLAN_KIND),
            plans_sql(sql, f, GroupBy.PLAN),
            plans_sql(sql, f, GroupBy.TASK_GROUP),
        ],
        "tasks": [
            tasks_sql(sql, f, GroupBy.NONE),
            tasks_sql(sql, f, GroupBy.PROVINCE),
            *overdue_sql(sql, f),
        ],
        "satisfaction_gap": [
            ratings_sql(sql, f, GroupBy.NONE),
            *responses_sql(sql, f, GroupBy.NONE),
            ratings_sql(sql, f, GroupBy.AGENCY),
            *responses_sql(sql, f, GroupBy.AGENCY),
        ],
        "digital_services": [
            services_sql(sql, f, GroupBy.NONE),
            readiness_sql(sql, f, GroupBy.NONE),
            services_sql(sql, f, GroupBy.PROVINCE),
            readiness_sql(sql, f, GroupBy.PROVINCE),
            services_sql(sql, first, GroupBy.DISTRICT),
            readiness_sql(sql, first, GroupBy.DISTRICT),
        ],
        "reality_check": [
            *scorecard_sql(sql, f, GroupBy.PROVINCE),
            *scorecard_sql(sql, f, GroupBy.AGENCY, agency_parts=True),
        ],
        "integrity": [ratings_sql(sql, f, GroupBy.AGENCY), *responses_sql(sql, f, GroupBy.AGENCY)],
        "outlook": [
            plans_sql(sql, replace(f, as_of=moment), GroupBy.PLAN) for moment in outlook_dates
        ],
        "press_room": [
            *scorecard_sql(sql, f, GroupBy.NONE),
            *scorecard_sql(sql, f, GroupBy.PROVINCE),
            plans_sql(sql, f, GroupBy.MINISTRY),
            *trend_sql(sql, f),
            *scorecard_sql(sql, f, GroupBy.AGENCY, agency_parts=True),
        ],
        "data": [
            "SELECT agency_code, MAX(updated_at) FROM agency_updates GROUP BY agency_code",
            plans_sql(sql, f, GroupBy.AGENCY),
        ],
    }


def _median_ms(run: Callable[[], object], *, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def time_backend_sql(*, url: str, repeat: int) -> dict[str, float]:
    from sqlalchemy import text

    from data_access.db import get_engine

    engine = get_engine(url)
    queries = reference_queries(Sql(engine.dialect.name))
    results = {}
    with engine.connect() as connection:
        for page in PAGES:
            results[page] = _median_ms(
                lambda page=page: [connection.execute(text(q)).all() for q in queries[page]],
                repeat=repeat,
            )
    return results


def duckdb_tables(sqlite_path: Path):
    """A DuckDB database holding the same rows as the SQLite file (dates typed as dates)."""
    import duckdb
    import pandas as pd

    database = duckdb.connect()
    source = sqlite3.connect(sqlite_path)
    for table in (*schema.FACT_TABLES_IN_LOAD_ORDER, schema.agency_updates):
        frame = pd.read_sql_query(f"SELECT * FROM {table.name}", source)
        for column in table.columns:
            if column.type.python_type is date:
                frame[column.name] = pd.to_datetime(frame[column.name])
            elif column.type.python_type is bool:
                frame[column.name] = frame[column.name].astype("boolean")
        database.register("incoming", frame)
        casts = ", ".join(
            f"CAST({column.name} AS DATE) AS {column.name}"
            for column in table.columns
            if column.type.python_type is date
        )
        replace_clause = f" REPLACE ({casts})" if casts else ""
        database.execute(f"CREATE TABLE {table.name} AS SELECT *{replace_clause} FROM incoming")
        database.unregister("incoming")
    source.close()
    return database


def time_duckdb(*, sqlite_path: Path, repeat: int) -> tuple[dict[str, float], float]:
    started = time.perf_counter()
    database = duckdb_tables(sqlite_path)
    load_seconds = time.perf_counter() - started
    queries = reference_queries(Sql("duckdb"))
    results = {}
    for page in PAGES:
        database.execute(queries[page][0]).fetchall()  # DuckDB's first run plans and caches
        results[page] = _median_ms(
            lambda page=page: [database.execute(q).fetchall() for q in queries[page]],
            repeat=repeat,
        )
    return results, load_seconds


# --------------------------------------------------------------------------------------------
# Building and measuring


def build(*, url: str, scale: str) -> dict[str, float]:
    from data_access.demo import load_demo
    from data_access.migrate import upgrade_to_head

    moments: dict[str, float] = {}

    def progress(_share: float, message: str) -> None:
        moments.setdefault(message.split(":")[0], time.perf_counter())

    upgrade_to_head(database_url=url)
    started = time.perf_counter()
    load_demo(database_url=url, scale=scale, progress=progress)
    finished = time.perf_counter()
    summary_started = moments.get("Building the summary tables", finished)
    summary_done = moments.get("Updating the query planner's statistics", finished)
    return {
        "build_seconds": round(finished - started, 1),
        "summary_seconds": round(summary_done - summary_started, 1),
    }


def measure_pages(*, url: str, repeat: int) -> dict[str, dict[str, float]]:
    """Every page in fresh processes, ``repeat`` times; the median of each figure."""
    pages = {}
    for page in PAGES:
        runs = []
        for _ in range(repeat):
            output = subprocess.run(
                [sys.executable, __file__, "--measure", page, "--database-url", url],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
        pages[page] = {
            name: round(statistics.median(run[name] for run in runs), 1)
            for name in ("first_ms", "cold_ms", "warm_ms")
        }
        print(f"  {page}: cold {pages[page]['cold_ms']} ms, warm {pages[page]['warm_ms']} ms")
    return pages


def bench_backend(*, url: str, scale: str, repeat: int, reuse: bool) -> dict:
    figures = {} if reuse else build(url=url, scale=scale)
    print(f"built: {figures}", flush=True)
    return {
        **figures,
        "pages": measure_pages(url=url, repeat=repeat),
        "hand_sql_ms": {
            k: round(v, 1) for k, v in time_backend_sql(url=url, repeat=repeat).items()
        },
    }


def machine() -> str:
    memory = ""
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.machine()} {cpu}, {os.cpu_count()} cores{memory}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


# --------------------------------------------------------------------------------------------
# Reporting


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "**not met**"


def markdown(results: dict) -> str:
    scale = results["scale"]
    lines = [
        f"## Data time per page, {scale} scale (`scripts/bench.py`)",
        "",
        f"Measured {results['date']} with `make bench SCALE={scale}` on {results['machine']}"
        f" (load average {results['load']} when it started: a shared machine, other work was"
        " running). Default filters: 2025, as of 2025-11-30, every province. Data cold = all the"
        " page's data_access + metrics calls with Streamlit's cache emptied and a new database"
        " connection, in a process that has run them once (code loaded, as in a serving"
        " process; the operating system's file cache is warm); first = that very first run of a"
        " fresh Python process; warm = the same calls again (Streamlit's cache);"
        " hand SQL = one hand-written query per figure over the row-level tables, on the"
        " backend; DuckDB = the same queries in DuckDB over the same rows. Medians of"
        f" {results['repeat']} runs. Targets: cold <= {COLD_TARGET_MS:.0f} ms, warm <="
        f" {WARM_TARGET_MS:.0f} ms, cold <= {DUCKDB_FACTOR:.0f} x DuckDB.",
        "",
    ]
    for backend, figures in results["backends"].items():
        if "build_seconds" in figures:
            lines.append(
                f"- {backend}: demo built in {figures['build_seconds']} s, of which"
                f" {figures['summary_seconds']} s building the summary tables and statistics."
            )
    if "duckdb_load_seconds" in results:
        lines.append(
            f"- DuckDB: rows copied from the SQLite file in {results['duckdb_load_seconds']} s."
        )
    lines += [
        "",
        "| page | backend | data cold (ms) | data warm (ms) | first (ms) | hand SQL (ms) |"
        " DuckDB (ms) | cold / DuckDB | cold ≤ 300 | warm ≤ 30 | ≤ 3 × DuckDB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    duck = results.get("duckdb_ms", {})
    for page in PAGES:
        for backend, figures in results["backends"].items():
            timing = figures["pages"][page]
            cold, warm = timing["cold_ms"], timing["warm_ms"]
            reference = duck.get(page)
            ratio = f"{cold / reference:.1f}" if reference else "—"
            ratio_verdict = _verdict(cold, DUCKDB_FACTOR * reference) if reference else "—"
            cells = [
                page, backend, f"{cold:.0f}", f"{warm:.1f}", f"{timing['first_ms']:.0f}",
                f"{figures['hand_sql_ms'][page]:.0f}",
                f"{reference:.0f}" if reference else "—",
                ratio, _verdict(cold, COLD_TARGET_MS), _verdict(warm, WARM_TARGET_MS),
                ratio_verdict,
            ]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_docs(*, results: dict) -> None:
    scale = results["scale"]
    start, end = f"<!-- bench:{scale}:start -->", f"<!-- bench:{scale}:end -->"
    block = f"{start}\n{markdown(results)}{end}"
    text = DOCS.read_text(encoding="utf-8")  # read just before writing: others edit it too
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="national", choices=("small", "default", "national"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="SQLite: reuse the built file")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one page, in this process
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure_page(url=arguments.database_url, page=arguments.measure)))
        return 0
    RESULTS.mkdir(exist_ok=True)
    sqlite_path = RESULTS / f"bench-{arguments.scale}.sqlite3"
    results: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "load": f"{os.getloadavg()[0]:.1f}",
        "scale": arguments.scale,
        "repeat": arguments.repeat,
        "backends": {},
    }
    for backend in arguments.backends.split(","):
        print(f"{backend}:", flush=True)
        if backend == "sqlite":
            if not arguments.reuse:
                sqlite_path.unlink(missing_ok=True)
            results["backends"][backend] = bench_backend(
                url=f"sqlite:///{sqlite_path}",
                scale=arguments.scale,
                repeat=arguments.repeat,
                reuse=arguments.reuse and sqlite_path.exists(),
            )
            continue
        from tests.pg_cluster import postgres_bin_dir, remove_cluster, start_cluster

        if postgres_bin_dir() is None:
            print("PostgreSQL binaries not found: skipping postgresql", file=sys.stderr)
            continue
        cluster = start_cluster()
        try:
            url = cluster.create_database("bench")
            results["backends"][backend] = bench_backend(
                url=url, scale=arguments.scale, repeat=arguments.repeat, reuse=False
            )
        finally:
            remove_cluster(cluster)
    if sqlite_path.exists():
        duck, load_seconds = time_duckdb(sqlite_path=sqlite_path, repeat=arguments.repeat)
        results["duckdb_ms"] = {page: round(value, 1) for page, value in duck.items()}
        results["duckdb_load_seconds"] = round(load_seconds, 1)
    table = markdown(results)
    print(table)
    output = RESULTS / f"bench-{arguments.scale}.json"
    output.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if not arguments.no_docs:
        write_docs(results=results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
