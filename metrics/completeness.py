"""Reporting completeness and timeliness per agency (as DHIS2's reporting rates) and stale data.

Pure: the facts come from data_access.freshness, the rules from metrics.definitions, and the
as-of date is always a parameter.

- A reporting period is a quarter; its report is due ``REPORT_DUE_DAYS`` after it ends.
- An agency is expected to report for a period when it is responsible for plan items still to
  be delivered in it (``items_expected`` > 0).
- Its report for the period is its first progress report dated from the period's start up to
  the as-of date: on time by the deadline, late after it (late by the days past the deadline).
  Without one: missing once the deadline has passed (late by the days since), pending before.
- Completeness % = expected agencies that reported / expected agencies; timeliness % = those
  that reported on time / expected agencies.
- Data behind an indicator are stale when their newest fact is more than ``STALE_AFTER_DAYS``
  before the as-of date; a stale indicator is never green (see metrics.status.classify).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import pandas as pd

from metrics.definitions import FRESHNESS_OF_METRICS, REPORT_DUE_DAYS, REPORTING_PERIOD_MONTHS

_PERCENT = 100.0


class ReportingStatus(StrEnum):
    MISSING = "missing"
    LATE = "late"
    PENDING = "pending"
    ON_TIME = "on_time"
    NOT_EXPECTED = "not_expected"


# Worst first: the order of the completeness table.
REPORTING_ORDER: tuple[ReportingStatus, ...] = tuple(ReportingStatus)


@dataclass(frozen=True, kw_only=True)
class ReportingPeriod:
    label: str
    start: date
    end: date
    deadline: date


def reporting_periods(*, year: int, as_of: date) -> list[ReportingPeriod]:
    """The reporting periods (quarters) of ``year`` that have begun by ``as_of``, in order."""
    periods = []
    for index, first_month in enumerate(range(1, 13, REPORTING_PERIOD_MONTHS), start=1):
        start = date(year, first_month, 1)
        following = first_month + REPORTING_PERIOD_MONTHS
        end = (date(year, following, 1) if following <= 12 else date(year + 1, 1, 1)) - timedelta(
            days=1
        )
        if start > as_of:
            break
        periods.append(
            ReportingPeriod(
                label=f"{year}-Q{index}",
                start=start,
                end=end,
                deadline=end + timedelta(days=REPORT_DUE_DAYS),
            )
        )
    return periods


def default_reporting_period(
    *, periods: list[ReportingPeriod], as_of: date
) -> ReportingPeriod | None:
    """The newest period whose deadline has passed (its picture is final), else the newest."""
    closed = [period for period in periods if period.deadline < as_of]
    if closed:
        return closed[-1]
    return periods[-1] if periods else None


def reporting_table(
    *, agencies: pd.DataFrame, period: ReportingPeriod, as_of: date
) -> pd.DataFrame:
    """Adds to data_access.freshness.reporting_inputs' frame: status (a ReportingStatus
    value), days_late (days past the deadline: of a late report, or so far for a missing one;
    else NA) and days_since_report (as-of − last_report; NA without reports). Ordered worst
    first: missing and late by days late, then pending, on time, not expected."""
    frame = agencies.copy().reset_index(drop=True)
    statuses, days_late = [], []
    for expected, first in zip(frame["items_expected"], frame["first_report"], strict=True):
        status, late = _reporting_status(
            expected=int(expected) > 0, first_report=first, period=period, as_of=as_of
        )
        statuses.append(status.value)
        days_late.append(late)
    frame["status"] = statuses
    frame["days_late"] = pd.array(days_late, dtype="Int64")
    frame["days_since_report"] = pd.array(
        [(as_of - last).days if isinstance(last, date) else None for last in frame["last_report"]],
        dtype="Int64",
    )
    rank = frame["status"].map(
        {status.value: index for index, status in enumerate(REPORTING_ORDER)}
    )
    order = frame.assign(_rank=rank, _late=frame["days_late"].fillna(-1)).sort_values(
        ["_rank", "_late", "agency_code"], ascending=[True, False, True], kind="stable"
    )
    return order.drop(columns=["_rank", "_late"]).reset_index(drop=True)


def _reporting_status(
    *, expected: bool, first_report: object, period: ReportingPeriod, as_of: date
) -> tuple[ReportingStatus, int | None]:
    if not expected:
        return ReportingStatus.NOT_EXPECTED, None
    if isinstance(first_report, date):
        if first_report <= period.deadline:
            return ReportingStatus.ON_TIME, None
        return ReportingStatus.LATE, (first_report - period.deadline).days
    if as_of > period.deadline:
        return ReportingStatus.MISSING, (as_of - period.deadline).days
    return ReportingStatus.PENDING, None


@dataclass(frozen=True, kw_only=True)
class ReportingSummary:
    expected: int
    on_time: int
    late: int
    missing: int
    pending: int

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def completeness(self) -> float | None:
        """% of expected agencies that reported (None when none is expected)."""
        return _PERCENT * self.reported / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        """% of expected agencies that reported by the deadline."""
        return _PERCENT * self.on_time / self.expected if self.expected else None


def reporting_summary(table: pd.DataFrame) -> ReportingSummary:
    counts = table["status"].value_counts()
    count = {status: int(counts.get(status.value, 0)) for status in ReportingStatus}
    return ReportingSummary(
        expected=len(table) - count[ReportingStatus.NOT_EXPECTED],
        on_time=count[ReportingStatus.ON_TIME],
        late=count[ReportingStatus.LATE],
        missing=count[ReportingStatus.MISSING],
        pending=count[ReportingStatus.PENDING],
    )


def stale_groups(
    *, latest: pd.DataFrame, as_of: date, stale_after_days: int
) -> dict[str, frozenset[str]]:
    """Per indicator, the groups whose newest fact behind it is older than
    ``stale_after_days`` at ``as_of``. ``latest`` is data_access.freshness.latest_fact_dates'
    frame; a group without any fact of a kind has no data there (grey), not stale data."""
    limit = as_of - timedelta(days=stale_after_days)
    stale: dict[str, frozenset[str]] = {}
    for part, metric_keys in FRESHNESS_OF_METRICS.items():
        if part not in latest.columns:
            continue
        old = frozenset(
            str(code)
            for code, newest in zip(latest["group_code"], latest[part], strict=True)
            if isinstance(newest, date) and newest < limit
        )
        for key in metric_keys:
            stale[key] = stale.get(key, frozenset()) | old
    return stale


def freshness_table(*, latest: pd.DataFrame, as_of: date, stale_after_days: int) -> pd.DataFrame:
    """Per group: the newest fact of each kind (the columns of ``latest``), newest (of any
    kind), age_days (as-of − newest) and stale_parts (the stale kinds, comma-separated)."""
    parts = [part for part in FRESHNESS_OF_METRICS if part in latest.columns]
    limit = as_of - timedelta(days=stale_after_days)
    rows = []
    for _, row in latest.iterrows():
        dates = {part: row[part] for part in parts if isinstance(row[part], date)}
        newest = max(dates.values(), default=None)
        rows.append(
            {
                "group_code": str(row["group_code"]),
                **{part: dates.get(part) for part in parts},
                "newest": newest,
                "age_days": (as_of - newest).days if newest else None,
                "stale_parts": ", ".join(part for part, day in dates.items() if day < limit),
            }
        )
    columns = ["group_code", *parts, "newest", "age_days", "stale_parts"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["age_days"] = frame["age_days"].astype("Int64")
    return frame


def facts_behind(metric_key: str) -> str | None:
    """The kind of facts an indicator rests on (a column of the freshness table)."""
    return next((part for part, keys in FRESHNESS_OF_METRICS.items() if metric_key in keys), None)
