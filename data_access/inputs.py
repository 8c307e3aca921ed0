"""All aggregated inputs of a scorecard in one call, on one connection."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection

from data_access import queries
from data_access.filters import Filters, GroupBy

PARTS: tuple[str, ...] = ("tasks", "plans", "ratings", "satisfaction", "services", "readiness")

# Which inputs can be grouped which way: ratings, surveys and services belong to agencies and
# units, not to plans or task groups; readiness belongs to communes only.
_GROUPINGS: dict[str, frozenset[GroupBy]] = {
    "tasks": frozenset(GroupBy),
    "plans": frozenset(GroupBy),
    "ratings": frozenset(
        {GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT, GroupBy.AGENCY, GroupBy.MINISTRY}
    ),
    "satisfaction": frozenset(
        {GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT, GroupBy.AGENCY, GroupBy.MINISTRY}
    ),
    "services": frozenset(
        {GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT, GroupBy.AGENCY, GroupBy.MINISTRY}
    ),
    "readiness": frozenset({GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT}),
}


def applicable_parts(*, group_by: GroupBy, parts: Sequence[str] = PARTS) -> tuple[str, ...]:
    return tuple(part for part in parts if group_by in _GROUPINGS[part])


def collect_inputs(
    *,
    connection: Connection,
    filters: Filters,
    group_by: GroupBy,
    parts: Sequence[str],
    due_soon_days: int,
    ageing_buckets: Sequence[tuple[str, int, int | None]],
    satisfied_min_score: int,
) -> dict[str, pd.DataFrame]:
    """The aggregated frames named in ``parts`` that apply to ``group_by`` (others are left out)."""
    common = {"connection": connection, "filters": filters, "group_by": group_by}
    readers = {
        "tasks": lambda: queries.task_counts(
            **common, due_soon_days=due_soon_days, ageing_buckets=ageing_buckets
        ),
        "plans": lambda: queries.plan_progress(**common),
        "ratings": lambda: queries.rating_stats(**common),
        "satisfaction": lambda: queries.satisfaction_counts(
            **common, satisfied_min_score=satisfied_min_score
        ),
        "services": lambda: queries.service_counts(**common),
        "readiness": lambda: queries.readiness_counts(**common),
    }
    return {part: readers[part]() for part in applicable_parts(group_by=group_by, parts=parts)}
