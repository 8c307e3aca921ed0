"""data_access queries on the tiny hand-made dataset; every expectation counted by hand.

As of 2024-12-15, period 2024. Tasks: T1 early, T2 on time, T3 late, T4 overdue 1 day, T5 due
today and completed after as_of (due soon), T6 due in exactly 7 days (due soon), T7 on track,
T8 overdue 167 days, T9 overdue 61 days, T10 overdue 30 days, T14 early; T11 cancelled, T12
issued before the period, T13 issued after as_of: not counted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from data_access import queries
from data_access.filters import GroupBy
from data_access.scope import FULL_SCOPE
from metrics.definitions import DUE_SOON_DAYS, OVERDUE_AGEING_BUCKETS, SATISFIED_MIN_SCORE

TASK_COLUMNS = [
    "early", "on_time", "late", "overdue", "due_soon", "on_track",
    "overdue_1_7", "overdue_8_30", "overdue_31_90", "overdue_90_plus",
]  # fmt: skip


def _rows(frame: pd.DataFrame, columns: list[str]) -> dict[str, tuple]:
    return {
        row.group_code: tuple(float(getattr(row, column)) for column in columns)
        for row in frame.itertuples()
    }


def _task_counts(connection, filters, group_by):
    return queries.task_counts(
        connection=connection,
        filters=filters,
        group_by=group_by,
        due_soon_days=DUE_SOON_DAYS,
        ageing_buckets=OVERDUE_AGEING_BUCKETS,
    )


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        (GroupBy.NONE, {"all": (2, 1, 1, 4, 2, 1, 1, 1, 1, 1)}),
        (
            GroupBy.PROVINCE,
            {
                "_national": (1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                "11": (1, 0, 1, 2, 1, 0, 1, 1, 0, 0),
                "41": (0, 1, 0, 2, 1, 1, 0, 0, 1, 1),
            },
        ),
        (
            GroupBy.DISTRICT,
            {
                "_national": (1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                "11": (0, 0, 0, 1, 1, 0, 0, 1, 0, 0),
                "1101": (1, 0, 1, 1, 0, 0, 1, 0, 0, 0),
                "41": (0, 1, 0, 2, 0, 0, 0, 0, 1, 1),
                "4101": (0, 0, 0, 0, 1, 1, 0, 0, 0, 0),
            },
        ),
        (
            GroupBy.AGENCY,
            {
                "AG-A1": (1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                "GOV-11": (1, 0, 1, 2, 1, 0, 1, 1, 0, 0),
                "GOV-41": (0, 0, 0, 2, 1, 1, 0, 0, 1, 1),
            },
        ),
        (
            GroupBy.MINISTRY,
            {"CAB": (1, 0, 1, 4, 2, 1, 1, 1, 1, 1), "MIN-A": (1, 1, 0, 0, 0, 0, 0, 0, 0, 0)},
        ),
        (
            GroupBy.PLAN_KIND,
            {
                "_none": (1, 1, 1, 4, 2, 1, 1, 1, 1, 1),
                "action_plan": (1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            },
        ),
        (
            GroupBy.PLAN,
            {"_none": (1, 1, 1, 4, 2, 1, 1, 1, 1, 1), "P-ACT": (1, 0, 0, 0, 0, 0, 0, 0, 0, 0)},
        ),
        (
            GroupBy.TASK_GROUP,
            {
                "_none": (0, 0, 0, 1, 0, 0, 0, 1, 0, 0),
                "economy": (1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                "infrastructure": (0, 0, 0, 2, 0, 0, 0, 0, 1, 1),
                "social": (1, 0, 1, 1, 2, 1, 1, 0, 0, 0),
            },
        ),
    ],
)
def test_task_counts_by_every_grouping(tiny_connection, tiny_filters, group_by, expected):
    frame = _task_counts(tiny_connection, tiny_filters, group_by)
    assert _rows(frame, TASK_COLUMNS) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # T5 due 2024-12-15 completed 2024-12-20: due today is due soon, not overdue.
        (date(2024, 12, 15), (2, 1, 1, 4, 2, 1)),
        # A day later T5 is overdue; T13 (issued 12-16) now exists and is due soon.
        (date(2024, 12, 16), (2, 1, 1, 5, 3, 0)),
        # On 12-20 T5's completion counts (late) and T13, due 12-17, is overdue.
        (date(2024, 12, 20), (2, 1, 2, 5, 2, 0)),
    ],
)
def test_task_counts_follow_the_as_of_date(tiny_connection, tiny_filters, as_of, expected):
    filters = replace(tiny_filters, as_of=as_of)
    frame = _task_counts(tiny_connection, filters, GroupBy.NONE)
    assert _rows(frame, TASK_COLUMNS[:6]) == {"all": expected}


@pytest.mark.parametrize(
    ("scope", "expected_groups"),
    [
        ({"province_code": "41"}, {"41"}),
        ({"province_code": "11"}, {"11"}),
        ({"ministry_code": "MIN-A"}, {"_national", "41"}),
        ({"agency_code": "GOV-11"}, {"11"}),
        ({"province_code": "41", "agency_code": "AG-A1"}, {"41"}),
        ({"province_code": "99"}, set()),
    ],
)
def test_scope_filters_restrict_rows(tiny_connection, tiny_filters, scope, expected_groups):
    frame = _task_counts(tiny_connection, replace(tiny_filters, **scope), GroupBy.PROVINCE)
    assert set(frame["group_code"]) == expected_groups


PLAN_COLUMNS = ["items_due", "items_not_due", "weight_due", "weighted_progress"]


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        # I1 w2 p60 (latest verified by as_of), I2 w1 p50, I3 w1 p0 (no report); I5 not due.
        (GroupBy.NONE, {"all": (3, 1, 4, 170)}),
        (
            GroupBy.PROVINCE,
            {"_national": (1, 0, 2, 120), "11": (1, 1, 1, 0), "41": (1, 0, 1, 50)},
        ),
        (GroupBy.PLAN_KIND, {"action_plan": (1, 1, 1, 0), "policy": (2, 0, 3, 170)}),
        (GroupBy.PLAN, {"P-ACT": (1, 1, 1, 0), "P-POL": (2, 0, 3, 170)}),
        (GroupBy.AGENCY, {"AG-A1": (2, 0, 3, 170), "GOV-11": (1, 1, 1, 0)}),
        (GroupBy.MINISTRY, {"CAB": (1, 1, 1, 0), "MIN-A": (2, 0, 3, 170)}),
        (GroupBy.TASK_GROUP, {"economy": (2, 0, 3, 170), "social": (1, 1, 1, 0)}),
    ],
)
def test_plan_progress_by_grouping(tiny_connection, tiny_filters, group_by, expected):
    frame = queries.plan_progress(
        connection=tiny_connection, filters=tiny_filters, group_by=group_by
    )
    assert _rows(frame, PLAN_COLUMNS) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # Before I1's 2024-04-10 report the latest verified is 25 (2024-02-15), beating 80.
        (date(2024, 4, 1), (1, 3, 2, 50)),
        (date(2024, 12, 15), (3, 1, 4, 170)),
        (date(2024, 12, 31), (4, 0, 5, 210)),
    ],
)
def test_plan_progress_takes_latest_verified_report(tiny_connection, tiny_filters, as_of, expected):
    frame = queries.plan_progress(
        connection=tiny_connection,
        filters=replace(tiny_filters, as_of=as_of),
        group_by=GroupBy.NONE,
    )
    assert _rows(frame, PLAN_COLUMNS) == {"all": expected}


def test_plan_items_behind_lists_least_progress_first(tiny_connection, tiny_filters):
    frame = queries.plan_items_behind(connection=tiny_connection, filters=tiny_filters, limit=10)
    assert list(frame["code"]) == ["I3", "I2", "I1"]
    assert list(frame["progress"]) == [0, 50, 60]
    assert list(frame["verified"]) == [False, False, True]


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        (GroupBy.NONE, {"all": (3, 270, 24500)}),
        (
            GroupBy.PROVINCE,
            {"_national": (1, 90, 8100), "11": (1, 100, 10000), "41": (1, 80, 6400)},
        ),
        (GroupBy.MINISTRY, {"CAB": (2, 180, 16400), "MIN-A": (1, 90, 8100)}),
    ],
)
def test_rating_stats(tiny_connection, tiny_filters, group_by, expected):
    frame = queries.rating_stats(
        connection=tiny_connection, filters=tiny_filters, group_by=group_by
    )
    assert _rows(frame, ["ratings", "score_sum", "score_sq_sum"]) == expected


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        # R1, R2, R5 satisfied of R1–R5; published 2024: 100 respondents × 0.3.
        (GroupBy.NONE, {"all": (105, 33, 5)}),
        (GroupBy.PROVINCE, {"_national": (1, 1, 1), "11": (103, 32, 3), "41": (1, 0, 1)}),
        (
            GroupBy.AGENCY,
            {"AG-A1": (101, 31, 1), "GOV-11": (3, 2, 3), "GOV-41": (1, 0, 1)},
        ),
    ],
)
def test_satisfaction_counts_combine_raw_and_published(
    tiny_connection, tiny_filters, group_by, expected
):
    frame = queries.satisfaction_counts(
        connection=tiny_connection,
        filters=tiny_filters,
        group_by=group_by,
        satisfied_min_score=SATISFIED_MIN_SCORE,
    )
    assert _rows(frame, ["responses", "satisfied", "raw_responses"]) == expected


def test_service_counts_by_province(tiny_connection, tiny_filters):
    frame = queries.service_counts(
        connection=tiny_connection, filters=tiny_filters, group_by=GroupBy.PROVINCE
    )
    assert _rows(frame, ["applications", "online_applications", "online_results"]) == {
        "11": (100, 40, 30),
        "41": (50, 10, 5),
    }


@pytest.mark.parametrize(
    ("as_of", "group_by", "expected"),
    [
        (date(2024, 12, 15), GroupBy.NONE, {"all": (2, 1)}),
        (date(2024, 12, 15), GroupBy.PROVINCE, {"11": (1, 1), "41": (1, 0)}),
        # The 2024-12-31 check of 1101 misses a criterion: no commune is green any more.
        (date(2024, 12, 31), GroupBy.NONE, {"all": (2, 0)}),
        (date(2024, 1, 1), GroupBy.NONE, {}),
    ],
)
def test_readiness_uses_latest_check(tiny_connection, tiny_filters, as_of, group_by, expected):
    frame = queries.readiness_counts(
        connection=tiny_connection, filters=replace(tiny_filters, as_of=as_of), group_by=group_by
    )
    assert _rows(frame, ["communes_checked", "communes_green"]) == expected


def test_readiness_refuses_agency_grouping(tiny_connection, tiny_filters):
    with pytest.raises(ValueError, match="agency"):
        queries.readiness_counts(
            connection=tiny_connection, filters=tiny_filters, group_by=GroupBy.AGENCY
        )


def test_group_names_follow_codes(tiny_connection, tiny_filters):
    frame = _task_counts(tiny_connection, tiny_filters, GroupBy.PROVINCE)
    names = dict(zip(frame["group_code"], frame["name_en"], strict=True))
    assert names == {"_national": "National (no province)", "11": "Ulaanbaatar", "41": "Tuv"}


def test_overdue_list_pages_longest_overdue_first(tiny_connection, tiny_filters):
    total = queries.overdue_task_total(connection=tiny_connection, filters=tiny_filters)
    first = queries.overdue_tasks(
        connection=tiny_connection, filters=tiny_filters, limit=3, offset=0
    )
    rest = queries.overdue_tasks(
        connection=tiny_connection, filters=tiny_filters, limit=3, offset=3
    )
    assert total == 4
    assert list(first["code"]) == ["T8", "T9", "T10"]
    assert list(first["days_overdue"]) == [167, 61, 30]
    assert list(rest["code"]) == ["T4"]


def test_monthly_completions_and_open_tasks(tiny_connection, tiny_filters):
    months = queries.monthly_task_completions(connection=tiny_connection, filters=tiny_filters)
    assert months.set_index("month")[["early", "on_time", "late"]].to_dict("index") == {
        "2024-01": {"early": 1, "on_time": 0, "late": 0},
        "2024-02": {"early": 0, "on_time": 1, "late": 0},
        "2024-03": {"early": 0, "on_time": 0, "late": 1},
        "2024-05": {"early": 1, "on_time": 0, "late": 0},
    }
    moments = [date(2024, 7, 31), date(2024, 12, 15)]
    open_tasks = queries.open_tasks_at_dates(
        connection=tiny_connection, filters=tiny_filters, dates=moments
    )
    # 2024-07-31: only T8 is open, and overdue. 2024-12-15: T4–T10 are open (T5 is completed
    # later), T4, T8, T9 and T10 overdue.
    assert list(open_tasks["open"]) == [1, 7]
    assert list(open_tasks["overdue"]) == [1, 4]


def test_reference_lookups(tiny_connection):
    provinces = queries.provinces(connection=tiny_connection, scope=FULL_SCOPE)
    assert list(provinces["code"]) == ["11", "41"]
    assert list(
        queries.units_under(connection=tiny_connection, parent_code="41", scope=FULL_SCOPE)["code"]
    ) == ["4101"]
    assert len(queries.agencies(connection=tiny_connection, scope=FULL_SCOPE)) == 5
    assert queries.task_date_range(connection=tiny_connection, scope=FULL_SCOPE) == (
        date(2023, 12, 31),
        date(2024, 12, 16),
    )
