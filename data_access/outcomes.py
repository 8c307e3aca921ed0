"""Queries behind digital services, commune readiness, self-rating inflation, verified progress
and the year-end outlook (issue 7).

Same conventions as ``queries``: a connection and keyword filters in, aggregated rows out, group
columns ``group_code, name_mn, name_en``, the same SQL on SQLite and PostgreSQL. The rules the
SQL needs (rating bands, the overstatement threshold, what counts as complete) are parameters:
they live in ``metrics.definitions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Float,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from data_access import queries, schema, summary
from data_access.dimensions import Fact as _Fact
from data_access.dimensions import agency as _agency
from data_access.dimensions import frame_of as _frame_of
from data_access.dimensions import group_expression as _group_expression
from data_access.dimensions import province_conditions as _province_conditions
from data_access.dimensions import province_of_unit as _province_of_unit
from data_access.dimensions import scope_conditions as _scope_conditions
from data_access.dimensions import unit as _unit
from data_access.dimensions import with_dimensions as _with_dimensions
from data_access.filters import Filters, GroupBy
from data_access.periods import periods_overlapping
from data_access.queries import (
    GROUP_COLUMNS,
    _answered,
    _count_if,
    _grouped,
    _month_label,
    _plan_fact,
    _plan_item_progress,
    _published_counts,
    _staff_fact,
    _with_names,
)

SERVICE_COLUMNS: tuple[str, ...] = (
    "applications",
    "online_applications",
    "online_results",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
)
_READINESS_GROUPINGS = (GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT)


def _frame(*, connection: Connection, query: Select, columns: Sequence[str]) -> pd.DataFrame:
    frame = _frame_of(connection, query)
    return frame if not frame.empty else pd.DataFrame(columns=list(columns))


# --------------------------------------------------------------------------------------------
# Public services


def _service_fact() -> _Fact:
    stats = schema.service_stats
    return _Fact(
        source=_with_dimensions(
            base=stats, agency_on=stats.c.agency_code, unit_on=stats.c.org_unit_code
        ),
        unit_code=stats.c.org_unit_code,
        agency_code=stats.c.agency_code,
    )


def monthly_service_counts(*, connection: Connection, filters: Filters) -> pd.DataFrame:
    """Public-service applications of the period's months (up to ``as_of``), by month.

    Columns: month (``YYYY-MM``), applications, online_applications, online_results,
    resolved_early, resolved_on_time, resolved_late.
    """
    stats = schema.service_stats
    fact = _service_fact()
    month = _month_label(connection=connection, column=stats.c.month).label("month")
    query = (
        select(
            month,
            *[func.coalesce(func.sum(stats.c[name]), 0).label(name) for name in SERVICE_COLUMNS],
        )
        .select_from(fact.source)
        .where(
            stats.c.month >= filters.period_start.replace(day=1),
            stats.c.month <= filters.effective_end,
            *_scope_conditions(fact=fact, filters=filters),
        )
        .group_by(month)
        .order_by(month)
    )
    return _frame(connection=connection, query=query, columns=["month", *SERVICE_COLUMNS])


# --------------------------------------------------------------------------------------------
# Commune readiness


def _latest_criteria(*, as_of: date) -> Subquery:
    """Each commune's criteria as its latest check on or before ``as_of`` left them.

    The same reading as ``queries.readiness_counts``: a commune's state is its latest check,
    so a criterion checked only earlier no longer counts.
    """
    checks = schema.readiness_checks
    latest = (
        select(checks.c.org_unit_code, func.max(checks.c.checked_on).label("checked_on"))
        .where(checks.c.checked_on <= as_of)
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


def _readiness_fact(*, latest: Subquery) -> _Fact:
    return _Fact(
        source=_with_dimensions(
            base=latest, agency_on=literal(None), unit_on=latest.c.org_unit_code
        ),
        unit_code=latest.c.org_unit_code,
        agency_code=literal(None),
    )


def _readiness_scope(*, filters: Filters) -> list[ColumnElement]:
    # Communes belong to provinces, not to agencies: only the province narrows them.
    return _province_conditions(filters=filters)


def readiness_by_criterion(
    *, connection: Connection, filters: Filters, group_by: GroupBy
) -> pd.DataFrame:
    """How often each service-centre criterion is missing, per group and criterion.

    One row per group and criterion of the communes' latest checks on or before ``as_of``.
    Columns: group columns, criterion, communes_checked (communes whose latest check covers the
    criterion), communes_missing (of those, communes that do not meet it). Only province,
    district and no grouping apply.
    """
    if group_by not in _READINESS_GROUPINGS:
        raise ValueError(f"commune readiness cannot be grouped by {group_by.value}")
    latest = _latest_criteria(as_of=filters.as_of)
    fact = _readiness_fact(latest=latest)
    group = _group_expression(fact=fact, group_by=group_by)
    query = (
        select(
            group,
            latest.c.criterion,
            func.count().label("communes_checked"),
            _count_if(latest.c.met.is_(False), "communes_missing"),
        )
        .select_from(fact.source)
        .where(*_readiness_scope(filters=filters))
        .group_by(group, latest.c.criterion)
        .order_by(group, latest.c.criterion)
    )
    frame = _frame(
        connection=connection,
        query=query,
        columns=["group_code", "criterion", "communes_checked", "communes_missing"],
    )
    return _with_names(connection=connection, frame=frame, group_by=group_by)


def commune_criteria(*, connection: Connection, filters: Filters) -> pd.DataFrame:
    """Every commune's criteria at its latest check on or before ``as_of``: one row per commune
    and criterion (a few per commune, never more than the criteria that exist).

    Columns: org_unit_code, name_mn, name_en, province_code, checked_on, criterion, met.
    """
    latest = _latest_criteria(as_of=filters.as_of)
    fact = _readiness_fact(latest=latest)
    query = (
        select(
            latest.c.org_unit_code,
            _unit.c.name_mn,
            _unit.c.name_en,
            _province_of_unit().label("province_code"),
            latest.c.checked_on,
            latest.c.criterion,
            latest.c.met,
        )
        .select_from(fact.source)
        .where(*_readiness_scope(filters=filters))
        .order_by(latest.c.org_unit_code, latest.c.criterion)
    )
    columns = [
        "org_unit_code", "name_mn", "name_en", "province_code", "checked_on", "criterion", "met",
    ]  # fmt: skip
    return _frame(connection=connection, query=query, columns=columns)


# --------------------------------------------------------------------------------------------
# Self-rating inflation


def rating_bands(
    *,
    connection: Connection,
    filters: Filters,
    group_by: GroupBy,
    band_edges: Sequence[float],
    near_ceiling_score: float,
) -> pd.DataFrame:
    """Civil servants' ratings of the period counted into bands, with their sums.

    Score = final_score, else self_score (as for the self-rating). Band ``i`` (1-based) holds
    scores from ``band_edges[i-1]`` up to, not including, the next edge; the last band is open
    above. Columns: ratings, score_sum, score_sq_sum, near_ceiling (scores at or above
    ``near_ceiling_score``), band_1 … band_<n>.
    """
    ratings = schema.ratings
    score = func.coalesce(ratings.c.final_score, ratings.c.self_score)
    fact = _staff_fact()
    uppers = [*band_edges[1:], None]
    bands = [
        _count_if(
            score >= lower if upper is None else and_(score >= lower, score < upper),
            f"band_{index}",
        )
        for index, (lower, upper) in enumerate(zip(band_edges, uppers, strict=True), 1)
    ]
    labels = periods_overlapping(start=filters.period_start, end=filters.period_end)
    return _grouped(
        connection=connection,
        fact=fact,
        group_by=group_by,
        measures=[
            func.count(score).label("ratings"),
            func.coalesce(func.sum(score), 0).label("score_sum"),
            func.coalesce(func.sum(score * score), 0).label("score_sq_sum"),
            _count_if(score >= near_ceiling_score, "near_ceiling"),
            *bands,
        ],
        conditions=[ratings.c.period.in_(labels), *_scope_conditions(fact=fact, filters=filters)],
    )


def citizen_scores(
    *,
    connection: Connection,
    filters: Filters,
    group_by: GroupBy,
    scores: Sequence[int],
) -> pd.DataFrame:
    """Citizens' verdicts of the period: raw responses per score, published results as totals.

    Columns: score_<s> for each of ``scores`` (raw responses), published_respondents,
    published_satisfied (published share × respondents: published results carry no score
    breakdown, only the satisfied share). A group missing on one side counts 0 there.
    """
    answered = _answered(
        connection=connection,
        filters=filters,
        group_by=group_by,
        scores=scores,
        satisfied_min_score=None,
    )
    raw = _grouped(
        connection=connection,
        fact=answered.fact,
        group_by=group_by,
        measures=[answered.with_score(score=score, name=f"score_{score}") for score in scores],
        conditions=answered.conditions,
    )
    published = _published_counts(connection=connection, filters=filters, group_by=group_by)
    combined = raw.merge(published, on=GROUP_COLUMNS, how="outer")
    counts = [f"score_{score}" for score in scores]
    combined[counts] = combined[counts].fillna(0).astype(int)
    totals = ["published_respondents", "published_satisfied"]
    combined[totals] = combined[totals].fillna(0).astype(float)
    return combined.sort_values("group_code").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Reported against verified progress


def verification_counts(
    *,
    connection: Connection,
    filters: Filters,
    group_by: GroupBy,
    overstatement_points: float,
) -> pd.DataFrame:
    """Progress reports of the period that carry an independent check, per group.

    A report belongs to its plan item's agency and unit. Columns: checked_reports,
    reported_sum, verified_sum, difference_sum (Σ reported − verified), difference_sq_sum,
    overstated_reports (reported exceeds verified by at least ``overstatement_points``).
    """
    reports, items, plans = schema.progress_reports, schema.plan_items, schema.plans
    base = reports.join(items, items.c.code == reports.c.plan_item_code).join(
        plans, plans.c.code == items.c.plan_code
    )
    fact = _plan_fact(source=base)
    difference = reports.c.percent_complete - reports.c.verified_percent
    return _grouped(
        connection=connection,
        fact=fact,
        group_by=group_by,
        measures=[
            func.count().label("checked_reports"),
            func.coalesce(func.sum(reports.c.percent_complete), 0).label("reported_sum"),
            func.coalesce(func.sum(reports.c.verified_percent), 0).label("verified_sum"),
            func.coalesce(func.sum(difference), 0).label("difference_sum"),
            func.coalesce(func.sum(difference * difference), 0).label("difference_sq_sum"),
            _count_if(difference >= overstatement_points, "overstated_reports"),
        ],
        conditions=[
            reports.c.verified_percent.is_not(None),
            reports.c.reported_on >= filters.period_start,
            reports.c.reported_on <= filters.effective_end,
            *_scope_conditions(fact=fact, filters=filters),
        ],
    )


# --------------------------------------------------------------------------------------------
# Year-end outlook


def plan_progress_at_dates(
    *, connection: Connection, filters: Filters, group_by: GroupBy, dates: Sequence[date]
) -> pd.DataFrame:
    """``queries.plan_progress`` as it stood at each of ``dates``: the plan-execution inputs
    month by month, for a trend. One query for all dates when the plan items' progress is
    summarised (``summary_item_progress``), else one per date.

    Columns: group columns, date, items_due, items_not_due, weight_due, weighted_progress (as
    in ``plan_progress`` with as_of = date).
    """
    columns = [*GROUP_COLUMNS, "date", "items_due", "items_not_due", "weight_due"]
    if dates and summary.is_built(connection, name=schema.summary_item_progress.name):
        frame = _summarised_progress_at_dates(
            connection=connection, filters=filters, group_by=group_by, dates=dates
        )
        if frame.empty:
            return pd.DataFrame(columns=[*columns, "weighted_progress"])
        return frame[[*columns, "weighted_progress"]]
    frames = [
        queries.plan_progress(
            connection=connection, filters=replace(filters, as_of=moment), group_by=group_by
        ).assign(date=moment)
        for moment in dates
    ]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=[*columns, "weighted_progress"])
    combined = pd.concat(frames, ignore_index=True)
    return combined[[*columns, "weighted_progress"]]


def _summarised_progress_at_dates(
    *, connection: Connection, filters: Filters, group_by: GroupBy, dates: Sequence[date]
) -> pd.DataFrame:
    """Every plan item of the period at every date, with the progress row in force then.

    Joining each item to each date and looking its progress up (items x dates index searches)
    took most of the Outlook's time. Instead, every date an item or progress row carries is
    first replaced by the first of ``dates`` on or after it (its *bucket*: ``d <= moment``
    exactly when ``bucket(d) <= moment``), the rows are summed per group and bucket, and only
    those sums meet the dates.
    """
    items, plans, timeline = schema.plan_items, schema.plans, schema.summary_item_progress
    ordered = sorted(set(dates))
    moments = union_all(
        *[select(literal(moment, Date).label("moment")) for moment in ordered]
    ).subquery("moments")
    moment = moments.c.moment
    in_period = [
        items.c.due_date >= filters.period_start,
        items.c.due_date <= filters.period_end,
    ]

    # Items: how many, and what weight, fall due by each date.
    fact = _plan_fact(source=items.join(plans, plans.c.code == items.c.plan_code))
    group = _group_expression(fact=fact, group_by=group_by)
    due = _bucket(column=items.c.due_date, moments=ordered).label("due")
    by_due = (
        select(
            group,
            due,
            func.count().label("item_count"),
            func.coalesce(func.sum(items.c.weight), 0).label("weight"),
        )
        .select_from(fact.source)
        .where(*in_period, *_scope_conditions(fact=fact, filters=filters))
        .group_by(group, due)
        .subquery("by_due")
    )
    is_due = and_(by_due.c.due.is_not(None), by_due.c.due <= moment)
    counts = select(
        by_due.c.group_code,
        moment.label("date"),
        func.sum(case((is_due, by_due.c.item_count), else_=0)).label("items_due"),
        func.sum(case((is_due, 0), else_=by_due.c.item_count)).label("items_not_due"),
        func.sum(case((is_due, by_due.c.weight), else_=0)).label("weight_due"),
        literal(0.0).label("weighted_progress"),
    ).select_from(by_due.join(moments, true()))

    # Progress rows: weight x progress of the due items they are in force for at each date.
    fact = _plan_fact(
        source=timeline.join(items, items.c.code == timeline.c.plan_item_code).join(
            plans, plans.c.code == items.c.plan_code
        )
    )
    group = _group_expression(fact=fact, group_by=group_by)
    valid_from = _bucket(column=timeline.c.valid_from, moments=ordered).label("valid_from")
    valid_to = _bucket(column=timeline.c.valid_to, moments=ordered).label("valid_to")
    due = _bucket(column=items.c.due_date, moments=ordered).label("due")
    by_segment = (
        select(
            group,
            valid_from,
            valid_to,
            due,
            func.sum(items.c.weight * timeline.c.progress).label("weighted_progress"),
        )
        .select_from(fact.source)
        .where(*in_period, *_scope_conditions(fact=fact, filters=filters))
        .group_by(group, valid_from, valid_to, due)
        .subquery("by_segment")
    )
    # A missing valid_to bucket is a row still in force, or one ending after the last date.
    in_force = and_(
        by_segment.c.due.is_not(None),
        by_segment.c.due <= moment,
        by_segment.c.valid_from.is_not(None),
        by_segment.c.valid_from <= moment,
        or_(by_segment.c.valid_to.is_(None), by_segment.c.valid_to > moment),
    )
    progress = (
        select(
            by_segment.c.group_code,
            moment.label("date"),
            literal(0).label("items_due"),
            literal(0).label("items_not_due"),
            literal(0.0).label("weight_due"),
            case((in_force, by_segment.c.weighted_progress), else_=0).label("weighted_progress"),
        )
        .select_from(by_segment.join(moments, true()))
        .where(in_force)
    )
    both = union_all(counts.group_by(by_due.c.group_code, moment), progress).subquery("both")
    query = (
        select(
            both.c.group_code,
            both.c.date,
            # sum() of a bigint is a numeric in PostgreSQL: counts are cast back to integers.
            cast(func.sum(both.c.items_due), Integer).label("items_due"),
            cast(func.sum(both.c.items_not_due), Integer).label("items_not_due"),
            cast(func.sum(both.c.weight_due), Float).label("weight_due"),
            cast(func.sum(both.c.weighted_progress), Float).label("weighted_progress"),
        )
        .group_by(both.c.group_code, both.c.date)
        .order_by(both.c.date, both.c.group_code)
    )
    frame = _frame_of(connection, query)
    if frame.empty:
        return frame
    return _with_names(connection=connection, frame=frame, group_by=group_by)


def _bucket(*, column: ColumnElement, moments: Sequence[date]) -> ColumnElement:
    """The first of ``moments`` (sorted) on or after ``column``; NULL after the last or for NULL."""
    return case(*[(column <= literal(moment, Date), literal(moment, Date)) for moment in moments])


def open_plan_items(
    *, connection: Connection, filters: Filters, complete_percent: float
) -> pd.DataFrame:
    """Plan items falling due after ``as_of`` within the period and not yet complete.

    The items still to come in the period, with their progress so far; the pace and the
    projection are metrics' business. Columns: code, title, plan_code, plan_title_mn,
    plan_title_en, plan_start, agency_code, agency_name_mn, agency_name_en, due_date, weight,
    progress (latest verified %, else reported %, else 0, on or before as_of), reported_on
    (date of the latest report, None when never reported).
    """
    items, plans = schema.plan_items, schema.plans
    item_progress = _plan_item_progress(connection=connection, as_of=filters.as_of)
    fact = _plan_fact(source=item_progress.source)
    query = (
        select(
            items.c.code,
            items.c.title,
            plans.c.code.label("plan_code"),
            plans.c.title_mn.label("plan_title_mn"),
            plans.c.title_en.label("plan_title_en"),
            plans.c.period_start.label("plan_start"),
            items.c.agency_code,
            _agency.c.name_mn.label("agency_name_mn"),
            _agency.c.name_en.label("agency_name_en"),
            items.c.due_date,
            items.c.weight,
            item_progress.progress.label("progress"),
            item_progress.reported_on.label("reported_on"),
        )
        .select_from(fact.source)
        .where(
            items.c.due_date > filters.as_of,
            items.c.due_date <= filters.period_end,
            item_progress.progress < complete_percent,
            *_scope_conditions(fact=fact, filters=filters),
        )
        .order_by(items.c.due_date, items.c.code)
    )
    columns = [
        "code", "title", "plan_code", "plan_title_mn", "plan_title_en", "plan_start",
        "agency_code", "agency_name_mn", "agency_name_en", "due_date", "weight", "progress",
        "reported_on",
    ]  # fmt: skip
    return _frame(connection=connection, query=query, columns=columns)
