"""How fresh the data are: the newest fact behind each group's indicators, and what each agency
reported for a reporting period (the inputs of metrics.completeness).

Group codes follow data_access.queries: ``all`` when not grouped, ``_national`` for facts tied
to no province, ``_none`` for facts without the grouped attribute.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Connection, FromClause, case, func, literal, select

from data_access import schema, summary
from data_access.dimensions import Fact
from data_access.dimensions import agency as _agency
from data_access.dimensions import agency_scope_conditions as _agency_scope_conditions
from data_access.dimensions import frame_of as _frame_of
from data_access.dimensions import ministry_of_agency as _ministry_of_agency
from data_access.dimensions import province_of_unit as _province_of_unit
from data_access.dimensions import unit as _unit
from data_access.filters import Filters, GroupBy
from data_access.periods import period_span

ALL = "all"
NATIONAL = "_national"
NONE = "_none"
FRESHNESS_PARTS = ("tasks", "plans", "satisfaction", "services", "readiness")
UNIT_GROUPINGS = (GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT)
AGENCY_GROUPINGS = (GroupBy.AGENCY, GroupBy.MINISTRY)


def _group(
    group_by: GroupBy, *, agency_code: ColumnElement, fact: Fact | None = None
) -> ColumnElement:
    """The group code of a fact joined to the ``unit`` and ``agency`` aliases, or of a
    summary ``fact`` (which keeps its unit's province and its agency's ministry)."""
    province = _province_of_unit() if fact is None else fact.province_code()
    district = _unit.c.code if fact is None else fact.district_code()
    ministry = _ministry_of_agency() if fact is None else fact.ministry_code()
    expressions = {
        GroupBy.NONE: literal(ALL),
        GroupBy.PROVINCE: func.coalesce(province, NATIONAL),
        GroupBy.DISTRICT: func.coalesce(district, NATIONAL),
        GroupBy.AGENCY: func.coalesce(agency_code, NONE),
        GroupBy.MINISTRY: func.coalesce(ministry, NONE),
    }
    if group_by not in expressions:
        raise ValueError(f"freshness cannot be grouped by {group_by.value}")
    return expressions[group_by].label("group_code")


def _newest(
    connection: Connection,
    *,
    base: FromClause,
    unit_code: ColumnElement,
    agency_code: ColumnElement,
    day: ColumnElement,
    filters: Filters,
    group_by: GroupBy,
) -> pd.Series:
    """The newest ``day`` on or before as-of per group, as a Series indexed by group code."""
    source = base.outerjoin(_agency, _agency.c.code == agency_code).outerjoin(
        _unit, _unit.c.code == unit_code
    )
    group = _group(group_by, agency_code=agency_code)
    query = (
        select(group, func.max(day).label("newest"))
        .select_from(source)
        .where(
            day <= filters.as_of,
            *_agency_scope_conditions(agency_code=agency_code, filters=filters),
        )
        .group_by(group)
    )
    rows = connection.execute(query).all()
    return pd.Series({str(code): _as_date(newest) for code, newest in rows}, dtype=object)


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def latest_fact_dates(
    *, connection: Connection, filters: Filters, group_by: GroupBy
) -> pd.DataFrame:
    """Per group, the date of the newest fact (on or before as-of) behind each part of the
    scorecard. Columns: group_code, then one date column (or None) per part: tasks (issued or
    completed), plans (progress reported), satisfaction (survey answered, or the end of a
    published period), services (end of the month counted), readiness (commune checked; only
    for province, district or no grouping)."""
    common = {"connection": connection, "filters": filters, "group_by": group_by}
    snapshot = summary.snapshot_id(connection, filters=filters)
    if snapshot is not None and group_by in (*UNIT_GROUPINGS, *AGENCY_GROUPINGS):
        parts = _summarised_parts(snapshot=snapshot, **common)
    else:
        parts = _fact_parts(**common)
    parts["satisfaction"] = parts["satisfaction"].combine(_published(**common), _later)
    parts["services"] = _month_ends(parts["services"], as_of=filters.as_of)
    if group_by not in UNIT_GROUPINGS:
        parts.pop("readiness", None)
    frame = pd.DataFrame(parts, dtype=object).reindex(columns=list(FRESHNESS_PARTS))
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.rename_axis("group_code").reset_index()


def _summarised_parts(
    *, connection: Connection, filters: Filters, group_by: GroupBy, snapshot: int
) -> dict[str, pd.Series]:
    """The newest dates per group and part, from ``summary_newest``."""
    table = schema.summary_newest
    cells = summary.cells(table=table, snapshot=snapshot, filters=filters, group_by=group_by)
    group = _group(group_by, agency_code=table.c.agency_code, fact=cells.fact)
    query = (
        select(group, table.c.part, func.max(table.c.newest))
        .where(
            *cells.conditions,
            *_agency_scope_conditions(
                agency_code=table.c.agency_code, filters=filters, fact=cells.fact
            ),
        )
        .group_by(group, table.c.part)
    )
    found: dict[str, dict[str, date | None]] = {part: {} for part in FRESHNESS_PARTS}
    for code, part, newest in connection.execute(query):
        found[str(part)][str(code)] = _as_date(newest)
    return {part: pd.Series(values, dtype=object) for part, values in found.items()}


def _fact_parts(
    *, connection: Connection, filters: Filters, group_by: GroupBy
) -> dict[str, pd.Series]:
    tasks, items, reports = schema.tasks, schema.plan_items, schema.progress_reports
    responses = schema.survey_responses
    stats, checks = schema.service_stats, schema.readiness_checks
    common = {"connection": connection, "filters": filters, "group_by": group_by}
    parts = {
        "tasks": _newest(
            base=tasks,
            unit_code=tasks.c.org_unit_code,
            agency_code=tasks.c.agency_code,
            day=tasks.c.issued_on,
            **common,
        ).combine(
            _newest(
                base=tasks,
                unit_code=tasks.c.org_unit_code,
                agency_code=tasks.c.agency_code,
                day=tasks.c.completed_on,
                **common,
            ),
            _later,
        ),
        "plans": _newest(
            base=reports.join(items, items.c.code == reports.c.plan_item_code),
            unit_code=items.c.org_unit_code,
            agency_code=items.c.agency_code,
            day=reports.c.reported_on,
            **common,
        ),
        "satisfaction": _newest(
            base=responses,
            unit_code=responses.c.org_unit_code,
            agency_code=responses.c.agency_code,
            day=responses.c.responded_on,
            **common,
        ),
        "services": _newest(
            base=stats,
            unit_code=stats.c.org_unit_code,
            agency_code=stats.c.agency_code,
            day=stats.c.month,
            **common,
        ),
    }
    if group_by in UNIT_GROUPINGS:
        parts["readiness"] = _newest(
            base=checks,
            unit_code=checks.c.org_unit_code,
            agency_code=literal(None),
            day=checks.c.checked_on,
            **common,
        )
    return parts


def _later(left: object, right: object) -> object:
    present = [value for value in (left, right) if isinstance(value, date)]
    return max(present) if present else None


def _month_ends(newest: pd.Series, *, as_of: date) -> pd.Series:
    """A month's counts cover the month: date them at its last day, not after as-of."""

    def month_end(first: object) -> object:
        if not isinstance(first, date):
            return None
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return min(following - timedelta(days=1), as_of)

    return newest.map(month_end)


def _published(*, connection: Connection, filters: Filters, group_by: GroupBy) -> pd.Series:
    """Published survey results are dated at the end of their period."""
    results = schema.survey_results
    source = results.outerjoin(_agency, _agency.c.code == results.c.agency_code).outerjoin(
        _unit, _unit.c.code == results.c.org_unit_code
    )
    group = _group(group_by, agency_code=results.c.agency_code)
    query = (
        select(group, results.c.period)
        .select_from(source)
        .where(*_agency_scope_conditions(agency_code=results.c.agency_code, filters=filters))
        .distinct()
    )
    newest: dict[str, date] = {}
    for code, period in connection.execute(query):
        try:
            end = period_span(str(period))[1]
        except ValueError:
            continue
        if end <= filters.as_of and end > newest.get(str(code), date.min):
            newest[str(code)] = end
    return pd.Series(newest, dtype=object)


def reporting_inputs(
    *, connection: Connection, period_start: date, period_end: date, as_of: date, filters: Filters
) -> pd.DataFrame:
    """One row per agency for a reporting period (e.g. a quarter).

    Columns: agency_code, name_mn, name_en, kind, ministry_code, items_expected (plan items it
    is responsible for that are still to be delivered in the period: due on or after its start,
    in a plan begun by its end), first_report (its first progress report dated from the period
    start up to as-of), last_report (its newest progress report up to as-of), last_import (when
    an import last changed any of its rows, UTC, whatever the as-of date).
    """
    items, plans, reports = schema.plan_items, schema.plans, schema.progress_reports
    agencies, updates = schema.agencies, schema.agency_updates
    expected = (
        select(items.c.agency_code, func.count().label("items_expected"))
        .join(plans, plans.c.code == items.c.plan_code)
        .where(
            items.c.due_date >= period_start,
            plans.c.period_start <= period_end,
            plans.c.period_end >= period_start,
            items.c.agency_code.is_not(None),
        )
        .group_by(items.c.agency_code)
        .subquery("expected")
    )
    reported = (
        select(
            items.c.agency_code,
            func.min(case((reports.c.reported_on >= period_start, reports.c.reported_on))).label(
                "first_report"
            ),
            func.max(reports.c.reported_on).label("last_report"),
        )
        .join(items, items.c.code == reports.c.plan_item_code)
        .where(reports.c.reported_on <= as_of)
        .group_by(items.c.agency_code)
        .subquery("reported")
    )
    imported = (
        select(updates.c.agency_code, func.max(updates.c.updated_at).label("last_import"))
        .group_by(updates.c.agency_code)
        .subquery("imported")
    )
    ministry = case((agencies.c.kind == "ministry", agencies.c.code), else_=agencies.c.parent_code)
    query = (
        select(
            agencies.c.code.label("agency_code"),
            agencies.c.name_mn,
            agencies.c.name_en,
            agencies.c.kind,
            ministry.label("ministry_code"),
            func.coalesce(expected.c.items_expected, 0).label("items_expected"),
            reported.c.first_report,
            reported.c.last_report,
            imported.c.last_import,
        )
        .select_from(
            agencies.outerjoin(expected, expected.c.agency_code == agencies.c.code)
            .outerjoin(reported, reported.c.agency_code == agencies.c.code)
            .outerjoin(imported, imported.c.agency_code == agencies.c.code)
            .outerjoin(_unit, _unit.c.code == agencies.c.org_unit_code)
        )
        .order_by(agencies.c.code)
    )
    if filters.ministry_code:
        query = query.where(ministry == filters.ministry_code)
    if filters.agency_code:
        query = query.where(agencies.c.code == filters.agency_code)
    for province in (filters.province_code, filters.scope.province_only):
        if province:
            query = query.where(_province_of_unit() == province)
    frame = _frame_of(connection, query)
    columns = [
        "agency_code", "name_mn", "name_en", "kind", "ministry_code", "items_expected",
        "first_report", "last_report", "last_import",
    ]  # fmt: skip
    if frame.empty:
        return pd.DataFrame(columns=columns)
    for column in ("first_report", "last_report"):
        frame[column] = frame[column].map(_as_date)
    frame["items_expected"] = frame["items_expected"].astype(int)
    return frame[columns]
