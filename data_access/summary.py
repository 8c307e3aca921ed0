"""Pre-aggregated summaries: what lets a page read a few thousand rows instead of millions.

The summary tables (``schema.summary_*``) are derived from the facts and kept in line with them
by ``refresh``, which the importer and the demo loader call in the same transaction as their
writes. Queries read a summary only when it answers exactly what was asked; anything else (an
as-of date no snapshot has, a grouping a summary does not keep) reads the facts, with the same
result. What they hold:

- *Snapshots* (``summary_snapshots``): a calendar-year reporting period read at one as-of date.
  "scorecard" snapshots are the as-of dates the sidebar offers by default: every year's end,
  the data's as-of date (``dataset_info.data_as_of``, else the newest task's issue date) and
  the same day a year earlier (the Overview's comparison). "month_end" snapshots are the month
  ends of every year up to the data's as-of date, for the monthly trend of open tasks.
- Per scorecard snapshot and cell (unit x agency, plus the province and ministry they belong
  to): task counts with open tasks by due date (so every due-soon window and ageing bucket is
  exact), tasks completed by month, the overdue tasks themselves (for the list), survey
  responses by month and score, the newest fact of each kind, and communes' latest
  readiness criteria. Cells are also summed by province and by agency, so that national,
  provincial and agency figures read a handful of rows (``grain``).
- Independent of any snapshot: every plan item's progress between two of its reports (so
  plan execution at any as-of date is exact), and ratings counted by period, agency and score.

Scope: summaries keep the province, unit, agency and ministry of every cell, and the queries
apply the reader's scope to them exactly as to the facts (``dimensions.scope_conditions``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    FromClause,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)

from data_access import schema
from data_access.bulk import bulk_insert, copy_arrow
from data_access.dimensions import (
    Fact,
    ministry_of_agency,
    month_label,
    province_of_unit,
    with_dimensions,
)
from data_access.filters import Filters, GroupBy

SCORECARD = "scorecard"
MONTH_END = "month_end"
PAIR = "pair"
PROVINCE = "province"
AGENCY = "agency"
SCORES = (1, 2, 3, 4, 5)

# Summaries keep the province of every unit and the ministry of every agency: a change to the
# org units or agencies rebuilds them all.
DIMENSION_TABLES = frozenset({"org_units", "agencies"})

_snap = schema.summary_snapshots.alias("snap")


# --------------------------------------------------------------------------------------------
# Reading: which snapshot answers a question, and the summary rows of a cell grain


def snapshot_id(connection: Connection, *, filters: Filters, kind: str = SCORECARD) -> int | None:
    """The snapshot holding exactly ``filters``' period and as-of date, or None."""
    found = snapshot_ids(
        connection,
        period_start=filters.period_start,
        period_end=filters.period_end,
        dates=[filters.as_of],
        kind=kind,
    )
    return None if found is None else found[filters.as_of]


def snapshot_ids(
    connection: Connection,
    *,
    period_start: date,
    period_end: date,
    dates: Sequence[date],
    kind: str,
) -> dict[date, int] | None:
    """The snapshots of the period at each of ``dates``; None unless every date has one."""
    snapshots = schema.summary_snapshots
    rows = connection.execute(
        select(snapshots.c.as_of, snapshots.c.id).where(
            snapshots.c.kind == kind,
            snapshots.c.period_start == period_start,
            snapshots.c.period_end == period_end,
            snapshots.c.as_of.in_(list(dates)),
            _none_pending(),
        )
    ).all()
    found = {_as_date(as_of): int(identifier) for as_of, identifier in rows}
    return found if len(found) == len(set(dates)) and found else None


def is_built(connection: Connection, *, name: str) -> bool:
    """Whether the summary ``name`` (a table name) is built and kept in line with the facts."""
    return _listed(connection, name=name, conditions=[_none_pending()])


def _listed(connection: Connection, *, name: str, conditions: Sequence[ColumnElement] = ()) -> bool:
    status = schema.summary_status
    query = select(status.c.name).where(status.c.name == name, *conditions)
    return connection.execute(query).first() is not None


def _none_pending() -> ColumnElement:
    """True unless an import has committed rows its summaries do not count yet: until its
    refresh is done (a few seconds after the commit), every question reads the facts."""
    return ~select(schema.summary_pending.c.id).exists()


def grain_for(*, filters: Filters, group_by: GroupBy) -> str:
    """The coarsest cell grain that answers the grouping under the filters and scope."""
    needs_unit = group_by is GroupBy.DISTRICT
    needs_province = group_by is GroupBy.PROVINCE or bool(
        filters.province_code or filters.scope.province_only
    )
    needs_agency = group_by in (GroupBy.AGENCY, GroupBy.MINISTRY) or bool(
        filters.ministry_code or filters.agency_code
    )
    if needs_unit or (needs_province and needs_agency):
        return PAIR
    return AGENCY if needs_agency else PROVINCE


# The groupings a cell summary keeps (plans and task groups are not kept: the facts answer).
CELL_GROUPINGS = frozenset(
    {GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT, GroupBy.AGENCY, GroupBy.MINISTRY}
)


@dataclass(frozen=True)
class Cells:
    """Summary rows of one snapshot and grain, as a fact the queries group and scope."""

    fact: Fact
    conditions: list[ColumnElement]


def cells(
    *, table: Table, snapshot: int | Sequence[int], filters: Filters, group_by: GroupBy
) -> Cells:
    """The rows of ``table`` that answer ``group_by`` under ``filters`` for ``snapshot`` (one
    or several)."""
    fact = Fact(
        source=table,
        unit_code=table.c.org_unit_code,
        agency_code=table.c.agency_code,
        province=table.c.province_code,
        district=table.c.org_unit_code,
        ministry=table.c.ministry_code,
    )
    grain = grain_for(filters=filters, group_by=group_by)
    chosen = (
        table.c.snapshot_id == snapshot
        if isinstance(snapshot, int)
        else table.c.snapshot_id.in_(list(snapshot))
    )
    return Cells(fact=fact, conditions=[chosen, table.c.grain == grain])


def item_progress_at(*, as_of: date) -> FromClause:
    """Each plan item's row of ``summary_item_progress`` in force at ``as_of`` (outer-join it
    on ``plan_item_code``; no row = never reported by then)."""
    timeline = schema.summary_item_progress
    return (
        select(
            timeline.c.plan_item_code,
            timeline.c.valid_from,
            timeline.c.progress,
            timeline.c.verified,
        )
        .where(
            timeline.c.valid_from <= as_of,
            or_(timeline.c.valid_to.is_(None), timeline.c.valid_to > as_of),
        )
        .subquery("item_progress")
    )


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --------------------------------------------------------------------------------------------
# Which snapshots the data call for


@dataclass(frozen=True, order=True)
class Snapshot:
    kind: str
    period_start: date
    period_end: date
    as_of: date


def month_ends(*, start: date, end: date) -> list[date]:
    """The last day of every month from ``start`` to ``end``; ``end`` itself closes the list
    (the dates of the monthly trend, metrics.trend.month_ends)."""
    moments: list[date] = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        moments.append(min(following - timedelta(days=1), end))
        cursor = following
    return moments


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def data_as_of(connection: Connection) -> date | None:
    """The as-of date the sidebar offers: the dataset's, else the newest task's issue date."""
    info = schema.dataset_info
    stored = connection.execute(
        select(info.c.value).where(info.c.key == "data_as_of")
    ).scalar_one_or_none()
    if stored:
        return _as_date(stored)
    newest = connection.execute(select(func.max(schema.tasks.c.issued_on))).scalar_one_or_none()
    return None if newest is None else _as_date(newest)


def _first_year(connection: Connection) -> int | None:
    firsts = [
        connection.execute(select(func.min(column))).scalar_one_or_none()
        for column in (schema.tasks.c.issued_on, schema.survey_responses.c.responded_on)
    ]
    present = [_as_date(first) for first in firsts if first is not None]
    return min(present).year if present else None


def wanted_snapshots(connection: Connection) -> set[Snapshot]:
    """Every snapshot the data call for (see the module's docstring)."""
    as_of = data_as_of(connection)
    first_year = _first_year(connection)
    if as_of is None or first_year is None or first_year > as_of.year:
        return set()
    wanted: set[Snapshot] = set()
    for year in range(first_year, as_of.year + 1):
        start, end = date(year, 1, 1), date(year, 12, 31)
        wanted.add(Snapshot(SCORECARD, start, end, end))
        for moment in month_ends(start=start, end=min(end, as_of)):
            wanted.add(Snapshot(MONTH_END, start, end, moment))
    for moment in (as_of, _year_earlier(as_of)):
        if moment.year >= first_year:
            start, end = date(moment.year, 1, 1), date(moment.year, 12, 31)
            wanted.add(Snapshot(SCORECARD, start, end, moment))
    return wanted


def _stored_snapshots(connection: Connection) -> dict[Snapshot, int]:
    table = schema.summary_snapshots
    rows = connection.execute(
        select(table.c.id, table.c.kind, table.c.period_start, table.c.period_end, table.c.as_of)
    ).all()
    return {
        Snapshot(kind, _as_date(start), _as_date(end), _as_date(as_of)): int(identifier)
        for identifier, kind, start, end, as_of in rows
    }


# --------------------------------------------------------------------------------------------
# Building: one family of summary tables at a time


def _insert_pairs(
    connection: Connection,
    *,
    table: Table,
    snapshot: ColumnElement,
    unit_code: ColumnElement,
    agency_code: ColumnElement,
    source: FromClause,
    keys: Sequence[ColumnElement],
    measures: Sequence[ColumnElement],
    conditions: Sequence[ColumnElement],
) -> None:
    """Pair rows: the facts counted per snapshot, unit, agency and ``keys``, then joined to
    their unit's province and their agency's ministry (after counting: a few thousand joins
    instead of millions)."""
    counted = (
        select(
            snapshot.label("snapshot_id"),
            unit_code.label("unit_code"),
            agency_code.label("agency_code"),
            *keys,
            *measures,
        )
        .select_from(source)
        .where(*conditions)
        .group_by(snapshot, unit_code, agency_code, *keys)
        .subquery("counted")
    )
    _insert_counted(
        connection,
        table=table,
        counted=counted,
        key_names=[key.name for key in keys],
        measure_names=[measure.name for measure in measures],
    )


def _insert_counted(
    connection: Connection,
    *,
    table: Table,
    counted: FromClause,
    key_names: Sequence[str],
    measure_names: Sequence[str],
) -> None:
    """Pair rows from counts per snapshot, unit and agency (columns snapshot_id, unit_code,
    agency_code, the keys and the measures)."""
    query = select(
        counted.c.snapshot_id,
        literal(PAIR).label("grain"),
        counted.c.unit_code.label("org_unit_code"),
        province_of_unit().label("province_code"),
        counted.c.agency_code,
        ministry_of_agency().label("ministry_code"),
        *[counted.c[name] for name in key_names],
        *[counted.c[name] for name in measure_names],
    ).select_from(
        with_dimensions(base=counted, agency_on=counted.c.agency_code, unit_on=counted.c.unit_code)
    )
    names = [
        "snapshot_id", "grain", "org_unit_code", "province_code", "agency_code", "ministry_code",
        *key_names, *measure_names,
    ]  # fmt: skip
    connection.execute(insert(table).from_select(names, query))


def _insert_rollups(
    connection: Connection,
    *,
    table: Table,
    snapshots: Collection[int],
    keys: Sequence[str],
    measures: dict[str, str],
    only: ColumnElement | None = None,
) -> None:
    """The province and agency grains: sums (or maxima) of the pair rows (of ``only``)."""
    kept_by_grain = {PROVINCE: ("province_code",), AGENCY: ("agency_code", "ministry_code")}
    cell_names = ("org_unit_code", "province_code", "agency_code", "ministry_code")
    aggregate = {"sum": func.sum, "max": func.max}
    for grain, kept in kept_by_grain.items():
        cell = [
            table.c[name].label(name) if name in kept else null().label(name) for name in cell_names
        ]
        query = (
            select(
                table.c.snapshot_id,
                literal(grain).label("grain"),
                *cell,
                *[table.c[key] for key in keys],
                *[aggregate[how](table.c[name]).label(name) for name, how in measures.items()],
            )
            .where(
                table.c.snapshot_id.in_(list(snapshots)),
                table.c.grain == PAIR,
                *([] if only is None else [only]),
            )
            .group_by(table.c.snapshot_id, *[table.c[name] for name in kept], *keys)
        )
        names = ["snapshot_id", "grain", *cell_names, *keys, *measures]
        connection.execute(insert(table).from_select(names, query))


def _count_if(condition: ColumnElement, name: str) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(name)


def _chosen(snapshots: Collection[int]) -> ColumnElement:
    return _snap.c.id.in_(list(snapshots))


def _by_year(connection: Connection, *, snapshots: Collection[int]) -> dict[int, list[int]]:
    """The snapshots by the year of their period (a snapshot's period is a calendar year)."""
    table = schema.summary_snapshots
    query = select(table.c.id, table.c.period_start).where(table.c.id.in_(list(snapshots)))
    years: dict[int, list[int]] = {}
    for identifier, start in connection.execute(query):
        years.setdefault(_as_date(start).year, []).append(int(identifier))
    return dict(sorted(years.items()))


def _snapshot_join(facts: FromClause, day: ColumnElement, *, snapshots: Collection[int]):
    """``facts`` joined to the chosen snapshots whose period holds ``day`` up to their as-of
    date, and the condition that keeps only the matches.

    Written so that SQLite reads the facts once, in table order, trying the few snapshots on
    each row: a LEFT JOIN keeps the facts as the outer table (SQLite never reorders one), and
    coalesce(day, day), which is day, keeps the date index out of it (an index read per
    snapshot visits the rows in random order, several times slower on a large table).
    """
    unindexed = func.coalesce(day, day)
    joined = facts.outerjoin(
        _snap,
        and_(
            _chosen(snapshots),
            unindexed >= _snap.c.period_start,
            unindexed <= _snap.c.as_of,
            unindexed <= _snap.c.period_end,
        ),
    )
    return joined, func.coalesce(_snap.c.id, 0) > 0


def _build_tasks(connection: Connection, *, snapshots: Collection[int]) -> None:
    """summary_tasks, summary_task_months and summary_overdue_tasks for scorecard snapshots."""
    tasks = schema.tasks
    done = and_(tasks.c.completed_on.is_not(None), tasks.c.completed_on <= _snap.c.as_of)
    still_open = or_(tasks.c.completed_on.is_(None), tasks.c.completed_on > _snap.c.as_of)
    source, matched = _snapshot_join(tasks, tasks.c.issued_on, snapshots=snapshots)
    common = {
        "snapshot": _snap.c.id,
        "unit_code": tasks.c.org_unit_code,
        "agency_code": tasks.c.agency_code,
        "source": source,
    }
    timeliness = [
        _count_if(and_(done, tasks.c.completed_on < tasks.c.due_on), "early"),
        _count_if(and_(done, tasks.c.completed_on == tasks.c.due_on), "on_time"),
        _count_if(and_(done, tasks.c.completed_on > tasks.c.due_on), "late"),
    ]
    _insert_pairs(
        connection,
        table=schema.summary_tasks,
        keys=[case((still_open, tasks.c.due_on), else_=null()).label("due_on")],
        measures=[*timeliness, _count_if(still_open, "open_tasks")],
        conditions=[matched, tasks.c.cancelled.is_(False)],
        **common,
    )
    _insert_pairs(
        connection,
        table=schema.summary_task_months,
        keys=[month_label(connection=connection, column=tasks.c.completed_on).label("month")],
        measures=timeliness,
        conditions=[matched, tasks.c.cancelled.is_(False), done],
        **common,
    )
    overdue = (
        select(_snap.c.id, tasks.c.due_on, tasks.c.code)
        .select_from(source)
        .where(matched, tasks.c.cancelled.is_(False), still_open, tasks.c.due_on < _snap.c.as_of)
    )
    connection.execute(
        insert(schema.summary_overdue_tasks).from_select(
            ["snapshot_id", "due_on", "task_code"], overdue
        )
    )


def _build_open_tasks(connection: Connection, *, snapshots: Collection[int]) -> None:
    """summary_open_tasks for month-end snapshots: one read of a year's tasks counts them at
    every month end of the year (a column per month end), then one row per month end."""
    tasks = schema.tasks
    table = schema.summary_snapshots
    for year, chosen in _by_year(connection, snapshots=snapshots).items():
        rows = connection.execute(
            select(table.c.id, table.c.as_of).where(table.c.id.in_(chosen)).order_by(table.c.id)
        ).all()
        moments = [(int(identifier), _as_date(as_of)) for identifier, as_of in rows]
        measures = []
        for index, (_, moment) in enumerate(moments):
            still_open = and_(
                tasks.c.issued_on <= moment,
                or_(tasks.c.completed_on.is_(None), tasks.c.completed_on > moment),
            )
            measures.append(_count_if(still_open, f"open_{index}"))
            measures.append(_count_if(and_(still_open, tasks.c.due_on < moment), f"late_{index}"))
        wide = (
            select(
                tasks.c.org_unit_code.label("unit_code"),
                tasks.c.agency_code.label("agency_code"),
                *measures,
            )
            .where(
                tasks.c.cancelled.is_(False),
                tasks.c.issued_on >= date(year, 1, 1),
                tasks.c.issued_on <= date(year, 12, 31),
            )
            .group_by(tasks.c.org_unit_code, tasks.c.agency_code)
            .cte(f"open_in_{year}")
        )
        counted = union_all(
            *[
                select(
                    literal(identifier).label("snapshot_id"),
                    wide.c.unit_code,
                    wide.c.agency_code,
                    wide.c[f"open_{index}"].label("open_tasks"),
                    wide.c[f"late_{index}"].label("overdue_tasks"),
                ).where(wide.c[f"open_{index}"] > 0)
                for index, (identifier, _) in enumerate(moments)
            ]
        ).subquery("counted")
        _insert_counted(
            connection,
            table=schema.summary_open_tasks,
            counted=counted,
            key_names=[],
            measure_names=["open_tasks", "overdue_tasks"],
        )


def _build_responses(connection: Connection, *, snapshots: Collection[int]) -> None:
    responses = schema.survey_responses
    day = responses.c.responded_on
    source, matched = _snapshot_join(responses, day, snapshots=snapshots)
    _insert_pairs(
        connection,
        table=schema.summary_responses,
        snapshot=_snap.c.id,
        unit_code=responses.c.org_unit_code,
        agency_code=responses.c.agency_code,
        source=source,
        keys=[month_label(connection=connection, column=day).label("month")],
        measures=[
            *[_count_if(responses.c.score == score, f"score_{score}") for score in SCORES],
            _count_if(responses.c.score < min(SCORES), "score_low"),
            _count_if(responses.c.score > max(SCORES), "score_high"),
        ],
        conditions=[matched],
    )


def _day_sources() -> dict[
    str, list[tuple[FromClause, ColumnElement, ColumnElement, ColumnElement]]
]:
    """Per part of the scorecard, the facts whose dates make it fresh: (source, unit code,
    agency code, day), as in freshness.latest_fact_dates."""
    tasks, items, reports = schema.tasks, schema.plan_items, schema.progress_reports
    responses, stats, checks = (
        schema.survey_responses,
        schema.service_stats,
        schema.readiness_checks,
    )
    no_agency = cast(null(), String)
    return {
        "tasks": [
            (tasks, tasks.c.org_unit_code, tasks.c.agency_code, tasks.c.issued_on),
            (tasks, tasks.c.org_unit_code, tasks.c.agency_code, tasks.c.completed_on),
        ],
        "plans": [
            (
                reports.join(items, items.c.code == reports.c.plan_item_code),
                items.c.org_unit_code,
                items.c.agency_code,
                reports.c.reported_on,
            )
        ],
        "satisfaction": [
            (
                responses,
                responses.c.org_unit_code,
                responses.c.agency_code,
                responses.c.responded_on,
            )
        ],
        "services": [(stats, stats.c.org_unit_code, stats.c.agency_code, stats.c.month)],
        "readiness": [(checks, checks.c.org_unit_code, no_agency, checks.c.checked_on)],
    }


def _build_newest(
    connection: Connection, *, snapshots: Collection[int], parts: Collection[str] | None = None
) -> None:
    """summary_newest: per snapshot, cell and part, the newest date on or before as-of.

    Snapshot by snapshot in as-of order, each from the one before it: the newest date up to
    an as-of date is the later of the newest up to the previous snapshot's date (its stored
    rows) and the newest of the dates in between. So a snapshot reads the facts dated since
    the previous one, and an import of this year's facts rebuilds only this year's snapshots.
    """
    stored = sorted(
        (snapshot.as_of, identifier)
        for snapshot, identifier in _stored_snapshots(connection).items()
        if snapshot.kind == SCORECARD
    )
    chosen = list(_day_sources()) if parts is None else sorted(parts)
    previous: tuple[date, int] | None = None
    for as_of, identifier in stored:
        if identifier in snapshots:
            _insert_newest(
                connection, snapshot=identifier, as_of=as_of, previous=previous, parts=chosen
            )
        previous = (as_of, identifier)


def _insert_newest(
    connection: Connection,
    *,
    snapshot: int,
    as_of: date,
    previous: tuple[date, int] | None,
    parts: Sequence[str],
) -> None:
    stored = schema.summary_newest
    selects = []
    if previous is not None:
        selects.append(
            select(
                stored.c.org_unit_code.label("unit_code"),
                stored.c.agency_code.label("agency_code"),
                stored.c.part.label("part"),
                stored.c.newest.label("newest"),
            ).where(
                stored.c.snapshot_id == previous[1],
                stored.c.grain == PAIR,
                stored.c.part.in_(list(parts)),
            )
        )
    for part, sources in _day_sources().items():
        if part not in parts:
            continue
        for source, unit_code, agency_code, day in sources:
            since = [] if previous is None else [day > previous[0]]
            selects.append(
                select(
                    unit_code.label("unit_code"),
                    agency_code.label("agency_code"),
                    literal(part).label("part"),
                    func.max(day).label("newest"),
                )
                .select_from(source)
                .where(day.is_not(None), day <= as_of, *since)
                .group_by(unit_code, agency_code)
            )
    dated = union_all(*selects).subquery("dated")
    counted = (
        select(
            literal(snapshot).label("snapshot_id"),
            dated.c.unit_code,
            dated.c.agency_code,
            dated.c.part,
            func.max(type_coerce(dated.c.newest, Date)).label("newest"),
        )
        .group_by(dated.c.unit_code, dated.c.agency_code, dated.c.part)
        .subquery("counted")
    )
    _insert_counted(
        connection,
        table=schema.summary_newest,
        counted=counted,
        key_names=["part"],
        measure_names=["newest"],
    )


def _build_readiness(connection: Connection, *, snapshots: Collection[int]) -> None:
    checks = schema.readiness_checks
    latest = (
        select(
            _snap.c.id.label("snapshot_id"),
            checks.c.org_unit_code,
            func.max(checks.c.checked_on).label("checked_on"),
        )
        .select_from(
            checks.join(_snap, and_(_chosen(snapshots), checks.c.checked_on <= _snap.c.as_of))
        )
        .group_by(_snap.c.id, checks.c.org_unit_code)
        .subquery("latest_check")
    )
    query = select(
        latest.c.snapshot_id,
        checks.c.org_unit_code,
        checks.c.criterion,
        checks.c.checked_on,
        checks.c.met,
    ).join(
        latest,
        and_(
            latest.c.org_unit_code == checks.c.org_unit_code,
            latest.c.checked_on == checks.c.checked_on,
        ),
    )
    names = ["snapshot_id", "org_unit_code", "criterion", "checked_on", "met"]
    connection.execute(insert(schema.summary_readiness).from_select(names, query))


def _build_ratings(connection: Connection) -> None:
    ratings, staff = schema.ratings, schema.staff
    score = func.coalesce(ratings.c.final_score, ratings.c.self_score)
    query = (
        select(
            ratings.c.period,
            staff.c.agency_code,
            score.label("score"),
            func.count().label("ratings"),
        )
        .select_from(ratings.join(staff, staff.c.code == ratings.c.staff_code))
        .where(score.is_not(None))
        .group_by(ratings.c.period, staff.c.agency_code, score)
    )
    names = ["period", "agency_code", "score", "ratings"]
    connection.execute(insert(schema.summary_ratings).from_select(names, query))


def _build_item_progress(connection: Connection) -> None:
    """One row per progress report: the item's progress from that report until its next."""
    report = schema.progress_reports
    later = schema.progress_reports.alias("later")
    verified = schema.progress_reports.alias("verified")
    checked = schema.progress_reports.alias("checked")
    next_report = (
        select(func.min(later.c.reported_on))
        .where(
            later.c.plan_item_code == report.c.plan_item_code,
            later.c.reported_on > report.c.reported_on,
        )
        .correlate(report)
        .scalar_subquery()
    )
    latest_verified_day = (
        select(func.max(verified.c.reported_on))
        .where(
            verified.c.plan_item_code == report.c.plan_item_code,
            verified.c.reported_on <= report.c.reported_on,
            verified.c.verified_percent.is_not(None),
        )
        .correlate(report)
        .scalar_subquery()
    )
    latest_verified = (
        select(checked.c.verified_percent)
        .where(
            checked.c.plan_item_code == report.c.plan_item_code,
            checked.c.reported_on == latest_verified_day,
        )
        .correlate(report)
        .scalar_subquery()
    )
    query = select(
        report.c.plan_item_code,
        report.c.reported_on,
        next_report,
        func.coalesce(latest_verified, report.c.percent_complete, 0),
        case((latest_verified_day.is_not(None), true()), else_=false()),
    )
    names = ["plan_item_code", "valid_from", "valid_to", "progress", "verified"]
    connection.execute(insert(schema.summary_item_progress).from_select(names, query))


def _build_plans(connection: Connection, *, snapshots: Collection[int]) -> None:
    """summary_plans: plan items due in the snapshot's period, with the progress the item
    progress timeline (built before) gives them at its as-of date."""
    items, plans, timeline = schema.plan_items, schema.plans, schema.summary_item_progress
    in_period = and_(
        _chosen(snapshots),
        items.c.due_date >= _snap.c.period_start,
        items.c.due_date <= _snap.c.period_end,
    )
    source = (
        items.join(plans, plans.c.code == items.c.plan_code)
        .join(_snap, in_period)
        .outerjoin(
            timeline,
            and_(
                timeline.c.plan_item_code == items.c.code,
                timeline.c.valid_from <= _snap.c.as_of,
                or_(timeline.c.valid_to.is_(None), timeline.c.valid_to > _snap.c.as_of),
            ),
        )
    )
    is_due = items.c.due_date <= _snap.c.as_of
    progress = func.coalesce(timeline.c.progress, 0)
    _insert_pairs(
        connection,
        table=schema.summary_plans,
        snapshot=_snap.c.id,
        unit_code=items.c.org_unit_code,
        agency_code=items.c.agency_code,
        source=source,
        keys=[],
        measures=[
            _count_if(is_due, "items_due"),
            _count_if(~is_due, "items_not_due"),
            func.coalesce(func.sum(case((is_due, items.c.weight), else_=0)), 0).label("weight_due"),
            func.coalesce(func.sum(case((is_due, items.c.weight * progress), else_=0)), 0).label(
                "weighted_progress"
            ),
        ],
        conditions=[],
    )


@dataclass(frozen=True)
class _Family:
    """Summary tables built together, from which facts, for which snapshots."""

    tables: tuple[Table, ...]
    sources: frozenset[str]
    kind: str | None  # the snapshots it holds (None: independent of snapshots)
    # Which snapshots a fact of year Y reaches: "period" (those of period Y), "since" (every
    # snapshot dated from Y on), "all".
    reach: str
    build: object
    rollup: dict[str, tuple[tuple[str, ...], dict[str, str]]]


_TIMELINESS = {"early": "sum", "on_time": "sum", "late": "sum"}
_FAMILIES = (
    _Family(
        tables=(schema.summary_tasks, schema.summary_task_months, schema.summary_overdue_tasks),
        sources=frozenset({"tasks"}),
        kind=SCORECARD,
        reach="period",
        build=_build_tasks,
        rollup={
            "summary_tasks": (("due_on",), {**_TIMELINESS, "open_tasks": "sum"}),
            "summary_task_months": (("month",), _TIMELINESS),
        },
    ),
    _Family(
        tables=(schema.summary_open_tasks,),
        sources=frozenset({"tasks"}),
        kind=MONTH_END,
        reach="period",
        build=_build_open_tasks,
        rollup={"summary_open_tasks": ((), {"open_tasks": "sum", "overdue_tasks": "sum"})},
    ),
    _Family(
        tables=(schema.summary_responses,),
        sources=frozenset({"survey_responses"}),
        kind=SCORECARD,
        reach="period",
        build=_build_responses,
        rollup={
            "summary_responses": (
                ("month",),
                {
                    name: "sum"
                    for name in [f"score_{s}" for s in SCORES] + ["score_low", "score_high"]
                },
            )
        },
    ),
    _Family(
        tables=(schema.summary_newest,),
        sources=frozenset(
            {
                "tasks",
                "progress_reports",
                "plan_items",
                "survey_responses",
                "service_stats",
                "readiness_checks",
            }
        ),
        kind=SCORECARD,
        reach="since",
        build=_build_newest,
        rollup={"summary_newest": (("part",), {"newest": "max"})},
    ),
    _Family(
        tables=(schema.summary_readiness,),
        sources=frozenset({"readiness_checks"}),
        kind=SCORECARD,
        reach="all",
        build=_build_readiness,
        rollup={},
    ),
    _Family(
        tables=(schema.summary_ratings,),
        sources=frozenset({"ratings", "staff"}),
        kind=None,
        reach="all",
        build=_build_ratings,
        rollup={},
    ),
    _Family(
        tables=(schema.summary_item_progress,),
        sources=frozenset({"progress_reports"}),
        kind=None,
        reach="all",
        build=_build_item_progress,
        rollup={},
    ),
    # After the timeline, which it reads.
    _Family(
        tables=(schema.summary_plans,),
        sources=frozenset({"plan_items", "plans", "progress_reports"}),
        kind=SCORECARD,
        reach="all",
        build=_build_plans,
        rollup={
            "summary_plans": (
                (),
                {
                    "items_due": "sum",
                    "items_not_due": "sum",
                    "weight_due": "sum",
                    "weighted_progress": "sum",
                },
            )
        },
    ),
)


# --------------------------------------------------------------------------------------------
# Refreshing


def _no_progress(_share: float) -> None:
    return None


def refresh(
    connection: Connection,
    *,
    changed: Collection[str] | None = None,
    years: Collection[int] | None = None,
    changes: TaskChanges | None = None,
    pending_id: int | None = None,
    progress: Callable[[float], None] = _no_progress,
) -> None:
    """Bring every summary in line with the facts, in the caller's transaction.

    ``changed``: the fact tables written since the last refresh (None: anything, rebuild all);
    ``years``: the calendar years whose tasks or survey responses were written or removed
    (None: any); ``changes``: when only tasks changed, exactly which (then the task counts
    of the snapshots kept are corrected by what those rows add and remove, not rebuilt);
    ``pending_id``: the import these changes are (see ``ImportRefresh``); ``progress``:
    called with the share done as the work goes on.
    Snapshots the data no longer call for are dropped, new ones are built, and the rest are
    rebuilt (or corrected) only where the changed facts reach them. Every import still
    listed in ``summary_pending`` is caught up too, and taken off the list.
    """
    _one_refresh_at_a_time(connection)
    pending = _pending(connection)
    if pending_id is not None and pending_id not in pending:
        # A refresh since the import's commit rebuilt what it reaches from the facts.
        changed, years, changes = set(), set(), None
    others = {table for identifier, table in pending.items() if identifier != pending_id}
    if others:
        # Imports that committed and stopped before their refresh (another process, a
        # crash): their rows are known only from the facts, so rebuild what they reach.
        changed = None if changed is None else {*changed, *others}
        years, changes = None, None
    if changed is None or changed:
        with _sorting_in_memory(connection):
            _refresh(
                connection,
                changed=changed,
                years=years,
                changes=changes,
                progress=progress,
            )
    if pending:
        table = schema.summary_pending
        connection.execute(delete(table).where(table.c.id.in_(list(pending))))


def catch_up_pending(connection: Connection) -> bool:
    """Catch up the imports that committed and stopped before their summaries did (a crash,
    a lost connection); whether there were any."""
    if not _pending(connection):
        return False
    refresh(connection, changed=set(), years=set())
    return True


def _pending(connection: Connection) -> dict[int, str]:
    table = schema.summary_pending
    rows = connection.execute(select(table.c.id, table.c.table_name)).all()
    return {int(identifier): name for identifier, name in rows}


# Any constant: the key of the transaction-level lock that serialises refreshes on PostgreSQL.
_REFRESH_LOCK = 8_2026_1124


def _one_refresh_at_a_time(connection: Connection) -> None:
    """Two imports committing at once would each delete and rebuild the same summary rows
    and, under READ COMMITTED, both keep theirs: PostgreSQL refreshes one transaction at a
    time (the lock ends with the transaction), and no import lists itself as pending while
    a refresh runs (``_list_pending`` takes the lock shared), so the list a refresh reads
    names every import whose rows it can see. SQLite has one writer at a time: a write
    first, so that the refresh holds it from the start."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_REFRESH_LOCK)))
        return
    table = schema.summary_pending
    connection.execute(delete(table).where(false()))


def _list_pending(connection: Connection, *, table: str) -> int:
    """List an import (of ``table``) as committed without its summaries, in its transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock_shared(_REFRESH_LOCK)))
    pending = schema.summary_pending
    now = datetime.now(UTC).replace(tzinfo=None)
    statement = insert(pending).values(table_name=table, created_at=now).returning(pending.c.id)
    return int(connection.execute(statement).scalar_one())


@contextmanager
def _sorting_in_memory(connection: Connection) -> Iterator[None]:
    """SQLite groups through temporary B-trees whose pages spill to disk beyond a small
    cache: give them 256 MiB for the refresh, and put the setting back."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA temp.cache_size").scalar()
    connection.exec_driver_sql("PRAGMA temp.cache_size = -262144")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA temp.cache_size = {int(before)}")


def _refresh(
    connection: Connection,
    *,
    changed: Collection[str] | None,
    years: Collection[int] | None,
    changes: TaskChanges | None,
    progress: Callable[[float], None],
) -> None:
    everything = changed is None or bool(set(changed) & DIMENSION_TABLES)
    wanted = wanted_snapshots(connection)
    stored = _stored_snapshots(connection)
    gone = [identifier for snapshot, identifier in stored.items() if snapshot not in wanted]
    _delete_snapshot_rows(connection, snapshots=gone)
    if gone:
        table = schema.summary_snapshots
        connection.execute(delete(table).where(table.c.id.in_(gone)))
    added = sorted(wanted - set(stored))
    if added:
        connection.execute(
            insert(schema.summary_snapshots),
            [
                {
                    "kind": s.kind,
                    "period_start": s.period_start,
                    "period_end": s.period_end,
                    "as_of": s.as_of,
                }
                for s in added
            ],
        )
    current = _stored_snapshots(connection)
    new_ids = {current[snapshot] for snapshot in added}
    found: dict[str, pd.DataFrame] | None = None
    for done, family in enumerate(_FAMILIES):
        progress(done / len(_FAMILIES))
        touched = everything or bool(family.sources & set(changed or ()))
        built = all(_listed(connection, name=table.name) for table in family.tables)
        if family.kind is None:
            if touched or not built:
                _rebuild(connection, family=family, snapshots=None)
            continue
        chosen = {
            identifier
            for snapshot, identifier in current.items()
            if snapshot.kind == family.kind
            and (
                identifier in new_ids
                or not built
                or (touched and (everything or years is None or _reached(family, snapshot, years)))
            )
        }
        if not chosen:
            continue
        incremental = built and not everything and _applies(family, changes=changes)
        if incremental and not (family.build is _build_newest and chosen & new_ids):
            if found is None:
                assert changes is not None
                kept = {s: i for s, i in current.items() if i not in new_ids}
                found = _task_changes(changes.rows, snapshots=kept)
            _apply_task_changes(
                connection, family=family, changes=found, snapshots=chosen - new_ids
            )
            if chosen & new_ids:
                _rebuild(connection, family=family, snapshots=chosen & new_ids)
            continue
        parts = _newest_parts(changed=changed)
        # Freshness, when only some kinds of facts changed in kept snapshots: only their parts.
        partial = built and not everything and parts is not None and not chosen & new_ids
        if family.build is _build_newest and partial:
            _rebuild_newest_parts(connection, snapshots=chosen, parts=parts)
            continue
        _rebuild(connection, family=family, snapshots=chosen)
    _mark_built(connection)


# The part of the freshness summary each table's dates make.
_NEWEST_PART_OF = {
    "tasks": "tasks",
    "plan_items": "plans",
    "progress_reports": "plans",
    "survey_responses": "satisfaction",
    "service_stats": "services",
    "readiness_checks": "readiness",
}


def _newest_parts(*, changed: Collection[str] | None) -> set[str] | None:
    if changed is None:
        return None
    return {_NEWEST_PART_OF[table] for table in changed if table in _NEWEST_PART_OF}


def _rebuild_newest_parts(
    connection: Connection, *, snapshots: Collection[int], parts: Collection[str]
) -> None:
    table = schema.summary_newest
    only = table.c.part.in_(list(parts))
    connection.execute(delete(table).where(table.c.snapshot_id.in_(list(snapshots)), only))
    _build_newest(connection, snapshots=snapshots, parts=parts)
    _insert_rollups(
        connection,
        table=table,
        snapshots=snapshots,
        keys=("part",),
        measures={"newest": "max"},
        only=only,
    )


def _reached(family: _Family, snapshot: Snapshot, years: Collection[int]) -> bool:
    if family.reach == "period":
        return snapshot.period_start.year in years
    if family.reach == "since":
        return bool(years) and snapshot.as_of >= date(min(years), 1, 1)
    return True


def _delete_snapshot_rows(connection: Connection, *, snapshots: Collection[int]) -> None:
    if not snapshots:
        return
    for family in _FAMILIES:
        if family.kind is None:
            continue
        for table in family.tables:
            connection.execute(delete(table).where(table.c.snapshot_id.in_(list(snapshots))))


def _rebuild(connection: Connection, *, family: _Family, snapshots: Collection[int] | None) -> None:
    for table in family.tables:
        statement = delete(table)
        if snapshots is not None:
            statement = statement.where(table.c.snapshot_id.in_(list(snapshots)))
        connection.execute(statement)
    if snapshots is None:
        family.build(connection)
        return
    family.build(connection, snapshots=snapshots)
    for name, (keys, measures) in family.rollup.items():
        _insert_rollups(
            connection,
            table=schema.metadata.tables[name],
            snapshots=snapshots,
            keys=keys,
            measures=measures,
        )


def _mark_built(connection: Connection) -> None:
    status = schema.summary_status
    now = datetime.now(UTC).replace(tzinfo=None)
    connection.execute(delete(status))
    connection.execute(
        insert(status),
        [
            {"name": table.name, "refreshed_at": now}
            for family in _FAMILIES
            for table in family.tables
        ],
    )


# --------------------------------------------------------------------------------------------
# Following an import: the rows it changed, added to the summaries instead of rebuilding them

# What the summaries read of the rows of a table an import may write, the key first. An
# import reports these columns of every row it inserts or changes (as written, +1) and of
# every stored row it changes (as it was, -1); a change to any other column changes no
# summary.
TRACKED = {
    "tasks": (
        "code", "org_unit_code", "agency_code", "issued_on", "due_on", "completed_on", "cancelled",
    ),
    "survey_responses": ("code", "org_unit_code", "agency_code", "responded_on", "score"),
}  # fmt: skip
# The date that places a row in a year (and so in the snapshots of that year's period).
_YEAR_COLUMNS = {"tasks": "issued_on", "survey_responses": "responded_on"}
_DATE_COLUMNS = ("issued_on", "due_on", "completed_on", "responded_on")
_SIGN = "sign"


def _changes_frame(*, table: str, parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The noted rows in one frame: dates as timestamps, a missing code as None."""
    columns = [*TRACKED[table], _SIGN]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)[columns]
    for name in _DATE_COLUMNS:
        if name in frame:
            # Dates arrive as ISO text (from the file) or as dates (from the database).
            frame[name] = pd.to_datetime(frame[name].astype("string"), format="ISO8601")
    for name in ("org_unit_code", "agency_code", "code"):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    if "cancelled" in frame:
        frame["cancelled"] = frame["cancelled"].fillna(False).astype(bool)
    return frame


def _day(value: date) -> pd.Timestamp:
    return pd.Timestamp(value)


def _summed(frame: pd.DataFrame, *, keys: Sequence[str], measures: Sequence[str]) -> pd.DataFrame:
    """Rows of ``frame`` summed by ``keys`` (missing codes and dates make groups of their own);
    groups whose sums are all zero (what was removed came back) are left out."""
    if frame.empty:
        return frame[[*keys, *measures]]
    summed = frame.groupby(list(keys), dropna=False, sort=False)[list(measures)].sum()
    summed = summed[(summed != 0).any(axis=1)].reset_index()
    return summed


def _with_cells(
    changes: pd.DataFrame,
) -> tuple[pd.DataFrame, Callable[[pd.DataFrame], pd.DataFrame]]:
    """``changes`` with each row's unit and agency as one integer ``cell`` (grouping by
    integers is several times faster than by two text columns with gaps), and the function
    that puts unit_code and agency_code back in place of ``cell``."""
    units, unit_codes = pd.factorize(changes["org_unit_code"], use_na_sentinel=False)
    agencies, agency_codes = pd.factorize(changes["agency_code"], use_na_sentinel=False)
    width = max(len(agency_codes), 1)
    unit_values = np.asarray(unit_codes, dtype=object)
    agency_values = np.asarray(agency_codes, dtype=object)

    def decoded(frame: pd.DataFrame) -> pd.DataFrame:
        cells = frame["cell"].to_numpy(dtype=np.int64)
        found = frame.drop(columns="cell").assign(
            unit_code=unit_values[cells // width] if len(cells) else [],
            agency_code=agency_values[cells % width] if len(cells) else [],
        )
        for name in ("unit_code", "agency_code"):
            found[name] = found[name].astype(object).where(found[name].notna(), None)
        return found

    cell = units.astype(np.int64) * width + agencies
    return changes.assign(cell=cell), decoded


def _task_changes(
    changes: pd.DataFrame, *, snapshots: Mapping[Snapshot, int]
) -> dict[str, pd.DataFrame]:
    """What the changed tasks add to (or, signed -1, take from) each scorecard and month-end
    snapshot: rows of summary_tasks, summary_task_months and summary_open_tasks at the pair
    grain (signed counts), the overdue tasks each snapshot gains and loses, and the newest
    dates of the rows written. The same rules as ``_build_tasks`` and ``_build_open_tasks``
    (tested against them)."""
    changes, decoded = _with_cells(changes)
    cell = ["snapshot_id", "cell"]
    timeliness = ["early", "on_time", "late"]
    live_tasks = changes[~changes["cancelled"]]
    sign = live_tasks[_SIGN]
    tasks, months, overdue, open_tasks, newest = [], [], [], [], []
    written = changes[changes[_SIGN] > 0]
    written_days = pd.concat(
        [
            written[["cell", "issued_on"]].rename(columns={"issued_on": "day"}),
            written[["cell", "completed_on"]].rename(columns={"completed_on": "day"}),
        ],
        ignore_index=True,
    ).dropna(subset=["day"])
    for snapshot, identifier in snapshots.items():
        as_of = _day(snapshot.as_of)
        if snapshot.kind == MONTH_END:
            issued = live_tasks["issued_on"]
            completed = live_tasks["completed_on"]
            in_year = (issued >= _day(snapshot.period_start)) & (
                issued <= _day(snapshot.period_end)
            )
            still_open = in_year & (issued <= as_of) & ~(completed <= as_of)
            late = still_open & (live_tasks["due_on"] < as_of)
            open_tasks.append(
                pd.DataFrame(
                    {
                        "snapshot_id": identifier,
                        "cell": live_tasks["cell"],
                        "open_tasks": still_open * sign,
                        "overdue_tasks": late * sign,
                    }
                )[still_open]
            )
            continue
        if snapshot.kind != SCORECARD:
            continue
        last = min(as_of, _day(snapshot.period_end))
        issued = live_tasks["issued_on"]
        part = live_tasks[(issued >= _day(snapshot.period_start)) & (issued <= last)]
        completed, due, signed = part["completed_on"], part["due_on"], part[_SIGN]
        done = completed <= as_of  # a missing date compares False: not done
        counts = {
            "early": (done & (completed < due)) * signed,
            "on_time": (done & (completed == due)) * signed,
            "late": (done & (completed > due)) * signed,
        }
        base = {"snapshot_id": identifier, "cell": part["cell"]}
        tasks.append(
            pd.DataFrame(
                {**base, "due_on": due.where(~done), **counts, "open_tasks": (~done) * signed}
            )
        )
        month = np.datetime_as_string(completed[done].to_numpy("datetime64[M]"), unit="M")
        months.append(pd.DataFrame({**base, **counts})[done].assign(month=month))
        is_overdue = ~done & (due < as_of)
        overdue.append(
            pd.DataFrame(
                {
                    "snapshot_id": identifier,
                    "due_on": due,
                    "task_code": part["code"],
                    _SIGN: signed,
                }
            )[is_overdue]
        )
        dated = written_days[written_days["day"] <= as_of]
        newest.append(
            dated.groupby("cell", sort=False)["day"]
            .max()
            .reset_index()
            .rename(columns={"day": "newest"})
            .assign(snapshot_id=identifier, part="tasks")
        )

    def joined(frames: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
        present = [frame for frame in frames if not frame.empty]
        return pd.concat(present, ignore_index=True) if present else pd.DataFrame(columns=columns)

    return {
        "summary_tasks": decoded(
            _summed(
                joined(tasks, [*cell, "due_on", *timeliness, "open_tasks"]),
                keys=[*cell, "due_on"],
                measures=[*timeliness, "open_tasks"],
            )
        ),
        "summary_task_months": decoded(
            _summed(
                joined(months, [*cell, "month", *timeliness]),
                keys=[*cell, "month"],
                measures=timeliness,
            )
        ),
        "summary_open_tasks": decoded(
            _summed(
                joined(open_tasks, [*cell, "open_tasks", "overdue_tasks"]),
                keys=cell,
                measures=["open_tasks", "overdue_tasks"],
            )
        ),
        "summary_overdue_tasks": joined(overdue, ["snapshot_id", "due_on", "task_code", _SIGN]),
        "summary_newest": decoded(joined(newest, [*cell, "part", "newest"])),
    }


@dataclass(frozen=True, eq=False)
class TaskChanges:
    """The tasks an import changed (``TRACKED`` columns, signed), for ``refresh``."""

    rows: pd.DataFrame

    @property
    def removes(self) -> bool:
        """Whether a stored row changed (not only new rows): a newest date may then go."""
        return bool((self.rows[_SIGN] < 0).any())


def _scratch_table(*, name: str, like: Table, columns: Sequence[str]) -> Table:
    """A temporary table with ``columns`` typed as in ``like`` (unit_code as org_unit_code)."""
    typed = {"unit_code": like.c.org_unit_code.type} if "org_unit_code" in like.c else {}
    return Table(
        name,
        MetaData(),
        *[Column(column, typed.get(column) or like.c[column].type) for column in columns],
        prefixes=["TEMPORARY"],
    )


@contextmanager
def _scratch(
    connection: Connection,
    *,
    name: str,
    like: Table,
    columns: Sequence[str],
    rows: pd.DataFrame | None = None,
) -> Iterator[Table]:
    """A temporary table ``name`` holding ``rows`` (with ``columns``), dropped afterwards."""
    table = _scratch_table(name=name, like=like, columns=columns)
    table.drop(connection, checkfirst=True)
    table.create(connection)
    try:
        if rows is not None and not rows.empty:
            bulk_insert(connection, table=table, frame=rows[list(columns)])
        yield table
    finally:
        table.drop(connection)


@dataclass(frozen=True)
class _Dimensions:
    """The province of every unit and the ministry of every agency, as the summaries' SQL
    derives them (``province_of_unit``, ``ministry_of_agency``; unknown codes: None)."""

    province: dict[str, str | None]
    ministry: dict[str, str | None]

    @classmethod
    def read(cls, connection: Connection) -> _Dimensions:
        units, agencies = schema.org_units, schema.agencies
        province = {
            code: code if level == 1 else parent
            for code, level, parent in connection.execute(
                select(units.c.code, units.c.level, units.c.parent_code)
            )
        }
        ministry = {
            code: code if kind == "ministry" else parent
            for code, kind, parent in connection.execute(
                select(agencies.c.code, agencies.c.kind, agencies.c.parent_code)
            )
        }
        return cls(province=province, ministry=ministry)


def _codes(series: pd.Series, *, mapping: Mapping[str, str | None]) -> pd.Series:
    found = series.map(dict(mapping))
    return found.astype(object).where(found.notna(), None)


def _write_rows(connection: Connection, *, table: Table, frame: pd.DataFrame) -> None:
    """Every row of ``frame`` (all of ``table``'s columns: dates as timestamps, codes as text
    or None, counts as integers) into ``table``: COPY in CSV form on PostgreSQL, executemany
    on SQLite. Converted a column at a time (on PostgreSQL without Python objects): the summary
    rows an import rewrites run to a million."""
    if frame.empty:
        return
    if connection.dialect.name == "postgresql":
        # Straight from pandas' arrays to Arrow's (no Python objects): the missing values
        # become nulls, the timestamps dates.
        arrays = {}
        for column in table.columns:
            values = pyarrow.array(frame[column.name], from_pandas=True)
            if isinstance(column.type, Date):
                values = pyarrow.compute.cast(values, pyarrow.date32())
            arrays[column.name] = values
        copy_arrow(connection, table=table, data=pyarrow.table(arrays))
        return
    columns: dict[str, list] = {}
    for column in table.columns:
        values = frame[column.name]
        if isinstance(column.type, Date):
            values = values.dt.strftime("%Y-%m-%d")
        if pd.api.types.is_integer_dtype(values.dtype):
            columns[column.name] = values.tolist()
        else:
            columns[column.name] = values.astype(object).where(values.notna(), None).tolist()
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in columns)
    markers = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({markers})",
        list(zip(*columns.values(), strict=True)),
    )


def _frame(connection: Connection, query) -> pd.DataFrame:
    """A query's rows as a frame, built a column at a time (several times faster than from
    rows)."""
    result = connection.execute(query)
    names = list(result.keys())
    columns = list(zip(*result.all(), strict=True)) or [() for _ in names]
    return pd.DataFrame(
        {
            name: pd.Series(list(values), dtype=object)
            for name, values in zip(names, columns, strict=True)
        }
    )


def _merge_cells(
    connection: Connection,
    *,
    table: Table,
    rows: pd.DataFrame,
    keys: Sequence[str],
    measures: dict[str, str],
    dimensions: _Dimensions,
) -> None:
    """Combine the pair rows of ``table`` with ``rows`` (pair rows of the same snapshots, with
    unit_code and agency_code): per snapshot, cell and key, the sum (or the maximum) of both.
    Counts that combine to nothing (no fact left) leave no row, as in a rebuild. The province
    and agency rows of those snapshots are then summed again from the pair rows, and the
    snapshots' rows (of the parts in ``rows``, for the freshness summary) are written anew."""
    if rows.empty:
        return
    snapshots = sorted(int(identifier) for identifier in pd.unique(rows["snapshot_id"]))
    only = [table.c.part.in_(sorted(pd.unique(rows["part"])))] if "part" in keys else []
    stored = _frame(
        connection,
        select(
            table.c.snapshot_id,
            table.c.org_unit_code.label("unit_code"),
            table.c.agency_code,
            *[table.c[name] for name in [*keys, *measures]],
        ).where(table.c.snapshot_id.in_(snapshots), table.c.grain == PAIR, *only),
    )
    both = pd.concat([_typed(stored, table=table), _typed(rows, table=table)], ignore_index=True)
    cell = ["snapshot_id", "unit_code", "agency_code"]
    pairs = both.groupby([*cell, *keys], dropna=False, sort=False).agg(measures).reset_index()
    if all(how == "sum" for how in measures.values()):
        # Each fact counts once in one of the measures: a zero total is no fact at all.
        pairs = pairs[pairs[list(measures)].sum(axis=1) > 0]
    pairs = pairs.rename(columns={"unit_code": "org_unit_code"}).assign(
        grain=PAIR,
        province_code=lambda frame: _codes(frame["org_unit_code"], mapping=dimensions.province),
        ministry_code=lambda frame: _codes(frame["agency_code"], mapping=dimensions.ministry),
    )
    grains = [pairs]
    for grain, kept in ((PROVINCE, ["province_code"]), (AGENCY, ["agency_code", "ministry_code"])):
        summed = pairs.groupby(["snapshot_id", *kept, *keys], dropna=False, sort=False)
        grains.append(summed.agg(measures).reset_index().assign(grain=grain))
    written = pd.concat(grains, ignore_index=True)
    for name in ("org_unit_code", "province_code", "agency_code", "ministry_code"):
        written[name] = written[name].astype(object).where(written[name].notna(), None)
    connection.execute(delete(table).where(table.c.snapshot_id.in_(snapshots), *only))
    _write_rows(connection, table=table, frame=written)


def _typed(frame: pd.DataFrame, *, table: Table) -> pd.DataFrame:
    """Dates as timestamps, codes as objects and counts as integers, however they came
    (database or pandas), so that equal keys group together and counts add up in NumPy
    (summed as Python objects, a million of them take seconds)."""
    typed = frame.copy()
    for name in typed.columns:
        column = table.c.get("org_unit_code" if name == "unit_code" else name)
        values = typed[name]
        if column is None or values.dtype != object:
            continue  # already typed by _task_changes
        if isinstance(column.type, Date):
            typed[name] = pd.to_datetime(values.astype("string"), format="ISO8601")
        elif isinstance(column.type, String):
            typed[name] = values.where(values.notna(), None)
        elif isinstance(column.type, Integer) and not column.nullable:
            typed[name] = values.astype(np.int64)
    return typed


def _merge_overdue(
    connection: Connection, *, rows: pd.DataFrame, snapshots: Collection[int]
) -> None:
    """The overdue lists: every stored row a change replaced leaves the lists of
    ``snapshots``; the rows written join the lists they are overdue in."""
    table = schema.summary_overdue_tasks
    gone = rows.loc[rows[_SIGN] < 0, ["task_code"]].drop_duplicates()
    if not gone.empty and snapshots:
        with _scratch(
            connection, name="summary_gone", like=table, columns=["task_code"], rows=gone
        ) as codes:
            connection.execute(
                delete(table).where(
                    table.c.snapshot_id.in_(sorted(snapshots)),
                    table.c.task_code.in_(select(codes.c.task_code)),
                )
            )
    _write_rows(connection, table=table, frame=rows.loc[rows[_SIGN] > 0])


def _apply_task_changes(
    connection: Connection,
    *,
    family: _Family,
    changes: Mapping[str, pd.DataFrame],
    snapshots: Collection[int],
) -> None:
    """Add ``changes`` (``_task_changes``) to ``family``'s summaries of ``snapshots`` (built,
    and kept from before the import) instead of rebuilding them."""
    found = {
        name: rows[rows["snapshot_id"].isin(list(snapshots))] for name, rows in changes.items()
    }
    dimensions = _Dimensions.read(connection)
    for table, keys, measures in _MERGED_TABLES.get(family.build, ()):
        _merge_cells(
            connection,
            table=table,
            rows=found[table.name],
            keys=keys,
            measures=measures,
            dimensions=dimensions,
        )
    if family.build is _build_tasks:
        _merge_overdue(connection, rows=found["summary_overdue_tasks"], snapshots=snapshots)


# Per family, the summary tables a task import's changes are added to: (table, keys besides the
# cell, how each measure combines). The newest dates only take rows added: the newest date can
# only move later, to one of theirs.
_MERGED_TABLES: dict[Callable, tuple[tuple[Table, list[str], dict[str, str]], ...]] = {
    _build_tasks: (
        (schema.summary_tasks, ["due_on"], {**_TIMELINESS, "open_tasks": "sum"}),
        (schema.summary_task_months, ["month"], _TIMELINESS),
    ),
    _build_open_tasks: (
        (schema.summary_open_tasks, [], {"open_tasks": "sum", "overdue_tasks": "sum"}),
    ),
    _build_newest: ((schema.summary_newest, ["part"], {"newest": "max"}),),
}


def _applies(family: _Family, *, changes: TaskChanges | None) -> bool:
    """Whether ``changes`` can be added to ``family``'s kept snapshots (else: rebuilt)."""
    if changes is None:
        return False
    if family.build is _build_newest:
        return not changes.removes
    return family.build in (_build_tasks, _build_open_tasks)


class ImportRefresh:
    """Keeps the summaries in line with one import.

    The writer calls ``note`` with the ``tracked`` columns of the rows it writes (``sign``
    +1: inserted, or changed in a tracked column, as written) and of the stored rows those
    changes replace (-1, as they were), or ``lost`` when it cannot tell them. Call
    ``list_pending`` once, after the last chunk and before the commit (not for a dry run), on
    the connection that writes: it lists the import as committed without its summaries (none
    is read until it is caught up) unless nothing a summary reads changed. Right after the
    commit, ``catch_up`` with what it returned, in a transaction of its own: the tasks' counts
    are brought in line by adding what the changed rows add and taking away what the replaced
    rows gave; other summaries are rebuilt for the years (or everything) the rows reach.
    The rows are thus committed, and read from the facts, without waiting for the summaries
    (several times as many rows as the import wrote, for tasks in many new cells).
    """

    def __init__(self, *, table: str) -> None:
        self.table = table
        self.tracked: tuple[str, ...] = TRACKED.get(table, ())
        self.parts: list[pd.DataFrame] = []
        self.known = table in TRACKED

    def note(self, *, rows: pd.DataFrame, sign: int) -> None:
        if self.known and not rows.empty:
            self.parts.append(rows[list(self.tracked)].assign(**{_SIGN: sign}))

    def lost(self) -> None:
        """The writer cannot tell which rows changed: rebuild whatever the table reaches."""
        self.known = False

    def list_pending(self, connection: Connection) -> int | None:
        """The import's entry in ``summary_pending``; None when no summary needs it."""
        if self.known and not self.parts:
            return None  # nothing any summary reads has changed
        return _list_pending(connection, table=self.table)

    def catch_up(
        self,
        connection: Connection,
        *,
        pending_id: int,
        progress: Callable[[float], None] = _no_progress,
    ) -> None:
        years, found = None, None  # unknown rows: whatever the table reaches is rebuilt
        if self.known:
            changes = _changes_frame(table=self.table, parts=self.parts)
            dated = changes[_YEAR_COLUMNS[self.table]].dt.year.dropna()
            years = {int(year) for year in pd.unique(dated)}
            found = TaskChanges(rows=changes) if self.table == "tasks" else None
        refresh(
            connection,
            changed={self.table},
            years=years,
            changes=found,
            pending_id=pending_id,
            progress=progress,
        )

    def after_writes(self, connection: Connection) -> None:
        """Both steps in the caller's transaction (the summaries commit with the rows)."""
        pending_id = self.list_pending(connection)
        if pending_id is not None:
            self.catch_up(connection, pending_id=pending_id)
