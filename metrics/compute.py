"""Turn data_access's aggregated frames (one row per group) into indicators with statuses.

Every function returns a new frame: the input's columns (group columns first) plus the computed
ones. A zero denominator gives NaN and a grey status, never a ZeroDivisionError, because a
province without open tasks has no overdue share, not a 0 % one. Percentages are 0–100 floats.
For every indicator ``<key>`` there is a ``<key>_sample`` column (the count its status rests on),
and for those with a traffic light a ``<key>_status`` column holding a ``Status`` value string.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from metrics.definitions import (
    CONFIDENCE_LEVEL,
    GAP_NORM_POINTS,
    METRICS,
    OVERDUE_AGEING_BUCKETS,
    STATUS_METRICS,
    MetricDefinition,
    Status,
    ageing_column,
)
from metrics.stats import gap_above_norm_test, mean_interval, wilson_interval
from metrics.status import SEVERITY, classify, status_counts, worst_status

GROUP_COLUMNS: tuple[str, ...] = ("group_code", "name_mn", "name_en")
TASK_CLASSES: tuple[str, ...] = ("early", "on_time", "late", "overdue", "due_soon", "on_track")
_PERCENT = 100.0


def _require(*, frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [column for column in (*GROUP_COLUMNS, *columns) if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame lacks the columns {', '.join(missing)}")


# The arithmetic below runs on NumPy arrays, not pandas Series: a group table has a few hundred
# rows at most, where each pandas operation costs tens of microseconds of overhead and a
# scorecard makes hundreds of them; the arrays become columns once, in ``_extended``.


def _numbers(*, frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    # Frames from an empty query arrive with object columns; arithmetic needs floats.
    return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()


def _filled(*, numbers: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(numbers), 0.0, numbers)


def _as_counts(*, numbers: np.ndarray) -> np.ndarray:
    # Whole counts read as 12, not 12.0, in tables; weighted or missing ones stay float.
    whole = not np.isnan(numbers).any() and bool((numbers % 1 == 0).all())
    return numbers.astype("int64") if whole else numbers


def _percent(*, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    safe = np.where(denominator > 0, denominator, np.nan)
    return numerator / safe * _PERCENT


def _statuses(
    *, metric_key: str, values: np.ndarray, samples: np.ndarray, index: pd.Index
) -> pd.Series:
    definition = METRICS[metric_key]
    return pd.Series(
        [
            classify(definition=definition, value=value, sample=sample).value
            for value, sample in zip(values.tolist(), samples.tolist(), strict=True)
        ],
        index=index,
        dtype=object,
    )


def _status_columns(
    *, metric_key: str, values: np.ndarray, samples: np.ndarray, index: pd.Index
) -> dict[str, object]:
    return {
        metric_key: values,
        f"{metric_key}_sample": _as_counts(numbers=samples),
        f"{metric_key}_status": _statuses(
            metric_key=metric_key, values=values, samples=samples, index=index
        ),
    }


def _extended(*, frame: pd.DataFrame, columns: Mapping[str, object]) -> pd.DataFrame:
    """``frame`` with ``columns`` added at the end (or replaced where they exist), in one step.

    Why not ``assign``: each new column costs pandas a copy and an insert into the column index
    (an Arrow string index in pandas 3), about 0.1 ms each, and a scorecard adds some sixty.
    """
    replaced = [name for name in columns if name in frame.columns]
    added = pd.DataFrame(dict(columns), index=frame.index)
    result = pd.concat([frame.drop(columns=replaced), added], axis="columns")
    if not replaced:
        return result
    return result[[*frame.columns, *(name for name in columns if name not in frame.columns)]]


def _start(*, frame: pd.DataFrame) -> pd.DataFrame:
    # A new frame (copy-on-write: the caller's stays as it was). Codes are joined on across
    # frames, so they must be strings on every side.
    result = frame.reset_index(drop=True)
    result["group_code"] = result["group_code"].astype(str)
    return result


def task_timeliness(*, tasks: pd.DataFrame) -> pd.DataFrame:
    """Adds completed, open, total, on_time_rate, overdue_share, early_share, on_time_share,
    late_share (% of completed) and the two statuses (samples: completed, open)."""
    _require(frame=tasks, columns=TASK_CLASSES, what="tasks")
    frame = _start(frame=tasks)
    count = {name: _numbers(frame=frame, column=name) for name in TASK_CLASSES}
    completed = count["early"] + count["on_time"] + count["late"]
    still_open = count["overdue"] + count["due_soon"] + count["on_track"]
    return _extended(
        frame=frame,
        columns={
            "completed": _as_counts(numbers=completed),
            "open": _as_counts(numbers=still_open),
            "total": _as_counts(numbers=completed + still_open),
            **_status_columns(
                index=frame.index,
                metric_key="on_time_rate",
                values=_percent(numerator=count["early"] + count["on_time"], denominator=completed),
                samples=completed,
            ),
            **_status_columns(
                index=frame.index,
                metric_key="overdue_share",
                values=_percent(numerator=count["overdue"], denominator=still_open),
                samples=still_open,
            ),
            **{
                f"{name}_share": _percent(numerator=count[name], denominator=completed)
                for name in ("early", "on_time", "late")
            },
        },
    )


def plan_execution(*, plans: pd.DataFrame) -> pd.DataFrame:
    """Adds plan_execution (weighted progress of items due, %) and its status (sample: items due).

    Items not yet due stay out of the rate: they are "in progress", not behind.
    """
    columns = ("items_due", "items_not_due", "weight_due", "weighted_progress")
    _require(frame=plans, columns=columns, what="plans")
    frame = _start(frame=plans)
    weight_due = _numbers(frame=frame, column="weight_due")
    # weighted_progress is Σ weight × percent, so dividing by Σ weight is already a percentage.
    execution = _numbers(frame=frame, column="weighted_progress") / np.where(
        weight_due > 0, weight_due, np.nan
    )
    return _extended(
        frame=frame,
        columns=_status_columns(
            index=frame.index,
            metric_key="plan_execution",
            values=execution,
            samples=_numbers(frame=frame, column="items_due"),
        ),
    )


def self_rating(*, ratings: pd.DataFrame) -> pd.DataFrame:
    """Adds self_rating (mean, points), self_rating_sd, self_rating_low/high (t interval, kept
    within 0–100) and self_rating_sample (ratings). No status: self-rating only matters
    against satisfaction."""
    _require(frame=ratings, columns=("ratings", "score_sum", "score_sq_sum"), what="ratings")
    frame = _start(frame=ratings)
    count = _numbers(frame=frame, column="ratings")
    intervals = [
        mean_interval(count=n, total=total, total_of_squares=squares, confidence=CONFIDENCE_LEVEL)
        for n, total, squares in zip(
            _filled(numbers=count).tolist(),
            _numbers(frame=frame, column="score_sum").tolist(),
            _numbers(frame=frame, column="score_sq_sum").tolist(),
            strict=True,
        )
    ]
    mean, sd, low, high = _columns(rows=intervals, width=4)
    return _extended(
        frame=frame,
        columns={
            "self_rating": mean,
            "self_rating_sd": sd,
            # Scores lie in 0–100, so the mean does too; the t interval alone can overshoot.
            "self_rating_low": np.clip(low, 0, _PERCENT),
            "self_rating_high": np.clip(high, 0, _PERCENT),
            "self_rating_sample": _as_counts(numbers=count),
        },
    )


def _columns(*, rows: Sequence[tuple[float, ...]], width: int) -> list[np.ndarray]:
    array = np.asarray(rows, dtype=float).reshape(len(rows), width)
    return [array[:, position] for position in range(width)]


def satisfaction(*, satisfaction: pd.DataFrame) -> pd.DataFrame:
    """Adds satisfaction (% scoring 4–5), satisfaction_low/high (Wilson, %) and its status
    (sample: responses, which may be fractional after weighting published results)."""
    _require(frame=satisfaction, columns=("responses", "satisfied"), what="satisfaction")
    frame = _start(frame=satisfaction)
    responses = _numbers(frame=frame, column="responses")
    satisfied = _numbers(frame=frame, column="satisfied")
    intervals = [
        wilson_interval(successes=hits, trials=trials, confidence=CONFIDENCE_LEVEL)
        for hits, trials in zip(
            _filled(numbers=satisfied).tolist(), _filled(numbers=responses).tolist(), strict=True
        )
    ]
    low, high = _columns(rows=intervals, width=2)
    return _extended(
        frame=frame,
        columns={
            **_status_columns(
                index=frame.index,
                metric_key="satisfaction",
                values=_percent(numerator=satisfied, denominator=responses),
                samples=responses,
            ),
            "satisfaction_low": low * _PERCENT,
            "satisfaction_high": high * _PERCENT,
        },
    )


# satisfaction_gap and scorecard take a parameter named like this function, which hides it there.
_satisfaction = satisfaction


def _merge_groups(*, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Outer-join on group_code, codes in sorted order as a merge would give them; each group's
    names come from the first frame that has the group."""
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    order = list(frames[0].columns)
    for frame in frames[1:]:
        shared = (set(order) & set(frame.columns)) - set(GROUP_COLUMNS)
        if shared:
            raise ValueError(f"frames to merge share the columns {', '.join(sorted(shared))}")
        order += [column for column in frame.columns if column not in order]
    # One reindex per frame instead of a merge per pair: a scorecard joins up to six frames,
    # and pandas' merge costs milliseconds each even on a few hundred rows.
    codes = pd.Index(
        sorted(set().union(*(frame["group_code"] for frame in frames))), name="group_code"
    )
    aligned = [frame.set_index("group_code").reindex(codes) for frame in frames]
    names: dict[str, pd.Series] = {}
    for name in GROUP_COLUMNS[1:]:
        present = [frame[name] for frame in aligned if name in frame.columns]
        if not present:
            continue
        # An empty input's name column holds no text at all (float NaN): filling from it, or
        # into it, would mix dtypes.
        named = [column for column in present if column.notna().any()] or present[:1]
        names[name] = named[0]
        for more in named[1:]:
            names[name] = names[name].fillna(more)
    values = [
        frame.drop(columns=[c for c in GROUP_COLUMNS if c in frame.columns]) for frame in aligned
    ]
    result = pd.concat([pd.DataFrame(names, index=codes), *values], axis="columns")
    result = result.reset_index()
    return result[order]


def satisfaction_gap(*, ratings: pd.DataFrame, satisfaction: pd.DataFrame) -> pd.DataFrame:
    """Self-rating and satisfaction side by side, with gap = self_rating − satisfaction (points).

    Adds gap, gap_low/high (interval of the gap), gap_p_value (one-sided, H0: gap ≤ norm),
    gap_significantly_above_norm (nullable boolean: NA without a standard error), gap_sample
    (the smaller of ratings and responses, so 0 when a side is missing) and gap_status, which
    is grey unless both sides are present.
    """
    rated = self_rating(ratings=ratings)
    surveyed = _satisfaction(satisfaction=satisfaction)
    frame = _merge_groups(frames=[rated, surveyed])
    mean = _numbers(frame=frame, column="self_rating")
    share = _numbers(frame=frame, column="satisfaction")
    ratings_counted = _filled(numbers=_numbers(frame=frame, column="self_rating_sample"))
    responses_counted = _filled(numbers=_numbers(frame=frame, column="satisfaction_sample"))
    tests = [
        gap_above_norm_test(
            rating_mean=rating_mean,
            rating_sd=sd,
            rating_count=count,
            satisfied_share=satisfied / _PERCENT,
            responses=responses,
            norm=GAP_NORM_POINTS,
            confidence=CONFIDENCE_LEVEL,
        )
        for rating_mean, sd, count, satisfied, responses in zip(
            mean.tolist(),
            _numbers(frame=frame, column="self_rating_sd").tolist(),
            ratings_counted.tolist(),
            share.tolist(),
            responses_counted.tolist(),
            strict=True,
        )
    ]
    return _extended(
        frame=frame,
        columns={
            **_status_columns(
                index=frame.index,
                metric_key="gap",
                values=mean - share,
                samples=np.minimum(ratings_counted, responses_counted),
            ),
            "gap_low": np.array([test.low for test in tests], dtype=float),
            "gap_high": np.array([test.high for test in tests], dtype=float),
            "gap_p_value": np.array([test.p_value for test in tests], dtype=float),
            "gap_significantly_above_norm": pd.Series(
                pd.array([test.significantly_above for test in tests], dtype="boolean"),
                index=frame.index,
            ),
        },
    )


def online_services(*, services: pd.DataFrame) -> pd.DataFrame:
    """Adds online_share, online_results_share, resolved_on_time_rate (%; early counts as on
    time) and online_share_status (sample: applications)."""
    columns = (
        "applications",
        "online_applications",
        "online_results",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
    )
    _require(frame=services, columns=columns, what="services")
    frame = _start(frame=services)
    number = {name: _numbers(frame=frame, column=name) for name in columns}
    resolved = number["resolved_early"] + number["resolved_on_time"] + number["resolved_late"]
    return _extended(
        frame=frame,
        columns={
            **_status_columns(
                index=frame.index,
                metric_key="online_share",
                values=_percent(
                    numerator=number["online_applications"], denominator=number["applications"]
                ),
                samples=number["applications"],
            ),
            "online_results_share": _percent(
                numerator=number["online_results"], denominator=number["applications"]
            ),
            "resolved_on_time_rate": _percent(
                numerator=number["resolved_early"] + number["resolved_on_time"],
                denominator=resolved,
            ),
        },
    )


def commune_coverage(*, readiness: pd.DataFrame) -> pd.DataFrame:
    """Adds commune_coverage (% of checked communes meeting every criterion) and its status."""
    columns = ("communes_checked", "communes_green")
    _require(frame=readiness, columns=columns, what="readiness")
    frame = _start(frame=readiness)
    checked = _numbers(frame=frame, column="communes_checked")
    return _extended(
        frame=frame,
        columns=_status_columns(
            index=frame.index,
            metric_key="commune_coverage",
            values=_percent(
                numerator=_numbers(frame=frame, column="communes_green"), denominator=checked
            ),
            samples=checked,
        ),
    )


def scorecard(
    *,
    as_of: date,
    tasks: pd.DataFrame | None = None,
    plans: pd.DataFrame | None = None,
    ratings: pd.DataFrame | None = None,
    satisfaction: pd.DataFrame | None = None,
    services: pd.DataFrame | None = None,
    readiness: pd.DataFrame | None = None,
    stale_groups: Mapping[str, Collection[str]] | None = None,
) -> pd.DataFrame:
    """One row per group with every indicator whose input is given, and its status.

    Adds ``as_of`` (the data-as-of date every colour rests on), ``overall_status`` (the worst of
    the present status columns; a group missing from one input is grey there) and
    ``red_count, yellow_count, green_count, grey_count`` over those status columns. The gap
    needs both ratings and satisfaction.

    ``stale_groups`` maps an indicator key to the group codes whose data for it are out of date
    (see metrics.completeness.stale_groups): their would-be green turns grey, red and yellow
    stay. When given, ``<key>_stale`` (per status indicator) and ``stale`` (any) are added.
    """
    parts: list[pd.DataFrame] = []
    if tasks is not None:
        parts.append(task_timeliness(tasks=tasks))
    if plans is not None:
        parts.append(plan_execution(plans=plans))
    if ratings is not None and satisfaction is not None:
        parts.append(satisfaction_gap(ratings=ratings, satisfaction=satisfaction))
    elif ratings is not None:
        parts.append(self_rating(ratings=ratings))
    elif satisfaction is not None:
        parts.append(_satisfaction(satisfaction=satisfaction))
    if services is not None:
        parts.append(online_services(services=services))
    if readiness is not None:
        parts.append(commune_coverage(readiness=readiness))
    if not parts:
        raise ValueError("a scorecard needs at least one input frame")
    frame = _merge_groups(frames=parts)
    if stale_groups is not None:
        frame = _with_staleness(frame=frame, stale_groups=stale_groups)
    return _with_overall(frame=_extended(frame=frame, columns={"as_of": as_of}))


def _with_overall(*, frame: pd.DataFrame) -> pd.DataFrame:
    status_columns = [f"{key}_status" for key in STATUS_METRICS if f"{key}_status" in frame.columns]
    # A group absent from one input has no data there: grey, which never outranks a colour.
    frame[status_columns] = frame[status_columns].fillna(Status.GREY.value)
    rows = frame[status_columns].to_numpy().tolist()
    counts = [status_counts(statuses=row) for row in rows]
    return _extended(
        frame=frame,
        columns={
            "overall_status": [worst_status(statuses=row).value for row in rows],
            **{f"{status.value}_count": [count[status] for count in counts] for status in SEVERITY},
        },
    )


def with_thresholds(
    *, frame: pd.DataFrame, definitions: Mapping[str, MetricDefinition]
) -> pd.DataFrame:
    """A frame of indicators coloured again with ``definitions`` (an administrator's
    thresholds, see metrics.definitions.effective_metrics); stale data stays never green, and
    a scorecard's overall status and counts follow."""
    result = frame.copy()
    for key in STATUS_METRICS:
        column = f"{key}_status"
        if column not in result.columns or definitions[key] == METRICS[key]:
            continue
        stale = result[f"{key}_stale"] if f"{key}_stale" in result else [False] * len(result)
        result[column] = [
            classify(definition=definitions[key], value=value, sample=sample, stale=bool(old)).value
            for value, sample, old in zip(result[key], result[f"{key}_sample"], stale, strict=True)
        ]
    return _with_overall(frame=result) if "overall_status" in result.columns else result


def _with_staleness(
    *, frame: pd.DataFrame, stale_groups: Mapping[str, Collection[str]]
) -> pd.DataFrame:
    """Reclassify stale indicators (a stale green becomes grey) and flag them."""
    codes = frame["group_code"].astype(str)
    flags: dict[str, pd.Series] = {}
    reclassified: dict[str, pd.Series] = {}
    for key in STATUS_METRICS:
        if f"{key}_status" not in frame.columns:
            continue
        stale = codes.isin({str(code) for code in stale_groups.get(key, ())})
        flags[f"{key}_stale"] = stale
        if not stale.any():
            continue
        definition = METRICS[key]
        statuses = frame[f"{key}_status"].copy()
        for position in np.flatnonzero(stale.to_numpy()):
            value, sample = frame[key].iloc[position], frame[f"{key}_sample"].iloc[position]
            statuses.iloc[position] = classify(
                definition=definition, value=value, sample=sample, stale=True
            ).value
        reclassified[f"{key}_status"] = statuses
    stale_any = pd.concat(flags.values(), axis="columns").any(axis="columns") if flags else False
    return _extended(frame=frame, columns={**reclassified, **flags, "stale": stale_any})


def rollup(
    *, children: pd.DataFrame, parent_of: Mapping[str, str], status_column: str
) -> pd.DataFrame:
    """Per parent code: children, red/yellow/green/grey_children and worst_child_status.

    The counts stand beside any average so a red child can never disappear into it. A child
    without a status counts as grey; a child whose code has no parent in ``parent_of`` is left
    out, as it belongs under no parent. Columns: group_code (the parent), children,
    red_children, yellow_children, green_children, grey_children, worst_child_status.
    """
    statuses = children[status_column].fillna(Status.GREY.value)
    parents = children["group_code"].astype(str).map(parent_of)
    rows: list[dict[str, object]] = []
    for parent, group in statuses.groupby(parents, sort=True):
        counts = status_counts(statuses=group)
        rows.append(
            {
                "group_code": str(parent),
                "children": len(group),
                **{f"{status.value}_children": counts[status] for status in SEVERITY},
                "worst_child_status": worst_status(statuses=group).value,
            }
        )
    columns = [
        "group_code",
        "children",
        *(f"{status.value}_children" for status in SEVERITY),
        "worst_child_status",
    ]
    return pd.DataFrame(rows, columns=columns)


SUMMARY_INDICATORS: tuple[str, ...] = (
    "plan_execution",
    "on_time_rate",
    "overdue_share",
    "self_rating",
    "satisfaction",
    "gap",
)
SUMMARY_TASK_COUNTS: tuple[str, ...] = (*TASK_CLASSES, "completed", "open")
SUMMARY_TASK_SHARES: tuple[str, ...] = ("early_share", "on_time_share", "late_share")


_SETTLED_DIGITS = 9


def _rounded(*, number: object, digits: int = 2) -> float | None:
    # JSON has no NaN: a missing number becomes null.
    if number is None or pd.isna(number):
        return None
    # Sums added up in another order (another database, a summary table) differ in the last
    # bits; settling those first keeps a value that lies on a rounding tie from flipping.
    return round(round(float(number), _SETTLED_DIGITS), digits)


def _count(*, number: object) -> int | float | None:
    # Counts stay integers; weighted counts (published respondents) keep two decimals.
    rounded = _rounded(number=number)
    if rounded is None:
        return None
    return int(rounded) if rounded.is_integer() else rounded


def _indicator(*, row: pd.Series, key: str) -> dict[str, object]:
    status = row.get(f"{key}_status")
    if not METRICS[key].has_traffic_light:
        status_text = None
    elif status is None or pd.isna(status):
        status_text = Status.GREY.value
    else:
        status_text = str(status)
    entry: dict[str, object] = {
        "value": _rounded(number=row.get(key)),
        "status": status_text,
        "sample": _count(number=row.get(f"{key}_sample")),
        "low": _rounded(number=row.get(f"{key}_low")),
        "high": _rounded(number=row.get(f"{key}_high")),
    }
    if key == "gap":
        significant = row.get("gap_significantly_above_norm")
        entry["p_value"] = _rounded(number=row.get("gap_p_value"), digits=6)
        entry["significantly_above_norm"] = (
            None if significant is None or pd.isna(significant) else bool(significant)
        )
    return entry


def national_summary(
    *,
    as_of: date,
    tasks: pd.DataFrame,
    plans: pd.DataFrame,
    ratings: pd.DataFrame | None = None,
    satisfaction: pd.DataFrame | None = None,
) -> dict[str, object]:
    """A JSON-ready summary (``python -m metrics summary``). The key layout is stable::

        {
          "as_of": "YYYY-MM-DD",
          "confidence_level": 0.95,
          "gap_norm_points": 35.0,
          "groups": [                      # one per group row, ordered by group_code
            {
              "group_code": str, "name_mn": str, "name_en": str,
              "overall_status": "red" | "yellow" | "green" | "grey",
              "status_counts": {"red": int, "yellow": int, "green": int, "grey": int},
              "indicators": {
                "<key>": {                 # plan_execution, on_time_rate, overdue_share,
                                           # self_rating, satisfaction, gap
                  "value": float | null,   # rounded to 2 decimals; % as 0–100, gap in points
                  "status": str | null,    # null for self_rating (it has no traffic light)
                  "sample": int | float | null,   # what the status rests on (see
                                                  # metrics.definitions sample_label)
                  "low": float | null,     # confidence interval (self_rating, satisfaction,
                  "high": float | null,    # gap); null for the others
                },
                # "gap" also has "p_value": float | null (6 decimals; H0: gap ≤ norm)
                # and "significantly_above_norm": bool | null
              },
              "tasks": {
                "early", "on_time", "late", "overdue", "due_soon", "on_track",
                "completed", "open": int | null,
                "early_share", "on_time_share", "late_share": float | null,  # % of completed
                "overdue_ageing": {"1-7", "8-30", "31-90", "90+": int | null},
              },
            },
          ],
        }

    ``overall_status`` and ``status_counts`` cover plan_execution, on_time_rate, overdue_share,
    satisfaction and gap. null means no data: the group is missing from that input or a
    denominator is zero. Without ratings or satisfaction (groupings they do not have, such as
    plan kind) those indicators are null and grey.
    """
    frame = scorecard(
        as_of=as_of, tasks=tasks, plans=plans, ratings=ratings, satisfaction=satisfaction
    )
    groups = []
    for _, row in frame.sort_values("group_code").iterrows():
        groups.append(
            {
                "group_code": str(row["group_code"]),
                "name_mn": str(row["name_mn"]),
                "name_en": str(row["name_en"]),
                "overall_status": str(row["overall_status"]),
                "status_counts": {
                    status.value: int(row[f"{status.value}_count"]) for status in SEVERITY
                },
                "indicators": {key: _indicator(row=row, key=key) for key in SUMMARY_INDICATORS},
                "tasks": {
                    **{name: _count(number=row[name]) for name in SUMMARY_TASK_COUNTS},
                    **{name: _rounded(number=row[name]) for name in SUMMARY_TASK_SHARES},
                    "overdue_ageing": {
                        label: _count(number=row.get(ageing_column(label)))
                        for label, _, _ in OVERDUE_AGEING_BUCKETS
                    },
                },
            }
        )
    return {
        "as_of": as_of.isoformat(),
        "confidence_level": CONFIDENCE_LEVEL,
        "gap_norm_points": GAP_NORM_POINTS,
        "groups": groups,
    }
