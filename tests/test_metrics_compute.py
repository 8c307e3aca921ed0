"""Indicators from aggregated frames: tiny hand-made frames, every expectation worked by hand.

Groups: A has data everywhere; B has zeros everywhere (every denominator zero); C appears only in
tasks, plans and ratings; D and E only in satisfaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest

from metrics import compute
from metrics.definitions import Status

AS_OF = date(2024, 12, 31)
GREEN, YELLOW, RED, GREY = (status.value for status in Status)


def _frame(codes: list[str], **columns: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_code": codes,
            "name_mn": [f"{code} мн" for code in codes],
            "name_en": [f"{code} en" for code in codes],
            **columns,
        }
    )


def tasks_frame() -> pd.DataFrame:
    # A: 6 early, 3 on time, 1 late (10 completed); 1 overdue, 4 due soon, 15 on track (20 open).
    # C: 5 completed and 3 open, both under the minimum sample of 10.
    return _frame(
        ["A", "B", "C"],
        early=[6, 0, 2],
        on_time=[3, 0, 2],
        late=[1, 0, 1],
        overdue=[1, 0, 3],
        due_soon=[4, 0, 0],
        on_track=[15, 0, 0],
        overdue_1_7=[1, 0, 1],
        overdue_8_30=[0, 0, 0],
        overdue_31_90=[0, 0, 1],
        overdue_90_plus=[0, 0, 1],
    )


def plans_frame() -> pd.DataFrame:
    # A: weights 1, 1, 1, 2 at 100, 100, 50, 80 % → 410 / 5 = 82 %. C: one item at 90 %.
    return _frame(
        ["A", "B", "C"],
        items_due=[4, 0, 1],
        items_not_due=[1, 2, 0],
        weight_due=[5.0, 0.0, 1.0],
        weighted_progress=[410.0, 0.0, 90.0],
    )


def ratings_frame() -> pd.DataFrame:
    # A: scores 90 and 100. B: one score of 99. C: no ratings.
    return _frame(
        ["A", "B", "C"], ratings=[2, 1, 0], score_sum=[190, 99, 0], score_sq_sum=[18_100, 9_801, 0]
    )


def satisfaction_frame() -> pd.DataFrame:
    # A: 40 of 100. D: 18 of 20 (too few). E: none.
    return _frame(["A", "D", "E"], responses=[100.0, 20.0, 0.0], satisfied=[40.0, 18.0, 0.0])


def services_frame() -> pd.DataFrame:
    return _frame(
        ["A", "B"],
        applications=[200, 0],
        online_applications=[170, 0],
        online_results=[50, 0],
        resolved_early=[10, 0],
        resolved_on_time=[80, 0],
        resolved_late=[10, 0],
    )


def readiness_frame() -> pd.DataFrame:
    return _frame(["A", "B"], communes_checked=[10, 0], communes_green=[6, 0])


def _row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.set_index("group_code").loc[code]


@pytest.mark.parametrize(
    ("column", "a", "b", "c"),
    [
        ("completed", 10, 0, 5),
        ("open", 20, 0, 3),
        ("total", 30, 0, 8),
        ("on_time_rate", 90.0, math.nan, 80.0),
        ("overdue_share", 5.0, math.nan, 100.0),
        ("early_share", 60.0, math.nan, 40.0),
        ("on_time_share", 30.0, math.nan, 40.0),
        ("late_share", 10.0, math.nan, 20.0),
        ("on_time_rate_sample", 10, 0, 5),
        ("overdue_share_sample", 20, 0, 3),
        ("on_time_rate_status", YELLOW, GREY, GREY),
        ("overdue_share_status", GREEN, GREY, GREY),
    ],
)
def test_task_timeliness(column: str, a: object, b: object, c: object):
    frame = compute.task_timeliness(tasks=tasks_frame())
    assert frame[column].tolist() == pytest.approx([a, b, c], nan_ok=True)


def test_task_timeliness_keeps_inputs_and_returns_a_new_frame():
    tasks = tasks_frame()
    frame = compute.task_timeliness(tasks=tasks)
    assert list(frame.columns[:3]) == ["group_code", "name_mn", "name_en"]
    assert frame["overdue_90_plus"].tolist() == [0, 0, 1]
    assert frame["completed"].dtype == "int64"
    assert list(tasks.columns) == list(tasks_frame().columns)


def test_ministry_example_of_the_design():
    """DESIGN §1: 76,329 documents, 24,597 early, 51,495 on time, 237 late."""
    tasks = _frame(
        ["M"],
        early=[24_597],
        on_time=[51_495],
        late=[237],
        overdue=[0],
        due_soon=[0],
        on_track=[0],
        overdue_1_7=[0],
        overdue_8_30=[0],
        overdue_31_90=[0],
        overdue_90_plus=[0],
    )
    row = compute.task_timeliness(tasks=tasks).iloc[0]
    assert row["completed"] == 76_329
    assert row["on_time_rate"] == pytest.approx(76_092 / 76_329 * 100)
    assert row["on_time_rate"] == pytest.approx(99.6895, abs=1e-4)
    assert row["on_time_rate_status"] == GREEN
    assert math.isnan(row["overdue_share"])
    assert row["overdue_share_status"] == GREY


@pytest.mark.parametrize(
    ("code", "value", "status"),
    [("A", 82.0, YELLOW), ("B", math.nan, GREY), ("C", 90.0, GREEN)],
)
def test_plan_execution(code: str, value: float, status: str):
    row = _row(compute.plan_execution(plans=plans_frame()), code)
    assert row["plan_execution"] == pytest.approx(value, nan_ok=True)
    assert row["plan_execution_status"] == status


def test_self_rating():
    frame = compute.self_rating(ratings=ratings_frame())
    a, b, c = (_row(frame, code) for code in "ABC")
    # 95 ± t(0.975, 1)·√50/√2 = 95 ± 63.53, kept within the 0–100 score range.
    assert (a["self_rating"], a["self_rating_sd"]) == pytest.approx((95, math.sqrt(50)))
    assert a["self_rating_low"] == pytest.approx(31.469, abs=1e-3)
    assert a["self_rating_high"] == 100
    assert b["self_rating"] == 99
    assert math.isnan(b["self_rating_sd"])
    assert math.isnan(b["self_rating_low"])
    assert math.isnan(c["self_rating"])
    assert frame["self_rating_sample"].tolist() == [2, 1, 0]


@pytest.mark.parametrize(
    ("code", "value", "low", "high", "status"),
    [
        ("A", 40.0, 30.94, 49.80, RED),
        ("D", 90.0, 69.90, 97.21, GREY),
        ("E", math.nan, math.nan, math.nan, GREY),
    ],
)
def test_satisfaction(code: str, value: float, low: float, high: float, status: str):
    row = _row(compute.satisfaction(satisfaction=satisfaction_frame()), code)
    assert row["satisfaction"] == pytest.approx(value, nan_ok=True)
    assert (row["satisfaction_low"], row["satisfaction_high"]) == pytest.approx(
        (low, high), abs=0.01, nan_ok=True
    )
    assert row["satisfaction_status"] == status


def test_satisfaction_with_weighted_responses():
    frame = _frame(["W"], responses=[40.5], satisfied=[20.25])
    row = compute.satisfaction(satisfaction=frame).iloc[0]
    assert row["satisfaction"] == 50.0
    assert (row["satisfaction_low"], row["satisfaction_high"]) == pytest.approx(
        (35.28, 64.72), abs=0.01
    )
    assert row["satisfaction_sample"] == 40.5
    assert row["satisfaction_status"] == YELLOW


def test_satisfaction_gap():
    frame = compute.satisfaction_gap(ratings=ratings_frame(), satisfaction=satisfaction_frame())
    assert sorted(frame["group_code"]) == ["A", "B", "C", "D", "E"]
    a = _row(frame, "A")
    # Gap 95 − 40 = 55; SE = √(50/2 + 10⁴·0.24/100) = √49 = 7; z = (55 − 35)/7.
    assert a["gap"] == pytest.approx(55)
    assert (a["gap_low"], a["gap_high"]) == pytest.approx((55 - 1.959964 * 7, 55 + 1.959964 * 7))
    assert a["gap_p_value"] == pytest.approx(0.002137, abs=1e-6)
    assert bool(a["gap_significantly_above_norm"]) is True
    assert a["gap_sample"] == 2
    assert a["gap_status"] == RED
    for code in "BCDE":
        row = _row(frame, code)
        assert math.isnan(row["gap"])
        assert row["gap_status"] == GREY
        assert row["gap_significantly_above_norm"] is pd.NA
    assert _row(frame, "D")["name_en"] == "D en"
    assert _row(frame, "B")["name_mn"] == "B мн"


def test_gap_with_both_sides_but_one_rating_has_a_status_but_no_test():
    ratings = _frame(["A"], ratings=[1], score_sum=[98], score_sq_sum=[9_604])
    satisfaction = _frame(["A"], responses=[10.0], satisfied=[4.0])
    row = compute.satisfaction_gap(ratings=ratings, satisfaction=satisfaction).iloc[0]
    assert row["gap"] == pytest.approx(58)
    assert row["gap_status"] == RED  # both sides present is the gap's only minimum
    assert row["gap_significantly_above_norm"] is pd.NA
    assert math.isnan(row["gap_p_value"])


@pytest.mark.parametrize(
    ("column", "a", "b"),
    [
        ("online_share", 85.0, math.nan),
        ("online_results_share", 25.0, math.nan),
        ("resolved_on_time_rate", 90.0, math.nan),
        ("online_share_status", GREEN, GREY),
        ("online_share_sample", 200, 0),
    ],
)
def test_online_services(column: str, a: object, b: object):
    frame = compute.online_services(services=services_frame())
    assert frame[column].tolist() == pytest.approx([a, b], nan_ok=True)


def test_commune_coverage():
    frame = compute.commune_coverage(readiness=readiness_frame())
    assert frame["commune_coverage"].tolist() == pytest.approx([60.0, math.nan], nan_ok=True)
    assert frame["commune_coverage_status"].tolist() == [YELLOW, GREY]


ZERO_CASES: list[tuple[Callable[[], pd.DataFrame], str]] = [
    (lambda: compute.task_timeliness(tasks=tasks_frame()), "on_time_rate"),
    (lambda: compute.task_timeliness(tasks=tasks_frame()), "overdue_share"),
    (lambda: compute.plan_execution(plans=plans_frame()), "plan_execution"),
    (lambda: compute.online_services(services=services_frame()), "online_share"),
    (lambda: compute.commune_coverage(readiness=readiness_frame()), "commune_coverage"),
    (
        lambda: compute.satisfaction(satisfaction=_frame(["B"], responses=[0.0], satisfied=[0.0])),
        "satisfaction",
    ),
    (
        lambda: compute.satisfaction_gap(
            ratings=_frame(["B"], ratings=[0], score_sum=[0], score_sq_sum=[0]),
            satisfaction=_frame(["B"], responses=[0.0], satisfied=[0.0]),
        ),
        "gap",
    ),
]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("build", "metric_key"), ZERO_CASES)
def test_zero_denominator_is_nan_and_grey(build: Callable[[], pd.DataFrame], metric_key: str):
    row = _row(build(), "B")
    assert math.isnan(row[metric_key])
    assert row[f"{metric_key}_status"] == GREY


def test_plan_items_with_zero_weight_are_nan():
    plans = _frame(
        ["Z"], items_due=[2], items_not_due=[0], weight_due=[0.0], weighted_progress=[0.0]
    )
    row = compute.plan_execution(plans=plans).iloc[0]
    assert math.isnan(row["plan_execution"])
    assert row["plan_execution_status"] == GREY


def test_empty_frames_give_empty_results():
    empty = tasks_frame().iloc[:0].astype(object)
    frame = compute.scorecard(as_of=AS_OF, tasks=empty)
    assert frame.empty
    assert {"on_time_rate", "overall_status", "red_count"} <= set(frame.columns)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="weight_due"):
        compute.plan_execution(plans=plans_frame().drop(columns=["weight_due"]))


def _full_scorecard() -> pd.DataFrame:
    return compute.scorecard(
        as_of=AS_OF,
        tasks=tasks_frame(),
        plans=plans_frame(),
        ratings=ratings_frame(),
        satisfaction=satisfaction_frame(),
        services=services_frame(),
        readiness=readiness_frame(),
    )


@pytest.mark.parametrize(
    ("code", "overall", "counts"),
    [
        # A: plan yellow, on-time yellow, overdue green, satisfaction red, gap red,
        # online green, communes yellow.
        ("A", RED, (2, 3, 2, 0)),
        ("B", GREY, (0, 0, 0, 7)),
        # C: plan green; its task samples are too small and it has no other data.
        ("C", GREEN, (0, 0, 1, 6)),
        ("D", GREY, (0, 0, 0, 7)),
    ],
)
def test_scorecard_overall_status_and_counts(code: str, overall: str, counts: tuple):
    row = _row(_full_scorecard(), code)
    assert row["overall_status"] == overall
    assert (row["red_count"], row["yellow_count"], row["green_count"], row["grey_count"]) == counts
    assert row["as_of"] == AS_OF


def test_scorecard_has_every_indicator_and_fills_missing_groups_grey():
    frame = _full_scorecard()
    assert sorted(frame["group_code"]) == list("ABCDE")
    for key in (
        "plan_execution",
        "on_time_rate",
        "overdue_share",
        "satisfaction",
        "gap",
        "online_share",
        "commune_coverage",
    ):
        assert f"{key}_status" in frame.columns
        assert f"{key}_sample" in frame.columns
        assert frame[f"{key}_status"].notna().all()
    assert "self_rating" in frame.columns
    assert _row(frame, "C")["online_share_status"] == GREY


@pytest.mark.parametrize(
    ("inputs", "status_columns"),
    [
        ({"tasks": tasks_frame()}, 2),
        ({"ratings": ratings_frame()}, 0),
        ({"satisfaction": satisfaction_frame()}, 1),
        ({"ratings": ratings_frame(), "satisfaction": satisfaction_frame()}, 2),
    ],
)
def test_scorecard_counts_only_present_indicators(inputs: dict, status_columns: int):
    frame = compute.scorecard(as_of=AS_OF, **inputs)
    counts = frame[["red_count", "yellow_count", "green_count", "grey_count"]].sum(axis=1)
    assert (counts == status_columns).all()


def test_scorecard_needs_an_input():
    with pytest.raises(ValueError, match="at least one"):
        compute.scorecard(as_of=AS_OF)


def test_rollup_counts_children():
    children = pd.DataFrame(
        {
            "group_code": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "overall_status": [RED, GREEN, None, GREY, YELLOW, RED],
        }
    )
    parent_of = {"c1": "P", "c2": "P", "c3": "P", "c4": "Q", "c5": "R"}  # c6 has no parent
    frame = compute.rollup(children=children, parent_of=parent_of, status_column="overall_status")
    assert frame.to_dict("records") == [
        {
            "group_code": "P",
            "children": 3,
            "red_children": 1,
            "yellow_children": 0,
            "green_children": 1,
            "grey_children": 1,
            "worst_child_status": RED,
        },
        {
            "group_code": "Q",
            "children": 1,
            "red_children": 0,
            "yellow_children": 0,
            "green_children": 0,
            "grey_children": 1,
            "worst_child_status": GREY,
        },
        {
            "group_code": "R",
            "children": 1,
            "red_children": 0,
            "yellow_children": 1,
            "green_children": 0,
            "grey_children": 0,
            "worst_child_status": YELLOW,
        },
    ]


def test_rollup_of_a_scorecard_column():
    frame = compute.rollup(
        children=_full_scorecard(),
        parent_of=dict.fromkeys("ABCDE", "ALL"),
        status_column="on_time_rate_status",
    )
    row = frame.iloc[0]
    assert (row["children"], row["yellow_children"], row["grey_children"]) == (5, 1, 4)
    assert row["worst_child_status"] == YELLOW


def _summary() -> dict:
    return compute.national_summary(
        as_of=AS_OF,
        tasks=tasks_frame(),
        plans=plans_frame(),
        ratings=ratings_frame(),
        satisfaction=satisfaction_frame(),
    )


def test_national_summary_layout():
    summary = _summary()
    json.dumps(summary, allow_nan=False, ensure_ascii=False)  # JSON-ready, no NaN
    assert list(summary) == ["as_of", "confidence_level", "gap_norm_points", "groups"]
    assert summary["as_of"] == "2024-12-31"
    assert [group["group_code"] for group in summary["groups"]] == list("ABCDE")
    group = summary["groups"][0]
    assert list(group) == [
        "group_code",
        "name_mn",
        "name_en",
        "overall_status",
        "status_counts",
        "indicators",
        "tasks",
    ]
    assert list(group["indicators"]) == [
        "plan_execution",
        "on_time_rate",
        "overdue_share",
        "self_rating",
        "satisfaction",
        "gap",
    ]
    for key, entry in group["indicators"].items():
        extra = ["p_value", "significantly_above_norm"] if key == "gap" else []
        assert list(entry) == ["value", "status", "sample", "low", "high", *extra]
    assert list(group["tasks"]) == [
        "early",
        "on_time",
        "late",
        "overdue",
        "due_soon",
        "on_track",
        "completed",
        "open",
        "early_share",
        "on_time_share",
        "late_share",
        "overdue_ageing",
    ]
    assert list(group["tasks"]["overdue_ageing"]) == ["1-7", "8-30", "31-90", "90+"]


def test_national_summary_values():
    groups = {group["group_code"]: group for group in _summary()["groups"]}
    a = groups["A"]
    assert a["name_en"] == "A en"
    # A: plan yellow, on-time yellow, overdue green, satisfaction red, gap red.
    assert a["overall_status"] == RED
    assert a["status_counts"] == {RED: 2, YELLOW: 2, GREEN: 1, GREY: 0}
    assert a["indicators"]["plan_execution"] == {
        "value": 82.0,
        "status": YELLOW,
        "sample": 4,
        "low": None,
        "high": None,
    }
    assert a["indicators"]["overdue_share"]["value"] == 5.0
    assert a["indicators"]["satisfaction"] == {
        "value": 40.0,
        "status": RED,
        "sample": 100,
        "low": 30.94,
        "high": 49.8,
    }
    assert a["indicators"]["self_rating"]["status"] is None
    assert a["indicators"]["gap"]["value"] == 55.0
    assert a["indicators"]["gap"]["p_value"] == pytest.approx(0.002137, abs=1e-6)
    assert a["indicators"]["gap"]["significantly_above_norm"] is True
    assert a["tasks"] == {
        "early": 6,
        "on_time": 3,
        "late": 1,
        "overdue": 1,
        "due_soon": 4,
        "on_track": 15,
        "completed": 10,
        "open": 20,
        "early_share": 60.0,
        "on_time_share": 30.0,
        "late_share": 10.0,
        "overdue_ageing": {"1-7": 1, "8-30": 0, "31-90": 0, "90+": 0},
    }
    # D has only survey data: no task counts, grey everywhere.
    d = groups["D"]
    assert d["tasks"]["completed"] is None
    assert d["tasks"]["overdue_ageing"]["90+"] is None
    assert d["indicators"]["satisfaction"]["value"] == 90.0
    assert d["indicators"]["satisfaction"]["status"] == GREY
    assert d["indicators"]["gap"]["significantly_above_norm"] is None
    assert d["overall_status"] == GREY
