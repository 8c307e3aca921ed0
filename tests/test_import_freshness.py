"""Reporting completeness per agency and stale data: the rules (metrics.completeness), the
hand-counted facts of the tiny dataset on both backends, and stale never green."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access.filters import Filters, GroupBy
from data_access.freshness import latest_fact_dates, reporting_inputs
from data_access.scope import FULL_SCOPE
from metrics.completeness import (
    ReportingPeriod,
    ReportingStatus,
    default_reporting_period,
    facts_behind,
    freshness_table,
    reporting_periods,
    reporting_summary,
    reporting_table,
    stale_groups,
)
from metrics.compute import scorecard
from metrics.definitions import STALE_AFTER_DAYS

D = date.fromisoformat
AS_OF = D("2024-12-15")
FILTERS = Filters(
    scope=FULL_SCOPE, period_start=D("2024-01-01"), period_end=D("2024-12-31"), as_of=AS_OF
)
Q3 = ReportingPeriod(label="2024-Q3", start=D("2024-07-01"), end=D("2024-09-30"),
                     deadline=D("2024-10-10"))  # fmt: skip


def test_reporting_periods_are_quarters_due_ten_days_after_they_end():
    periods = reporting_periods(year=2024, as_of=AS_OF)
    assert [period.label for period in periods] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert periods[2] == Q3
    assert periods[3].deadline == D("2025-01-10")
    # Q4's deadline is still ahead, so the newest final picture is Q3's.
    assert default_reporting_period(periods=periods, as_of=AS_OF) == Q3
    assert [p.label for p in reporting_periods(year=2024, as_of=D("2024-04-01"))] == [
        "2024-Q1",
        "2024-Q2",
    ]


AGENCIES = pd.DataFrame(
    {
        "agency_code": ["ON-TIME", "LATE", "MISSING", "IDLE", "NEVER"],
        "name_mn": ["а", "б", "в", "г", "д"],
        "name_en": ["a", "b", "c", "d", "e"],
        "items_expected": [2, 1, 3, 0, 1],
        "first_report": [D("2024-10-10"), D("2024-10-25"), None, None, None],
        "last_report": [D("2024-11-01"), D("2024-10-25"), D("2024-05-01"), None, None],
    }
)


def test_each_agency_is_on_time_late_or_missing_by_so_many_days():
    table = reporting_table(agencies=AGENCIES, period=Q3, as_of=AS_OF).set_index("agency_code")
    assert table.loc["ON-TIME", "status"] == ReportingStatus.ON_TIME
    assert (table.loc["LATE", "status"], table.loc["LATE", "days_late"]) == ("late", 15)
    assert (table.loc["MISSING", "status"], table.loc["MISSING", "days_late"]) == ("missing", 66)
    assert table.loc["IDLE", "status"] == ReportingStatus.NOT_EXPECTED
    assert table.loc["MISSING", "days_since_report"] == (AS_OF - D("2024-05-01")).days
    # Worst first: the missing reports, then the late ones, most days late first.
    assert list(table.index[:3]) == ["MISSING", "NEVER", "LATE"]
    summary = reporting_summary(table.reset_index())
    assert (summary.expected, summary.on_time, summary.late, summary.missing) == (4, 1, 1, 2)
    assert summary.completeness == pytest.approx(50.0)
    assert summary.timeliness == pytest.approx(25.0)


def test_before_the_deadline_a_report_not_yet_sent_is_pending():
    table = reporting_table(agencies=AGENCIES, period=Q3, as_of=D("2024-10-05"))
    assert table.set_index("agency_code").loc["NEVER", "status"] == ReportingStatus.PENDING
    assert reporting_summary(table.iloc[:0]).completeness is None


def test_stale_groups_per_indicator_and_the_freshness_table():
    latest = pd.DataFrame(
        {
            "group_code": ["11", "41", "42"],
            "tasks": [D("2024-12-01"), D("2024-08-01"), None],
            "plans": [D("2024-09-30"), D("2024-06-30"), None],
        }
    )
    stale = stale_groups(latest=latest, as_of=AS_OF, stale_after_days=90)
    assert stale["on_time_rate"] == stale["overdue_share"] == {"41"}
    assert stale["plan_execution"] == {"41"}
    assert "satisfaction" not in stale  # no facts of that kind given: nothing to judge
    table = freshness_table(latest=latest, as_of=AS_OF, stale_after_days=90).set_index("group_code")
    assert table.loc["11", "newest"] == D("2024-12-01") and table.loc["11", "age_days"] == 14
    assert table.loc["41", "stale_parts"] == "tasks, plans"
    assert pd.isna(table.loc["42", "newest"])  # no data is not stale data
    assert facts_behind("commune_coverage") == "readiness"


def _plans(progress: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_code": ["11", "41", "65"][: len(progress)],
            "name_mn": "н",
            "name_en": "n",
            "items_due": 5,
            "items_not_due": 0,
            "weight_due": 5.0,
            "weighted_progress": [5.0 * value for value in progress],
        }
    )


def test_stale_data_is_never_green_but_a_stale_red_stays_red():
    plans = _plans([95.0, 40.0, 95.0])
    fresh = scorecard(as_of=AS_OF, plans=plans).set_index("group_code")
    assert list(fresh["plan_execution_status"]) == ["green", "red", "green"]
    assert "stale" not in fresh.columns  # unchanged without the new input
    marked = scorecard(
        as_of=AS_OF, plans=plans, stale_groups={"plan_execution": frozenset({"11", "41"})}
    ).set_index("group_code")
    assert list(marked["plan_execution_status"]) == ["grey", "red", "green"]
    assert list(marked["plan_execution_stale"]) == [True, True, False]
    assert list(marked["stale"]) == [True, True, False]
    assert marked.loc["11", "overall_status"] == "grey"
    assert marked.loc["11", "plan_execution"] == pytest.approx(95.0)  # the value stays shown


def test_the_newest_facts_per_province_on_both_backends(tiny_connection):
    latest = latest_fact_dates(
        connection=tiny_connection, filters=FILTERS, group_by=GroupBy.PROVINCE
    ).set_index("group_code")
    assert latest.loc["11"].tolist() == [
        D("2024-11-01"),  # T4 issued in 1101 (T5's completion on 12-20 is after as-of)
        D("2024-09-30"),  # I5's progress report
        D("2024-04-02"),  # R3 (R6 answered after as-of)
        D("2024-01-31"),  # 1101's January counts, dated at the month's end
        D("2024-03-31"),  # 1101's check (its 12-31 check is after as-of)
    ]
    assert latest.loc["41"].tolist() == [
        D("2024-12-01"),
        D("2024-06-30"),
        D("2024-05-01"),
        D("2024-02-29"),
        D("2024-06-30"),
    ]
    assert latest.loc["_national", "tasks"] == D("2024-03-01")
    stale = stale_groups(
        latest=latest.reset_index(), as_of=AS_OF, stale_after_days=STALE_AFTER_DAYS
    )
    assert stale["plan_execution"] == {"41", "_national"}
    assert stale["on_time_rate"] == {"_national"}


def test_the_newest_facts_per_agency_and_within_a_province(tiny_connection):
    by_agency = latest_fact_dates(
        connection=tiny_connection, filters=FILTERS, group_by=GroupBy.AGENCY
    ).set_index("group_code")
    assert by_agency.loc["AG-A1", "plans"] == D("2024-06-30")
    assert by_agency.loc["GOV-41", "services"] == D("2024-02-29")
    assert by_agency["readiness"].isna().all()  # communes, not agencies, are checked
    tuv = latest_fact_dates(
        connection=tiny_connection,
        filters=Filters(
            scope=FULL_SCOPE,
            period_start=FILTERS.period_start,
            period_end=FILTERS.period_end,
            as_of=AS_OF,
            province_code="41",
        ),
        group_by=GroupBy.DISTRICT,
    )
    assert set(tuv["group_code"]) == {"41", "4101"}


def test_who_was_expected_to_report_for_a_quarter_on_both_backends(tiny_connection):
    agencies = reporting_inputs(
        connection=tiny_connection,
        period_start=Q3.start,
        period_end=Q3.end,
        as_of=AS_OF,
        filters=FILTERS,
    )
    table = reporting_table(agencies=agencies, period=Q3, as_of=AS_OF).set_index("agency_code")
    # I3, I4 and I5 are the UB governor's office's, due from Q3 on; I1 and I2 were due before.
    assert table.loc["GOV-11", "items_expected"] == 3
    assert table.loc["GOV-11", "first_report"] == D("2024-09-30")
    assert table.loc["GOV-11", "status"] == ReportingStatus.ON_TIME
    assert table.loc["AG-A1", "status"] == ReportingStatus.NOT_EXPECTED
    assert table.loc["AG-A1", "last_report"] == D("2024-06-30")
    assert table["last_import"].isna().all()
    q4 = reporting_periods(year=2024, as_of=AS_OF)[3]
    later = reporting_table(
        agencies=reporting_inputs(
            connection=tiny_connection,
            period_start=q4.start,
            period_end=q4.end,
            as_of=AS_OF,
            filters=FILTERS,
        ),
        period=q4,
        as_of=AS_OF,
    ).set_index("agency_code")
    assert later.loc["GOV-11", "status"] == ReportingStatus.PENDING
