"""Aggregating queries: the only SQL the dashboard runs.

Every function takes a connection and keyword filters and returns a DataFrame with one row per
group. Group columns: ``group_code`` (``_national`` for facts tied to no province, ``_none`` for
facts without the grouped attribute, ``all`` when not grouped), ``name_mn``, ``name_en``. The
other columns are documented per function. Aggregation happens in the database; the SQL is the
same on SQLite and PostgreSQL (dialect differences live in ``_month_label``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
)

from data_access import schema, summary
from data_access.dimensions import ALL, NATIONAL, NONE
from data_access.dimensions import Fact as _Fact
from data_access.dimensions import agency as _agency
from data_access.dimensions import frame_of as _frame_of
from data_access.dimensions import group_expression as _group_expression
from data_access.dimensions import month_label as _month_label
from data_access.dimensions import province_conditions as _province_conditions
from data_access.dimensions import province_of_unit as _province_of_unit
from data_access.dimensions import scope_conditions as _scope_conditions
from data_access.dimensions import unit as _unit
from data_access.dimensions import with_dimensions as _with_dimensions
from data_access.filters import Filters, GroupBy
from data_access.periods import periods_overlapping
from data_access.scope import Scope

GROUP_COLUMNS = ["group_code", "name_mn", "name_en"]


def _grouped(
    *,
    connection: Connection,
    fact: _Fact,
    group_by: GroupBy,
    measures: Sequence[ColumnElement],
    conditions: Sequence[ColumnElement],
) -> pd.DataFrame:
    group = _group_expression(fact=fact, group_by=group_by)
    query: Select = (
        select(group, *measures)
        .select_from(fact.source)
        .where(*conditions)
        .group_by(group)
        .order_by(group)
    )
    frame = _frame_of(connection, query)
    if frame.empty:
        frame = pd.DataFrame(columns=["group_code", *[m.name for m in measures]])
    return _with_names(connection=connection, frame=frame, group_by=group_by)


def _count_if(condition: ColumnElement, name: str) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(name)


def _sum_if(condition: ColumnElement, value: ColumnElement, name: str) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0).label(name)


def group_names(*, connection: Connection, group_by: GroupBy) -> pd.DataFrame:
    """Codes and names of the groups of a grouping (code, name_mn, name_en)."""
    query = _names_query(group_by)
    if query is None:
        return pd.DataFrame(columns=["code", "name_mn", "name_en"])
    rows = [tuple(row) for row in connection.execute(query)]
    return pd.DataFrame(rows, columns=["code", "name_mn", "name_en"])


def _names_query(group_by: GroupBy) -> Select | None:
    if group_by in (GroupBy.PROVINCE, GroupBy.DISTRICT):
        units = schema.org_units
        query = select(units.c.code, units.c.name_mn, units.c.name_en)
    elif group_by in (GroupBy.AGENCY, GroupBy.MINISTRY):
        agencies = schema.agencies
        query = select(agencies.c.code, agencies.c.name_mn, agencies.c.name_en)
    elif group_by is GroupBy.PLAN:
        plans = schema.plans
        query = select(plans.c.code, plans.c.title_mn, plans.c.title_en)
    else:
        return None
    return query


_SPECIAL_NAMES = {
    ALL: ("Бүгд", "All"),
    NATIONAL: ("Улсын хэмжээнд (аймаггүй)", "National (no province)"),
    NONE: ("Тодорхойгүй", "Not assigned"),
}


def _with_names(*, connection: Connection, frame: pd.DataFrame, group_by: GroupBy) -> pd.DataFrame:
    codes = [str(code) for code in frame["group_code"]]
    frame = frame.assign(group_code=codes)
    names: dict[str, tuple[str, str]] = {}
    query = _names_query(group_by)
    if codes and query is not None:  # plain dictionaries: a page names groups many times over
        rows = connection.execute(query).all()
        names = {str(code): (name_mn, name_en) for code, name_mn, name_en in rows}
    names.update(_SPECIAL_NAMES)
    named = [names.get(code) for code in codes]
    frame.insert(
        1,
        "name_mn",
        [code if n is None or n[0] is None else n[0] for code, n in zip(codes, named, strict=True)],
    )
    frame.insert(
        2,
        "name_en",
        [code if n is None or n[1] is None else n[1] for code, n in zip(codes, named, strict=True)],
    )
    return frame.reset_index(drop=True)


def _task_fact(*, group_by: GroupBy) -> _Fact:
    tasks = schema.tasks
    base: FromClause = tasks
    plan_code = plan_kind = None
    if group_by in (GroupBy.PLAN, GroupBy.PLAN_KIND):
        items, plans = schema.plan_items, schema.plans
        base = tasks.outerjoin(items, items.c.code == tasks.c.plan_item_code).outerjoin(
            plans, plans.c.code == items.c.plan_code
        )
        plan_code, plan_kind = plans.c.code, plans.c.kind
    return _Fact(
        source=_with_dimensions(
            base=base, agency_on=tasks.c.agency_code, unit_on=tasks.c.org_unit_code
        ),
        unit_code=tasks.c.org_unit_code,
        agency_code=tasks.c.agency_code,
        plan_code=plan_code,
        plan_kind=plan_kind,
        task_group=tasks.c.task_group,
    )


def _task_conditions(*, filters: Filters) -> list[ColumnElement]:
    tasks = schema.tasks
    return [
        tasks.c.cancelled.is_(False),
        tasks.c.issued_on >= filters.period_start,
        tasks.c.issued_on <= filters.effective_end,
    ]


def task_counts(
    *,
    connection: Connection,
    filters: Filters,
    group_by: GroupBy,
    due_soon_days: int,
    ageing_buckets: Sequence[tuple[str, int, int | None]],
) -> pd.DataFrame:
    """Control-card tasks issued in the period (not cancelled), classified at ``as_of``.

    Columns: early, on_time, late (completed on or before as_of, against due_on); overdue
    (open, due before as_of), due_soon (open, due within ``due_soon_days``), on_track (open,
    due later); ``overdue_<bucket>`` for each ageing bucket ``(name, min_days, max_days)``,
    days counted from due_on to as_of. A completion dated after as_of is open at as_of.
    """
    snapshot = _snapshot_for(connection=connection, filters=filters, group_by=group_by)
    if snapshot is not None:
        return _summary_task_counts(
            connection=connection,
            filters=filters,
            group_by=group_by,
            snapshot=snapshot,
            due_soon_days=due_soon_days,
            ageing_buckets=ageing_buckets,
        )
    tasks = schema.tasks
    as_of = filters.as_of
    done = and_(tasks.c.completed_on.is_not(None), tasks.c.completed_on <= as_of)
    still_open = or_(tasks.c.completed_on.is_(None), tasks.c.completed_on > as_of)
    overdue = and_(still_open, tasks.c.due_on < as_of)
    measures = [
        _count_if(and_(done, tasks.c.completed_on < tasks.c.due_on), "early"),
        _count_if(and_(done, tasks.c.completed_on == tasks.c.due_on), "on_time"),
        _count_if(and_(done, tasks.c.completed_on > tasks.c.due_on), "late"),
        _count_if(overdue, "overdue"),
        _count_if(
            and_(
                still_open,
                tasks.c.due_on >= as_of,
                tasks.c.due_on <= as_of + timedelta(days=due_soon_days),
            ),
            "due_soon",
        ),
        _count_if(
            and_(still_open, tasks.c.due_on > as_of + timedelta(days=due_soon_days)), "on_track"
        ),
    ]
    for name, min_days, max_days in ageing_buckets:
        bucket = [overdue, tasks.c.due_on <= as_of - timedelta(days=min_days)]
        if max_days is not None:
            bucket.append(tasks.c.due_on >= as_of - timedelta(days=max_days))
        measures.append(_count_if(and_(*bucket), f"overdue_{_bucket_column(name)}"))
    fact = _task_fact(group_by=group_by)
    return _grouped(
        connection=connection,
        fact=fact,
        group_by=group_by,
        measures=measures,
        conditions=[
            *_task_conditions(filters=filters),
            *_scope_conditions(fact=fact, filters=filters),
        ],
    )


def _snapshot_for(*, connection: Connection, filters: Filters, group_by: GroupBy) -> int | None:
    """The scorecard snapshot answering ``filters`` exactly, when the summaries keep
    ``group_by``; None sends the query to the facts."""
    if group_by not in summary.CELL_GROUPINGS:
        return None
    return summary.snapshot_id(connection, filters=filters)


def _summed(table: FromClause, *names: str) -> list[ColumnElement]:
    return [func.coalesce(func.sum(table.c[name]), 0).label(name) for name in names]


def _summary_task_counts(
    *,
    connection: Connection,
    filters: Filters,
    group_by: GroupBy,
    snapshot: int,
    due_soon_days: int,
    ageing_buckets: Sequence[tuple[str, int, int | None]],
) -> pd.DataFrame:
    """``task_counts`` from ``summary_tasks``: open tasks are kept by due date (completed ones
    with none), so every window and bucket below is the facts' own condition on due_on."""
    table = schema.summary_tasks
    as_of, due, still_open = filters.as_of, table.c.due_on, table.c.open_tasks
    soon = as_of + timedelta(days=due_soon_days)
    measures = [
        *_summed(table, "early", "on_time", "late"),
        _sum_if(due < as_of, still_open, "overdue"),
        _sum_if(and_(due >= as_of, due <= soon), still_open, "due_soon"),
        _sum_if(due > soon, still_open, "on_track"),
    ]
    for name, min_days, max_days in ageing_buckets:
        bucket = [due < as_of, due <= as_of - timedelta(days=min_days)]
        if max_days is not None:
            bucket.append(due >= as_of - timedelta(days=max_days))
        measures.append(_sum_if(and_(*bucket), still_open, f"overdue_{_bucket_column(name)}"))
    cells = summary.cells(table=table, snapshot=snapshot, filters=filters, group_by=group_by)
    return _grouped(
        connection=connection,
        fact=cells.fact,
        group_by=group_by,
        measures=measures,
        conditions=[*cells.conditions, *_scope_conditions(fact=cells.fact, filters=filters)],
    )


def _bucket_column(name: str) -> str:
    return name.replace("-", "_").replace("+", "_plus")


def _latest_report_subquery(*, as_of: date, verified_only: bool, name: str) -> FromClause:
    reports = schema.progress_reports
    conditions = [reports.c.reported_on <= as_of]
    if verified_only:
        conditions.append(reports.c.verified_percent.is_not(None))
    return (
        select(reports.c.plan_item_code, func.max(reports.c.reported_on).label("reported_on"))
        .where(*conditions)
        .group_by(reports.c.plan_item_code)
        .subquery(name)
    )


@dataclass(frozen=True)
class _ItemProgress:
    source: FromClause
    progress: ColumnElement
    verified: ColumnElement
    reported_on: ColumnElement  # of the latest report on or before as_of


def _plan_item_progress(*, connection: Connection, as_of: date) -> _ItemProgress:
    """Plan items joined to their latest reports; the progress expression of DESIGN §4.

    From ``summary_item_progress`` (one row per item and as_of) when it is built, else from
    the reports themselves.
    """
    items, plans = schema.plan_items, schema.plans
    if summary.is_built(connection, name=schema.summary_item_progress.name):
        at = summary.item_progress_at(as_of=as_of)
        return _ItemProgress(
            source=items.join(plans, plans.c.code == items.c.plan_code).outerjoin(
                at, at.c.plan_item_code == items.c.code
            ),
            progress=func.coalesce(at.c.progress, 0),
            verified=func.coalesce(at.c.verified, false()),
            reported_on=at.c.valid_from,
        )
    latest_any = _latest_report_subquery(as_of=as_of, verified_only=False, name="latest_any")
    latest_verified = _latest_report_subquery(as_of=as_of, verified_only=True, name="latest_ver")
    report_any = schema.progress_reports.alias("report_any")
    report_verified = schema.progress_reports.alias("report_ver")
    source = (
        items.join(plans, plans.c.code == items.c.plan_code)
        .outerjoin(latest_any, latest_any.c.plan_item_code == items.c.code)
        .outerjoin(
            report_any,
            and_(
                report_any.c.plan_item_code == items.c.code,
                report_any.c.reported_on == latest_any.c.reported_on,
            ),
        )
        .outerjoin(latest_verified, latest_verified.c.plan_item_code == items.c.code)
        .outerjoin(
            report_verified,
            and_(
                report_verified.c.plan_item_code == items.c.code,
                report_verified.c.reported_on == latest_verified.c.reported_on,
            ),
        )
    )
    return _ItemProgress(
        source=source,
        progress=func.coalesce(
            report_verified.c.verified_percent, report_any.c.percent_complete, 0
        ),
        verified=report_verified.c.verified_percent.is_not(None),
        reported_on=latest_any.c.reported_on,
    )


def _plan_fact(*, source: FromClause) -> _Fact:
    items, plans = schema.plan_items, schema.plans
    return _Fact(
        source=_with_dimensions(
            base=source, agency_on=items.c.agency_code, unit_on=items.c.org_unit_code
        ),
        unit_code=items.c.org_unit_code,
        agency_code=items.c.agency_code,
        plan_code=plans.c.code,
        plan_kind=plans.c.kind,
        task_group=items.c.task_group,
    )


def plan_progress(*, connection: Connection, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    """Plan items due within the period, with their progress at ``as_of``.

    Columns: items_due (due on or before as_of), items_not_due (due later in the period: in
    progress), weight_due (Σ weights of due items), weighted_progress (Σ weight × progress of
    due items, progress 0–100 = latest verified %, else latest reported %, else 0).
    """
    snapshot = _snapshot_for(connection=connection, filters=filters, group_by=group_by)
    if snapshot is not None and summary.is_built(connection, name=schema.summary_plans.name):
        table = schema.summary_plans
        cells = summary.cells(table=table, snapshot=snapshot, filters=filters, group_by=group_by)
        return _grouped(
            connection=connection,
            fact=cells.fact,
            group_by=group_by,
            measures=_summed(
                table, "items_due", "items_not_due", "weight_due", "weighted_progress"
            ),
            conditions=[*cells.conditions, *_scope_conditions(fact=cells.fact, filters=filters)],
        )
    items = schema.plan_items
    item_progress = _plan_item_progress(connection=connection, as_of=filters.as_of)
    progress = item_progress.progress
    fact = _plan_fact(source=item_progress.source)
    is_due = items.c.due_date <= filters.as_of
    measures = [
        _count_if(is_due, "items_due"),
        _count_if(~is_due, "items_not_due"),
        _sum_if(is_due, items.c.weight, "weight_due"),
        _sum_if(is_due, items.c.weight * progress, "weighted_progress"),
    ]
    conditions = [
        items.c.due_date >= filters.period_start,
        items.c.due_date <= filters.period_end,
        *_scope_conditions(fact=fact, filters=filters),
    ]
    return _grouped(
        connection=connection,
        fact=fact,
        group_by=group_by,
        measures=measures,
        conditions=conditions,
    )


def plan_items_behind(*, connection: Connection, filters: Filters, limit: int) -> pd.DataFrame:
    """Plan items due by ``as_of`` within the period and not complete, least progress first.

    Columns: code, title, plan_code, plan_title_mn, plan_title_en, plan_kind, agency_code,
    agency_name_mn, agency_name_en, due_date, progress (0–100), verified (bool).
    """
    items, plans = schema.plan_items, schema.plans
    item_progress = _plan_item_progress(connection=connection, as_of=filters.as_of)
    progress = item_progress.progress
    fact = _plan_fact(source=item_progress.source)
    progress_label = progress.label("progress")
    query = (
        select(
            items.c.code,
            items.c.title,
            plans.c.code.label("plan_code"),
            plans.c.title_mn.label("plan_title_mn"),
            plans.c.title_en.label("plan_title_en"),
            plans.c.kind.label("plan_kind"),
            items.c.agency_code,
            _agency.c.name_mn.label("agency_name_mn"),
            _agency.c.name_en.label("agency_name_en"),
            items.c.due_date,
            progress_label,
            item_progress.verified.label("verified"),
        )
        .select_from(fact.source)
        .where(
            items.c.due_date >= filters.period_start,
            items.c.due_date <= filters.effective_end,
            progress < 100,
            *_scope_conditions(fact=fact, filters=filters),
        )
        .order_by(progress_label, items.c.due_date, items.c.code)
        .limit(limit)
    )
    return _frame_of(connection, query)


def _staff_fact() -> _Fact:
    ratings, staff = schema.ratings, schema.staff
    base = ratings.join(staff, staff.c.code == ratings.c.staff_code)
    return _Fact(
        source=_with_dimensions(
            base=base, agency_on=staff.c.agency_code, unit_on=_agency.c.org_unit_code
        ),
        unit_code=_agency.c.org_unit_code,
        agency_code=staff.c.agency_code,
    )


def rating_stats(*, connection: Connection, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    """Civil servants' ratings for periods overlapping the reporting period.

    A rating belongs to the province of its staff member's agency. Score = final_score, else
    self_score. Columns: ratings (count), score_sum, score_sq_sum.
    """
    rated = _rated(connection=connection, filters=filters)
    return _grouped(
        connection=connection,
        fact=rated.fact,
        group_by=group_by,
        measures=[
            rated.count(condition=None, name="ratings"),
            rated.total(value=rated.score, name="score_sum"),
            rated.total(value=rated.score * rated.score, name="score_sq_sum"),
        ],
        conditions=rated.conditions,
    )


@dataclass(frozen=True)
class _Rated:
    """Ratings of the period's labels, one row each (the facts) or counted by agency and score
    (``summary_ratings``); ``score`` is final_score, else self_score."""

    fact: _Fact
    conditions: list[ColumnElement]
    score: ColumnElement
    weight: ColumnElement | None  # how many ratings a row stands for (None: one)

    def count(self, *, condition: ColumnElement | None, name: str) -> ColumnElement:
        if self.weight is None:
            if condition is None:
                return func.count(self.score).label(name)
            return _count_if(condition, name)
        if condition is None:
            return func.coalesce(func.sum(self.weight), 0).label(name)
        return _sum_if(condition, self.weight, name)

    def total(self, *, value: ColumnElement, name: str) -> ColumnElement:
        weighted = value if self.weight is None else value * self.weight
        return func.coalesce(func.sum(weighted), 0).label(name)


def _rated(*, connection: Connection, filters: Filters) -> _Rated:
    labels = periods_overlapping(start=filters.period_start, end=filters.period_end)
    if summary.is_built(connection, name=schema.summary_ratings.name):
        counted = schema.summary_ratings
        fact = _Fact(
            source=_with_dimensions(
                base=counted, agency_on=counted.c.agency_code, unit_on=_agency.c.org_unit_code
            ),
            unit_code=_agency.c.org_unit_code,
            agency_code=counted.c.agency_code,
        )
        conditions = [counted.c.period.in_(labels), *_scope_conditions(fact=fact, filters=filters)]
        return _Rated(
            fact=fact, conditions=conditions, score=counted.c.score, weight=counted.c.ratings
        )
    ratings = schema.ratings
    fact = _staff_fact()
    conditions = [ratings.c.period.in_(labels), *_scope_conditions(fact=fact, filters=filters)]
    score = func.coalesce(ratings.c.final_score, ratings.c.self_score)
    return _Rated(fact=fact, conditions=conditions, score=score, weight=None)


def _response_fact() -> _Fact:
    responses = schema.survey_responses
    return _Fact(
        source=_with_dimensions(
            base=responses, agency_on=responses.c.agency_code, unit_on=responses.c.org_unit_code
        ),
        unit_code=responses.c.org_unit_code,
        agency_code=responses.c.agency_code,
    )


def _published_fact() -> _Fact:
    results = schema.survey_results
    return _Fact(
        source=_with_dimensions(
            base=results, agency_on=results.c.agency_code, unit_on=results.c.org_unit_code
        ),
        unit_code=results.c.org_unit_code,
        agency_code=results.c.agency_code,
    )


def _published_counts(
    *, connection: Connection, filters: Filters, group_by: GroupBy
) -> pd.DataFrame:
    """Published survey results of periods overlapping the reporting period. Columns:
    published_respondents, published_satisfied (share × respondents)."""
    results = schema.survey_results
    published_fact = _published_fact()
    labels = periods_overlapping(start=filters.period_start, end=filters.period_end)
    return _grouped(
        connection=connection,
        fact=published_fact,
        group_by=group_by,
        measures=[
            func.coalesce(func.sum(results.c.respondents), 0).label("published_respondents"),
            func.coalesce(func.sum(results.c.respondents * results.c.satisfied_share), 0).label(
                "published_satisfied"
            ),
        ],
        conditions=[
            results.c.period.in_(labels),
            *_scope_conditions(fact=published_fact, filters=filters),
        ],
    )


@dataclass(frozen=True)
class _Answered:
    """Survey responses of the period up to as_of: the facts, or ``summary_responses`` (counts
    by score) when a snapshot holds the filters and the scores asked about are kept."""

    fact: _Fact
    conditions: list[ColumnElement]
    score: ColumnElement | None  # the facts' score column; None for the summary
    month_of: ColumnElement  # a date column (facts) or the stored ``YYYY-MM`` (summary)

    def responses(self, *, name: str) -> ColumnElement:
        if self.score is not None:
            return func.count().label(name)
        table = schema.summary_responses
        columns = [*[f"score_{s}" for s in summary.SCORES], "score_low", "score_high"]
        return func.coalesce(func.sum(sum(table.c[c] for c in columns)), 0).label(name)

    def with_score(self, *, score: int, name: str) -> ColumnElement:
        if self.score is not None:
            return _count_if(self.score == score, name)
        return func.coalesce(func.sum(schema.summary_responses.c[f"score_{score}"]), 0).label(name)

    def at_least(self, *, score: int, name: str) -> ColumnElement:
        if self.score is not None:
            return _count_if(self.score >= score, name)
        table = schema.summary_responses
        columns = [f"score_{s}" for s in summary.SCORES if s >= score] + ["score_high"]
        return func.coalesce(func.sum(sum(table.c[c] for c in columns)), 0).label(name)


def _answered(
    *,
    connection: Connection,
    filters: Filters,
    group_by: GroupBy,
    scores: Sequence[int],
    satisfied_min_score: int | None,
) -> _Answered:
    kept = set(scores) <= set(summary.SCORES) and (
        satisfied_min_score is None or satisfied_min_score in summary.SCORES
    )
    snapshot = _snapshot_for(connection=connection, filters=filters, group_by=group_by)
    if kept and snapshot is not None:
        table = schema.summary_responses
        cells = summary.cells(table=table, snapshot=snapshot, filters=filters, group_by=group_by)
        return _Answered(
            fact=cells.fact,
            conditions=[*cells.conditions, *_scope_conditions(fact=cells.fact, filters=filters)],
            score=None,
            month_of=table.c.month,
        )
    responses = schema.survey_responses
    fact = _response_fact()
    return _Answered(
        fact=fact,
        conditions=[
            responses.c.responded_on >= filters.period_start,
            responses.c.responded_on <= filters.effective_end,
            *_scope_conditions(fact=fact, filters=filters),
        ],
        score=responses.c.score,
        month_of=responses.c.responded_on,
    )


def satisfaction_counts(
    *, connection: Connection, filters: Filters, group_by: GroupBy, satisfied_min_score: int
) -> pd.DataFrame:
    """Citizens' survey responses in the period combined with published survey results.

    Columns: responses (raw responses + published respondents), satisfied (raw responses
    scoring at least ``satisfied_min_score`` + published share × respondents), raw_responses.
    """
    answered = _answered(
        connection=connection,
        filters=filters,
        group_by=group_by,
        scores=(),
        satisfied_min_score=satisfied_min_score,
    )
    raw = _grouped(
        connection=connection,
        fact=answered.fact,
        group_by=group_by,
        measures=[
            answered.responses(name="raw_responses"),
            answered.at_least(score=satisfied_min_score, name="raw_satisfied"),
        ],
        conditions=answered.conditions,
    )
    published = _published_counts(connection=connection, filters=filters, group_by=group_by)
    combined = raw.merge(published, on=GROUP_COLUMNS, how="outer")
    numbers = ["raw_responses", "raw_satisfied", "published_respondents", "published_satisfied"]
    combined[numbers] = combined[numbers].fillna(0).astype(float)
    return pd.DataFrame(
        {
            **{column: combined[column] for column in GROUP_COLUMNS},
            "responses": combined["raw_responses"] + combined["published_respondents"],
            "satisfied": combined["raw_satisfied"] + combined["published_satisfied"],
            "raw_responses": combined["raw_responses"].astype(int),
        }
    )


def service_counts(*, connection: Connection, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    """Monthly public-service application counts for months within the period.

    Columns: applications, online_applications, online_results, resolved_early,
    resolved_on_time, resolved_late.
    """
    stats = schema.service_stats
    fact = _Fact(
        source=_with_dimensions(
            base=stats, agency_on=stats.c.agency_code, unit_on=stats.c.org_unit_code
        ),
        unit_code=stats.c.org_unit_code,
        agency_code=stats.c.agency_code,
    )
    columns = (
        "applications",
        "online_applications",
        "online_results",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
    )
    return _grouped(
        connection=connection,
        fact=fact,
        group_by=group_by,
        measures=[func.coalesce(func.sum(stats.c[name]), 0).label(name) for name in columns],
        conditions=[
            stats.c.month >= filters.period_start.replace(day=1),
            stats.c.month <= filters.effective_end,
            *_scope_conditions(fact=fact, filters=filters),
        ],
    )


def _latest_criteria(*, connection: Connection, filters: Filters) -> FromClause:
    """Each commune's criteria as its latest check on or before ``as_of`` left them (columns
    org_unit_code, criterion, met, checked_on): a criterion checked only earlier no longer
    counts. From ``summary_readiness`` when a snapshot holds the filters."""
    snapshot = summary.snapshot_id(connection, filters=filters)
    if snapshot is not None:
        stored = schema.summary_readiness
        return (
            select(stored.c.org_unit_code, stored.c.criterion, stored.c.met, stored.c.checked_on)
            .where(stored.c.snapshot_id == snapshot)
            .subquery("latest_criteria")
        )
    checks = schema.readiness_checks
    latest = (
        select(checks.c.org_unit_code, func.max(checks.c.checked_on).label("checked_on"))
        .where(checks.c.checked_on <= filters.as_of)
        .group_by(checks.c.org_unit_code)
        .subquery("latest_check")
    )
    return (
        select(checks.c.org_unit_code, checks.c.criterion, checks.c.met, checks.c.checked_on)
        .join(
            latest,
            and_(
                latest.c.org_unit_code == checks.c.org_unit_code,
                latest.c.checked_on == checks.c.checked_on,
            ),
        )
        .subquery("latest_criteria")
    )


def readiness_counts(
    *, connection: Connection, filters: Filters, group_by: GroupBy
) -> pd.DataFrame:
    """Communes (level-2 units) by their latest readiness check on or before ``as_of``.

    A commune is green when every criterion of its latest check is met. Columns:
    communes_checked, communes_green. Only province, district and no grouping apply.
    """
    if group_by not in (GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT):
        raise ValueError(f"commune readiness cannot be grouped by {group_by.value}")
    latest = _latest_criteria(connection=connection, filters=filters)
    per_commune = (
        select(latest.c.org_unit_code, _count_if(latest.c.met.is_(False), "missing"))
        .group_by(latest.c.org_unit_code)
        .subquery("commune_status")
    )
    fact = _Fact(
        source=_with_dimensions(
            base=per_commune,
            agency_on=literal(None),
            unit_on=per_commune.c.org_unit_code,
        ),
        unit_code=per_commune.c.org_unit_code,
        agency_code=literal(None),
    )
    scope = _province_conditions(filters=filters)
    return _grouped(
        connection=connection,
        fact=fact,
        group_by=group_by,
        measures=[
            func.count().label("communes_checked"),
            _count_if(per_commune.c.missing == 0, "communes_green"),
        ],
        conditions=scope,
    )


def monthly_task_completions(*, connection: Connection, filters: Filters) -> pd.DataFrame:
    """Tasks of the period completed on or before ``as_of``, by month of completion.

    Columns: month (``YYYY-MM``), early, on_time, late.
    """
    snapshot = summary.snapshot_id(connection, filters=filters)
    if snapshot is not None:
        table = schema.summary_task_months
        cells = summary.cells(
            table=table, snapshot=snapshot, filters=filters, group_by=GroupBy.NONE
        )
        query = (
            select(table.c.month, *_summed(table, "early", "on_time", "late"))
            .where(*cells.conditions, *_scope_conditions(fact=cells.fact, filters=filters))
            .group_by(table.c.month)
            .order_by(table.c.month)
        )
        frame = _frame_of(connection, query)
        columns = ["month", "early", "on_time", "late"]
        return frame if not frame.empty else pd.DataFrame(columns=columns)
    tasks = schema.tasks
    fact = _task_fact(group_by=GroupBy.NONE)
    month = _month_label(connection=connection, column=tasks.c.completed_on).label("month")
    query = (
        select(
            month,
            _count_if(tasks.c.completed_on < tasks.c.due_on, "early"),
            _count_if(tasks.c.completed_on == tasks.c.due_on, "on_time"),
            _count_if(tasks.c.completed_on > tasks.c.due_on, "late"),
        )
        .select_from(fact.source)
        .where(
            *_task_conditions(filters=filters),
            *_scope_conditions(fact=fact, filters=filters),
            tasks.c.completed_on.is_not(None),
            tasks.c.completed_on <= filters.as_of,
        )
        .group_by(month)
        .order_by(month)
    )
    frame = _frame_of(connection, query)
    return frame if not frame.empty else pd.DataFrame(columns=["month", "early", "on_time", "late"])


def monthly_satisfaction(
    *, connection: Connection, filters: Filters, satisfied_min_score: int
) -> pd.DataFrame:
    """Raw survey responses of the period by month. Columns: month, responses, satisfied."""
    answered = _answered(
        connection=connection,
        filters=filters,
        group_by=GroupBy.NONE,
        scores=(),
        satisfied_min_score=satisfied_min_score,
    )
    month = answered.month_of
    if answered.score is not None:
        month = _month_label(connection=connection, column=month)
    month = month.label("month")
    query = (
        select(
            month,
            answered.responses(name="responses"),
            answered.at_least(score=satisfied_min_score, name="satisfied"),
        )
        .select_from(answered.fact.source)
        .where(*answered.conditions)
        .group_by(month)
        .order_by(month)
    )
    frame = _frame_of(connection, query)
    return frame if not frame.empty else pd.DataFrame(columns=["month", "responses", "satisfied"])


def open_tasks_at_dates(
    *, connection: Connection, filters: Filters, dates: Sequence[date]
) -> pd.DataFrame:
    """Overdue and open tasks at each of ``dates`` (tasks issued from period start on).

    Columns: date, open, overdue. One scan of the task table for all dates.
    """
    snapshots = summary.snapshot_ids(
        connection,
        period_start=filters.period_start,
        period_end=filters.period_end,
        dates=dates,
        kind=summary.MONTH_END,
    )
    if snapshots is not None:
        return _summary_open_tasks(connection=connection, filters=filters, snapshots=snapshots)
    tasks = schema.tasks
    fact = _task_fact(group_by=GroupBy.NONE)
    measures = []
    for index, moment in enumerate(dates):
        issued = tasks.c.issued_on <= moment
        still_open = or_(tasks.c.completed_on.is_(None), tasks.c.completed_on > moment)
        measures.append(_count_if(and_(issued, still_open), f"open_{index}"))
        measures.append(
            _count_if(and_(issued, still_open, tasks.c.due_on < moment), f"overdue_{index}")
        )
    if not measures:
        return pd.DataFrame(columns=["date", "open", "overdue"])
    query = (
        select(*measures)
        .select_from(fact.source)
        .where(
            tasks.c.cancelled.is_(False),
            tasks.c.issued_on >= filters.period_start,
            *_scope_conditions(fact=fact, filters=filters),
        )
    )
    row = connection.execute(query).mappings().one()
    return pd.DataFrame(
        {
            "date": list(dates),
            "open": [int(row[f"open_{index}"]) for index in range(len(dates))],
            "overdue": [int(row[f"overdue_{index}"]) for index in range(len(dates))],
        }
    )


def _summary_open_tasks(
    *, connection: Connection, filters: Filters, snapshots: dict[date, int]
) -> pd.DataFrame:
    table = schema.summary_open_tasks
    cells = summary.cells(
        table=table, snapshot=list(snapshots.values()), filters=filters, group_by=GroupBy.NONE
    )
    query = (
        select(table.c.snapshot_id, *_summed(table, "open_tasks", "overdue_tasks"))
        .where(*cells.conditions, *_scope_conditions(fact=cells.fact, filters=filters))
        .group_by(table.c.snapshot_id)
    )
    counts = {row.snapshot_id: row for row in connection.execute(query)}
    rows = [counts.get(snapshots[moment]) for moment in snapshots]
    return pd.DataFrame(
        {
            "date": list(snapshots),
            "open": [0 if row is None else int(row.open_tasks) for row in rows],
            "overdue": [0 if row is None else int(row.overdue_tasks) for row in rows],
        }
    )


def overdue_tasks(
    *, connection: Connection, filters: Filters, limit: int, offset: int
) -> pd.DataFrame:
    """One page of the open overdue control cards at ``as_of``, longest overdue first.

    Columns: code, title, agency_code, agency_name_mn, agency_name_en, org_unit_code,
    unit_name_mn, unit_name_en, task_group, source_kind, issued_on, due_on, days_overdue.
    """
    tasks = schema.tasks
    listed = _overdue_listing(connection=connection, filters=filters)
    query = (
        select(
            tasks.c.code,
            tasks.c.title,
            tasks.c.agency_code,
            _agency.c.name_mn.label("agency_name_mn"),
            _agency.c.name_en.label("agency_name_en"),
            tasks.c.org_unit_code,
            _unit.c.name_mn.label("unit_name_mn"),
            _unit.c.name_en.label("unit_name_en"),
            tasks.c.task_group,
            tasks.c.source_kind,
            tasks.c.issued_on,
            tasks.c.due_on,
        )
        .select_from(listed.source)
        .where(*listed.conditions)
        .order_by(*listed.order)
        .limit(limit)
        .offset(offset)
    )
    frame = _frame_of(connection, query)
    if frame.empty:
        return frame
    frame["days_overdue"] = (pd.Timestamp(filters.as_of) - pd.to_datetime(frame["due_on"])).dt.days
    return frame


def overdue_task_total(*, connection: Connection, filters: Filters) -> int:
    """How many rows ``overdue_tasks`` pages through."""
    listed = _overdue_listing(connection=connection, filters=filters)
    query = select(func.count()).select_from(listed.source).where(*listed.conditions)
    return int(connection.execute(query).scalar_one())


@dataclass(frozen=True)
class _Listing:
    source: FromClause
    conditions: list[ColumnElement]
    order: list[ColumnElement]


def _overdue_listing(*, connection: Connection, filters: Filters) -> _Listing:
    """The overdue control cards at ``as_of``: walked in order through
    ``summary_overdue_tasks`` when a snapshot holds the filters (a page reads a page of
    rows), else found among the period's tasks."""
    tasks = schema.tasks
    snapshot = summary.snapshot_id(connection, filters=filters)
    if snapshot is not None:
        overdue = schema.summary_overdue_tasks
        base = overdue.join(tasks, tasks.c.code == overdue.c.task_code)
        fact = _Fact(
            source=_with_dimensions(
                base=base, agency_on=tasks.c.agency_code, unit_on=tasks.c.org_unit_code
            ),
            unit_code=tasks.c.org_unit_code,
            agency_code=tasks.c.agency_code,
        )
        return _Listing(
            source=fact.source,
            conditions=[
                overdue.c.snapshot_id == snapshot,
                *_scope_conditions(fact=fact, filters=filters),
            ],
            order=[overdue.c.due_on, overdue.c.task_code],
        )
    fact = _task_fact(group_by=GroupBy.NONE)
    return _Listing(
        source=fact.source,
        conditions=[
            *_overdue_conditions(filters=filters),
            *_scope_conditions(fact=fact, filters=filters),
        ],
        order=[tasks.c.due_on, tasks.c.code],
    )


def _overdue_conditions(*, filters: Filters) -> list[ColumnElement]:
    tasks = schema.tasks
    return [
        *_task_conditions(filters=filters),
        or_(tasks.c.completed_on.is_(None), tasks.c.completed_on > filters.as_of),
        tasks.c.due_on < filters.as_of,
    ]


def provinces(*, connection: Connection, scope: Scope) -> pd.DataFrame:
    """Level-1 units the reader may see (a regional office: its own). Columns: code, name_mn,
    name_en, lat, lon, has_geometry."""
    units = schema.org_units
    own = [units.c.code == scope.province_only] if scope.province_only else []
    query = (
        select(
            units.c.code,
            units.c.name_mn,
            units.c.name_en,
            units.c.lat,
            units.c.lon,
            units.c.geometry.is_not(None).label("has_geometry"),
        )
        .where(units.c.level == 1, *own)
        .order_by(units.c.code)
    )
    return _frame_of(connection, query)


def units_under(*, connection: Connection, parent_code: str, scope: Scope) -> pd.DataFrame:
    """Level-2 units of a province (none outside a regional reader's own). Columns: code,
    name_mn, name_en, lat, lon."""
    units = schema.org_units
    own = [units.c.parent_code == scope.province_only] if scope.province_only else []
    query = (
        select(units.c.code, units.c.name_mn, units.c.name_en, units.c.lat, units.c.lon)
        .where(units.c.parent_code == parent_code, *own)
        .order_by(units.c.code)
    )
    frame = _frame_of(connection, query)
    return frame if not frame.empty else pd.DataFrame(columns=["code", "name_mn", "name_en"])


def agencies(*, connection: Connection, scope: Scope) -> pd.DataFrame:
    """Agencies the reader may see: for a regional office the national ones and those seated
    in its province. Columns: code, name_mn, name_en, kind, parent_code, org_unit_code."""
    table = schema.agencies
    query = (
        select(
            table.c.code,
            table.c.name_mn,
            table.c.name_en,
            table.c.kind,
            table.c.parent_code,
            table.c.org_unit_code,
        )
        .select_from(table.outerjoin(_unit, _unit.c.code == table.c.org_unit_code))
        .order_by(table.c.code)
    )
    if scope.province_only:
        query = query.where(
            or_(table.c.org_unit_code.is_(None), _province_of_unit() == scope.province_only)
        )
    return _frame_of(connection, query)


def dataset_info(*, connection: Connection) -> dict[str, str]:
    """Key/value facts about the loaded dataset (e.g. ``dataset``, ``data_as_of``)."""
    table = schema.dataset_info
    return {key: value for key, value in connection.execute(select(table.c.key, table.c.value))}


def task_date_range(*, connection: Connection, scope: Scope) -> tuple[date | None, date | None]:
    """First and last issue dates of the control cards the reader may see (for defaults)."""
    tasks = schema.tasks

    def end(*, last: bool) -> date | None:
        # One query per end, walking the issue-date index from that end: a min() and a max()
        # in one statement make SQLite read the whole table.
        query = select(tasks.c.issued_on).order_by(
            tasks.c.issued_on.desc() if last else tasks.c.issued_on
        )
        if scope.province_only:
            query = query.select_from(
                tasks.join(_unit, _unit.c.code == tasks.c.org_unit_code)
            ).where(_province_of_unit() == scope.province_only)
        return connection.execute(query.limit(1)).scalar_one_or_none()

    return end(last=False), end(last=True)
