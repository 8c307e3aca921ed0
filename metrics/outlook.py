"""Year-end outlook: where each plan's execution is heading, and which items will miss their due
date at the pace so far (issue 7).

Pure functions: the as-of date and the period are parameters, never today's date.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from metrics.compute import GROUP_COLUMNS
from metrics.definitions import PROJECTED_EXECUTION, Status
from metrics.stats import t_quantile
from metrics.status import classify

_PERCENT = 100.0
_DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True, kw_only=True)
class Projection:
    """A weighted straight line through the observations, read at the target day.

    ``low``/``high`` is the prediction interval for the value at the target (NaN with fewer
    than three points, when the spread around the line is unknown). ``closed`` means the target
    has already been observed, so the value is that observation, not a projection. Values are
    kept within 0–100 because they are percentages of completion.
    """

    value: float
    low: float
    high: float
    slope_per_day: float
    points: int
    closed: bool


def linear_projection(
    *,
    days: Sequence[float],
    values: Sequence[float],
    weights: Sequence[float],
    target_day: float,
    target_weight: float,
    confidence: float,
) -> Projection:
    """Weighted least-squares line through (day, value), evaluated at ``target_day``.

    A point's weight is its precision (variance ∝ 1 / weight), and ``target_weight`` that of
    the value to be predicted, so the interval is ŷ ± t · σ · √(1 / w₀ + x₀ᵀ (XᵀWX)⁻¹ x₀)
    with σ² = Σ wᵢ rᵢ² / (n − 2). Equal weights give the ordinary prediction interval.
    """
    x = np.asarray(days, dtype=float)
    y = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    points = len(x)
    if points and x[-1] >= target_day:
        last = float(y[-1])
        return Projection(
            value=last, low=last, high=last, slope_per_day=math.nan, points=points, closed=True
        )
    if points < 2 or np.ptp(x) == 0:
        return Projection(
            value=math.nan,
            low=math.nan,
            high=math.nan,
            slope_per_day=math.nan,
            points=points,
            closed=False,
        )
    design = np.column_stack([np.ones(points), x])
    normal = design.T @ (design * w[:, None])
    intercept, slope = np.linalg.solve(normal, design.T @ (w * y))
    target = np.array([1.0, target_day])
    value = float(intercept + slope * target_day)
    low = high = math.nan
    if points >= 3:
        residuals = y - design @ np.array([intercept, slope])
        variance = float(w @ residuals**2) / (points - 2)
        spread = math.sqrt(
            variance * (1 / target_weight + target @ np.linalg.solve(normal, target))
        )
        quantile = t_quantile(probability=(1 + confidence) / 2, degrees_of_freedom=points - 2)
        half_width = quantile * spread
        low, high = value - half_width, value + half_width
    return Projection(
        value=_bounded(number=value),
        low=_bounded(number=low),
        high=_bounded(number=high),
        slope_per_day=float(slope),
        points=points,
        closed=False,
    )


def _bounded(*, number: float) -> float:
    return number if math.isnan(number) else min(max(number, 0.0), _PERCENT)


def _projection_row(
    *,
    days: np.ndarray,
    execution: np.ndarray,
    weight_due: np.ndarray,
    target_day: float,
    confidence: float,
) -> dict[str, object]:
    """One group's projection from its month-end figures, oldest first."""
    known = ~np.isnan(execution)
    weights_known = weight_due[~np.isnan(weight_due)]
    projection = linear_projection(
        days=days[known],
        values=execution[known],
        weights=weight_due[known],
        target_day=target_day,
        # The year-end figure rests on at least the weight due now: a conservative precision.
        target_weight=float(weights_known.max()) if weights_known.size else math.nan,
        confidence=confidence,
    )
    return {
        "observed": float(execution[known][-1]) if known.any() else math.nan,
        "projected_execution": projection.value,
        "projected_execution_low": projection.low,
        "projected_execution_high": projection.high,
        "trend_per_month": projection.slope_per_day * _DAYS_PER_MONTH,
        "projected_execution_sample": projection.points,
        "closed": projection.closed,
        "projected_execution_status": classify(
            definition=PROJECTED_EXECUTION, value=projection.value, sample=projection.points
        ).value,
    }


_PROJECTION_COLUMNS = [
    *GROUP_COLUMNS, "items", "observed", "observed_on", "projected_execution",
    "projected_execution_low", "projected_execution_high", "trend_per_month",
    "projected_execution_sample", "closed", "projected_execution_status",
]  # fmt: skip


def plan_projections(
    *, series: pd.DataFrame, period_start: date, period_end: date, confidence: float
) -> pd.DataFrame:
    """Projected plan execution at ``period_end`` per group, from its month-end figures.

    ``series`` comes from ``data_access.outcomes.plan_progress_at_dates``: per group and date
    the plan-execution inputs (items_due, items_not_due, weight_due, weighted_progress). The
    line is weighted by the weight due at each date, so a month when one item was due counts
    little beside one when twenty were. Columns: group columns, items (of the period),
    observed (execution at the latest date), observed_on, projected_execution with _low/_high
    (prediction interval), trend_per_month (points), projected_execution_sample (month-end
    points with items due), closed, projected_execution_status. Lowest projection first.
    """
    if series.empty:
        return pd.DataFrame(columns=_PROJECTION_COLUMNS)
    # Column arithmetic on the whole series once, then plain arrays per group: pandas
    # operations cost tens of microseconds each, and a year of plans has two hundred groups.
    ordered = series.sort_values(["group_code", "date"], kind="stable").reset_index(drop=True)
    weight_due = pd.to_numeric(ordered["weight_due"]).astype(float).to_numpy()
    progress = pd.to_numeric(ordered["weighted_progress"]).astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        execution = np.where(weight_due > 0, progress / weight_due, math.nan)
    days = (
        (pd.to_datetime(ordered["date"]) - pd.Timestamp(period_start))
        .dt.days.astype(float)
        .to_numpy()
    )
    items = (
        pd.to_numeric(ordered["items_due"]).astype(int)
        + pd.to_numeric(ordered["items_not_due"]).astype(int)
    ).to_numpy()
    observed_on = ordered["date"].tolist()
    codes = ordered["group_code"].to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    # A group's names as its first row in the caller's order gives them.
    names = series.drop_duplicates("group_code").set_index("group_code")
    target_day = float((period_end - period_start).days)
    rows = [
        {
            "group_code": str(codes[start]),
            "name_mn": names.at[codes[start], "name_mn"],
            "name_en": names.at[codes[start], "name_en"],
            "items": int(items[end - 1]),
            "observed_on": observed_on[end - 1],
            **_projection_row(
                days=days[start:end],
                execution=execution[start:end],
                weight_due=weight_due[start:end],
                target_day=target_day,
                confidence=confidence,
            ),
        }
        for start, end in zip(starts, ends, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=_PROJECTION_COLUMNS)
    return frame.sort_values(["projected_execution", "group_code"], na_position="last").reset_index(
        drop=True
    )


def overall_projection(
    *, series: pd.DataFrame, period_start: date, period_end: date, confidence: float
) -> pd.Series:
    """The projection for all groups of ``series`` pooled (their inputs summed per date), with
    the columns of ``plan_projections`` and group_code ``all``."""
    if series.empty:
        empty = {column: math.nan for column in _PROJECTION_COLUMNS}
        return pd.Series(
            {
                **empty,
                "group_code": "all",
                "items": 0,
                "projected_execution_sample": 0,
                "closed": False,
                "projected_execution_status": Status.GREY.value,
            }
        )
    inputs = ["items_due", "items_not_due", "weight_due", "weighted_progress"]
    pooled = (
        series.assign(**{name: pd.to_numeric(series[name]).astype(float) for name in inputs})
        .groupby("date", as_index=False)[inputs]
        .sum()
        .assign(group_code="all", name_mn="", name_en="")
    )
    return plan_projections(
        series=pooled, period_start=period_start, period_end=period_end, confidence=confidence
    ).iloc[0]


def items_at_risk(
    *,
    items: pd.DataFrame,
    period_start: date,
    as_of: date,
    min_elapsed_days: int,
    complete_percent: float,
) -> pd.DataFrame:
    """The open items that will not be complete by their due date at the pace so far.

    ``items`` comes from ``data_access.outcomes.open_plan_items``. An item starts at the later
    of its plan's start and the period start. Its pace is its progress over the days from the
    start to its latest report, or to ``as_of`` when it has no report at least
    ``min_elapsed_days`` after the start (so an item never reported has no pace at all); an
    item younger than ``min_elapsed_days`` at ``as_of`` is not judged. Adds started_on,
    measured_on, pace_per_month (points), projected_at_due (at most complete), finish_on (when
    the pace reaches complete; missing at zero pace) and days_late (finish_on − due_date).
    Keeps the items whose projected_at_due is below ``complete_percent``, soonest due first.
    """
    frame = items.copy().reset_index(drop=True)
    period = pd.Timestamp(period_start)
    plan_start = pd.to_datetime(frame["plan_start"])
    started = plan_start.where(plan_start > period, period)
    reported = pd.to_datetime(frame["reported_on"])
    usable = (reported - started).dt.days >= min_elapsed_days
    measured = reported.where(usable, pd.Timestamp(as_of))
    elapsed = (measured - started).dt.days.astype(float)
    progress = pd.to_numeric(frame["progress"]).astype(float)
    pace = (progress / elapsed).where(elapsed >= min_elapsed_days)
    due = pd.to_datetime(frame["due_date"])
    projected = (progress + pace * (due - measured).dt.days).clip(upper=complete_percent)
    finish = started + pd.to_timedelta((complete_percent / pace.where(pace > 0)).round(), unit="D")
    frame = frame.assign(
        started_on=started.dt.date,
        measured_on=measured.dt.date,
        pace_per_month=pace * _DAYS_PER_MONTH,
        projected_at_due=projected,
        finish_on=finish.dt.date,
        days_late=(finish - due).dt.days,
    )
    at_risk = frame[projected < complete_percent]
    return at_risk.sort_values(["due_date", "code"]).reset_index(drop=True)


def at_risk_by_group(*, at_risk: pd.DataFrame, column: str) -> pd.DataFrame:
    """How many items at risk per value of ``column`` (e.g. plan_code): column, items_at_risk."""
    counts = at_risk.groupby(column).size()
    return pd.DataFrame({column: counts.index.astype(str), "items_at_risk": counts.to_numpy()})
