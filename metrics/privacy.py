"""What may be published: figures resting on fewer than k observations are suppressed.

Press officers see aggregates only. A value computed from a handful of people can identify
them, so any indicator whose sample is below k is blanked (value, interval, status), and the
row says so. Task counts of a group are blanked together when the group has fewer than k tasks.
"""

from __future__ import annotations

import pandas as pd

from metrics.definitions import METRICS, Status

SUPPRESSED_COLUMN = "suppressed"
_COMPANIONS = ("_low", "_high", "_sd", "_p_value", "_significantly_above_norm")
_TASK_COUNTS = (
    "early", "on_time", "late", "overdue", "due_soon", "on_track", "completed", "open",
    "overdue_1_7", "overdue_8_30", "overdue_31_90", "overdue_90_plus",
)  # fmt: skip


def suppress_small_cells(*, frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """A copy where every indicator computed from fewer than ``k`` observations is blanked and
    greyed, and ``suppressed`` lists which indicators were, per row."""
    result = frame.copy()
    suppressed: list[list[str]] = [[] for _ in range(len(result))]
    for key in METRICS:
        sample_column = f"{key}_sample"
        if key not in result.columns or sample_column not in result.columns:
            continue
        small = result[sample_column].fillna(0).astype(float) < k
        if not small.any():
            continue
        result[key] = result[key].astype(float).mask(small)
        for suffix in _COMPANIONS:
            column = f"{key}{suffix}"
            if column in result.columns:
                result[column] = result[column].astype(object).mask(small)
        if f"{key}_status" in result.columns:
            result[f"{key}_status"] = result[f"{key}_status"].mask(small, Status.GREY.value)
        for position in small.to_numpy().nonzero()[0]:
            suppressed[position].append(key)
    if "total" in result.columns:
        few_tasks = result["total"].fillna(0).astype(float) < k
        for column in _TASK_COUNTS:
            if column in result.columns:
                result[column] = result[column].astype(object).mask(few_tasks)
    result[SUPPRESSED_COLUMN] = [", ".join(keys) for keys in suppressed]
    return result


# Each monthly series of metrics.trend.monthly_trend: the count its rate rests on.
_TREND_SAMPLES = {"timeliness": "completed", "satisfaction": "responses", "overdue": "open"}


def suppress_small_trend_cells(
    *, trend: dict[str, pd.DataFrame], k: int
) -> dict[str, pd.DataFrame]:
    """The monthly trend with every month's rate and count blanked where the count is below
    ``k`` (and the companion counts of that month, such as ``overdue``)."""
    result = {}
    for name, frame in trend.items():
        small = frame[_TREND_SAMPLES[name]].fillna(0).astype(float) < k
        blanked = frame.copy()
        for column in frame.columns:
            if column not in ("month", "date"):
                blanked[column] = frame[column].astype(float).mask(small)
        result[name] = blanked
    return result


def is_suppressed(*, row: pd.Series, metric_key: str) -> bool:
    """Whether ``metric_key`` was blanked in this row of a suppressed frame."""
    return _listed(listed=row.get(SUPPRESSED_COLUMN), metric_key=metric_key)


def suppressed_flags(*, frame: pd.DataFrame, metric_key: str) -> list[bool]:
    """``is_suppressed`` for every row of ``frame``, in order."""
    if SUPPRESSED_COLUMN not in frame.columns:
        return [False] * len(frame)
    return [
        _listed(listed=listed, metric_key=metric_key)
        for listed in frame[SUPPRESSED_COLUMN].tolist()
    ]


def _listed(*, listed: object, metric_key: str) -> bool:
    return isinstance(listed, str) and metric_key in listed.split(", ")
