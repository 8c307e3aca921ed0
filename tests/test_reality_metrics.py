"""metrics.reality, metrics.inflation and metrics.outlook on hand-made frames; every expectation
worked by hand in the comment beside it."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from scipy import stats as scipy_stats

from metrics import inflation, outlook, reality
from metrics.definitions import (
    CONFIDENCE_LEVEL,
    PAPER_GREEN_RULE,
    RATING_BAND_EDGES,
    SATISFIED_MIN_SCORE,
    SURVEY_SCORES,
    PaperGreenRule,
)

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"


def _frame(codes: list[str], **columns: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_code": codes,
            "name_mn": [f"{code} мн" for code in codes],
            "name_en": [f"{code} en" for code in codes],
            **columns,
        }
    )


# --- the reality check --------------------------------------------------------------------------


def _scorecard() -> pd.DataFrame:
    """Process columns then outcome columns, one unit per rule case."""
    rows = {
        # code: plan, on time, overdue (statuses); satisfaction, gap, online, coverage (values)
        "PAPER": (GREEN, GREEN, GREEN, 40.0, 60.0, 30.0, 50.0),
        "NO-OVERDUE-DATA": (GREEN, GREEN, GREY, 40.0, 60.0, None, None),
        "PARTLY": (GREEN, GREEN, GREEN, 40.0, 60.0, 90.0, 95.0),
        "TRUE": (GREEN, GREEN, GREEN, 80.0, 20.0, 90.0, 95.0),
        "NO-PLAN-DATA": (GREY, GREEN, GREEN, 40.0, 60.0, 30.0, 50.0),
        "YELLOW-OVERDUE": (GREEN, GREEN, YELLOW, 40.0, 60.0, 30.0, 50.0),
        "_national": (GREEN, GREEN, GREEN, 40.0, 60.0, 30.0, 50.0),
    }
    codes = list(rows)
    values = list(zip(*rows.values(), strict=True))
    outcome_status = {
        "satisfaction": lambda v: RED if v < 50 else (YELLOW if v < 70 else GREEN),
        "gap": lambda v: RED if v > 45 else (YELLOW if v > 35 else GREEN),
        "online_share": lambda v: RED if v < 50 else (YELLOW if v < 80 else GREEN),
        "commune_coverage": lambda v: RED if v < 60 else (YELLOW if v < 90 else GREEN),
    }
    columns: dict[str, list] = {
        "plan_execution_status": list(values[0]),
        "on_time_rate_status": list(values[1]),
        "overdue_share_status": list(values[2]),
    }
    for position, (key, status) in enumerate(outcome_status.items(), start=3):
        column = list(values[position])
        columns[key] = [math.nan if value is None else value for value in column]
        columns[f"{key}_status"] = [GREY if value is None else status(value) for value in column]
    return _frame(codes, **columns)


def test_reality_check_applies_the_rule_case_by_case():
    checked = reality.reality_check(scorecard=_scorecard(), rule=PAPER_GREEN_RULE)
    listed = {
        row.group_code: (bool(row.paper_green), row.red_outcomes) for row in checked.itertuples()
    }
    # PAPER: four reds of four. NO-OVERDUE-DATA: grey overdue cannot contradict; two reds of the
    # two outcomes with data. PARTLY: two of four, so only to watch. TRUE has no red outcome;
    # NO-PLAN-DATA's process is not shown green; YELLOW-OVERDUE's process is not all green;
    # _national is not a unit.
    assert listed == {"PAPER": (True, 4), "NO-OVERDUE-DATA": (True, 2), "PARTLY": (False, 2)}


def test_mismatch_adds_the_points_each_red_outcome_falls_short_of_green():
    checked = reality.reality_check(scorecard=_scorecard(), rule=PAPER_GREEN_RULE)
    paper = checked.set_index("group_code").loc["PAPER"]
    # (70 − 40) + (60 − 35) + (80 − 30) + (90 − 50) = 30 + 25 + 50 + 40.
    assert paper["satisfaction_shortfall"] == pytest.approx(30)
    assert paper["gap_shortfall"] == pytest.approx(25)
    assert paper["online_share_shortfall"] == pytest.approx(50)
    assert paper["commune_coverage_shortfall"] == pytest.approx(40)
    assert paper["mismatch"] == pytest.approx(145)
    partly = checked.set_index("group_code").loc["PARTLY"]
    assert partly["mismatch"] == pytest.approx(55)  # green outcomes add nothing
    assert list(checked["group_code"]) == ["PAPER", "NO-OVERDUE-DATA", "PARTLY"]


def test_a_looser_rule_makes_partly_red_units_paper_green():
    rule = PaperGreenRule(
        process_required=PAPER_GREEN_RULE.process_required,
        process_optional=PAPER_GREEN_RULE.process_optional,
        outcomes=PAPER_GREEN_RULE.outcomes,
        min_red_outcomes=2,
        min_red_share=50.0,
    )
    checked = reality.reality_check(scorecard=_scorecard(), rule=rule)
    assert checked["paper_green"].all()


def test_reality_check_units_put_provinces_and_agencies_in_one_ranking():
    card = _scorecard()
    # Agencies have no communes: their coverage columns are missing, and read as grey.
    agencies = (
        card[card["group_code"] != "_national"]
        .drop(columns=["commune_coverage", "commune_coverage_status"])
        .assign(group_code=lambda frame: "AG-" + frame["group_code"])
    )
    units = reality.reality_check_units(provinces=card, agencies=agencies, rule=PAPER_GREEN_RULE)
    assert units.iloc[0][["group_code", "kind"]].tolist() == ["PAPER", "province"]
    agency = units.set_index("group_code").loc["AG-PAPER"]
    assert agency["commune_coverage_status"] == GREY
    assert (agency["red_outcomes"], agency["outcomes_with_data"]) == (3, 3)
    # PAPER and NO-OVERDUE-DATA on both sides; AG-PARTLY has 2 red of 3 (online is green).
    assert reality.paper_green_counts(units=units) == {"province": 2, "agency": 2, "total": 4}


def test_reality_check_of_nothing_is_empty():
    empty = _scorecard().iloc[0:0]
    units = reality.reality_check_units(provinces=empty, agencies=empty, rule=PAPER_GREEN_RULE)
    assert units.empty
    assert reality.paper_green_counts(units=units) == {"province": 0, "agency": 0, "total": 0}


# --- digital services ---------------------------------------------------------------------------


def test_monthly_service_shares():
    monthly = pd.DataFrame(
        {
            "month": ["2024-01", "2024-02"],
            "applications": [200, 0],
            "online_applications": [50, 0],
            "online_results": [20, 0],
            "resolved_early": [30, 0],
            "resolved_on_time": [150, 0],
            "resolved_late": [20, 0],
        }
    )
    frame = reality.monthly_services(monthly=monthly)
    # 50 / 200, 20 / 200; 30, 150, 20 of 200 resolved. February had nothing: no share at all.
    assert frame.loc[0, ["online_share", "online_results_share"]].tolist() == [25.0, 10.0]
    shares = ["resolved_early_share", "resolved_on_time_share", "resolved_late_share"]
    assert frame.loc[0, shares].tolist() == [15.0, 75.0, 10.0]
    assert frame.loc[1, [*shares, "online_share"]].isna().all()


def _criteria_rows(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    columns = [
        "org_unit_code", "name_mn", "name_en", "province_code", "checked_on", "criterion", "met",
    ]  # fmt: skip
    return pd.DataFrame(
        [
            {
                "org_unit_code": unit,
                "name_mn": unit,
                "name_en": unit,
                "province_code": "10",
                "checked_on": date(2024, 6, 30),
                "criterion": criterion,
                "met": met,
            }
            for unit, criterion, met in rows
        ],
        columns=columns,
    )


def test_commune_matrix_with_an_uncovered_and_an_unknown_criterion():
    rows = _criteria_rows(
        [
            ("A", "devices", True),
            ("A", "software", True),
            ("B", "devices", False),
            ("B", "software", True),
            ("B", "water", False),  # a criterion the standard does not list: kept, at the end
        ]
    )
    matrix = reality.commune_matrix(criteria=rows, order=("software", "devices")).set_index(
        "org_unit_code"
    )
    assert [name for name in matrix.columns if name.startswith(reality.MET_PREFIX)] == [
        "met_software", "met_devices", "met_water",
    ]  # fmt: skip
    # A's latest check did not cover water: unknown, not a failure, so A is green.
    assert pd.isna(matrix.loc["A", "met_water"])
    assert (matrix.loc["A", "criteria_checked"], matrix.loc["A", "green"]) == (2, True)
    assert matrix.loc["B", "missing"] == ("devices", "water")
    assert (matrix.loc["B", "criteria_met"], matrix.loc["B", "green"]) == (1, False)


def test_commune_matrix_of_no_checks_is_empty():
    matrix = reality.commune_matrix(criteria=_criteria_rows([]).iloc[0:0], order=("devices",))
    assert matrix.empty
    assert "green" in matrix.columns


# --- self-rating inflation ------------------------------------------------------------------------


def _bands(ratings: list[float], citizens: list[float]) -> list[inflation.Band]:
    return [
        inflation.Band(
            first_score=score,
            last_score=score,
            rating_low=0.0,
            rating_high=0.0,
            ratings=rated,
            citizens=answered,
        )
        for score, rated, answered in zip(SURVEY_SCORES, ratings, citizens, strict=True)
    ]


def test_inflation_test_on_a_crafted_distribution():
    # Staff: all 20 in the top band. Citizens: 5 in each of the four lower bands.
    # Expected counts are 2.5 (bands 1-4) and 10 (band 5) on each side, so
    # χ² = 2 × [4 × (2.5² / 2.5) + 10² / 10] = 2 × (10 + 10) = 40 with (2 − 1)(5 − 1) = 4 df,
    # and for even df the tail is exact: P(χ²₄ > 40) = e^(−20) (1 + 20) = 21 e^(−20).
    test = inflation.compatibility_test(
        bands=_bands([0, 0, 0, 0, 20], [5, 5, 5, 5, 0]),
        confidence=0.95,
        min_ratings=10,
        min_responses=20,
    )
    assert test.statistic == pytest.approx(40.0)
    assert test.degrees_of_freedom == 4
    assert test.p_value == pytest.approx(21 * math.exp(-20))
    assert test.compatible is False


def test_inflation_test_on_matching_distributions():
    # The same shape on both sides (half in band 4, half in band 5): χ² = 0, p = 1. Empty bands
    # are dropped, so the table is 2 × 2 with one degree of freedom.
    test = inflation.compatibility_test(
        bands=_bands([0, 0, 0, 10, 10], [0, 0, 0, 20, 20]),
        confidence=0.95,
        min_ratings=10,
        min_responses=20,
    )
    assert (test.statistic, test.degrees_of_freedom, test.p_value) == (0.0, 1, 1.0)
    assert test.compatible is True


def test_inflation_test_when_everyone_is_in_one_band_or_too_few():
    one_band = inflation.compatibility_test(
        bands=_bands([0, 0, 0, 0, 12], [0, 0, 0, 0, 40]),
        confidence=0.95,
        min_ratings=10,
        min_responses=30,
    )
    assert (one_band.statistic, one_band.p_value, one_band.compatible) == (0.0, 1.0, True)
    too_few = inflation.compatibility_test(
        bands=_bands([0, 0, 0, 0, 9], [5, 5, 5, 5, 10]),
        confidence=0.95,
        min_ratings=10,
        min_responses=30,
    )
    assert too_few.compatible is None
    assert math.isnan(too_few.p_value)


def test_published_results_collapse_the_scale_to_two_bands():
    row = pd.Series(
        {
            **{f"band_{index}": count for index, count in enumerate([0, 1, 2, 3, 4], 1)},
            **{f"score_{score}": 1 for score in SURVEY_SCORES},
            "published_respondents": 50.0,
            "published_satisfied": 20.0,
        }
    )
    bands = inflation.bands_of(
        row=row,
        scores=SURVEY_SCORES,
        band_edges=RATING_BAND_EDGES,
        satisfied_min_score=SATISFIED_MIN_SCORE,
    )
    # Scores 1-3 ↔ ratings 0-60: 0 + 1 + 2 ratings, 3 raw + 30 published unsatisfied citizens.
    # Scores 4-5 ↔ ratings 60-100: 3 + 4 ratings, 2 raw + 20 published satisfied citizens.
    assert [
        (band.first_score, band.last_score, band.rating_low, band.rating_high) for band in bands
    ] == [(1, 3, 0.0, 60.0), (4, 5, 60.0, 100.0)]
    assert [(band.ratings, band.citizens) for band in bands] == [(3, 33), (7, 22)]


def test_rating_inflation_per_group():
    ratings = _frame(
        ["A", "B"],
        ratings=[4, 2],
        score_sum=[100 + 98 + 96 + 90, 50 + 70],
        score_sq_sum=[100**2 + 98**2 + 96**2 + 90**2, 50**2 + 70**2],
        near_ceiling=[3, 0],
        band_1=[0, 0],
        band_2=[0, 0],
        band_3=[0, 1],
        band_4=[0, 1],
        band_5=[4, 0],
    )
    citizens = _frame(
        ["A", "C"],
        score_1=[10, 0],
        score_2=[10, 0],
        score_3=[10, 0],
        score_4=[5, 3],
        score_5=[5, 3],
        published_respondents=[0.0, 0.0],
        published_satisfied=[0.0, 0.0],
    )
    frame = inflation.rating_inflation(
        ratings=ratings,
        citizens=citizens,
        scores=SURVEY_SCORES,
        band_edges=RATING_BAND_EDGES,
        satisfied_min_score=SATISFIED_MIN_SCORE,
        confidence=CONFIDENCE_LEVEL,
        min_ratings=4,
        min_responses=30,
    ).set_index("group_code")
    # A: mean 96, sample variance ((4² + 2² + 0² + 6²) / 3) = 56 / 3; 3 of 4 at the ceiling;
    # 10 of 40 citizens satisfied. Tested: 4 ratings and 40 responses.
    assert frame.loc["A", "self_rating"] == pytest.approx(96.0)
    assert frame.loc["A", "self_rating_sd"] == pytest.approx(math.sqrt(56 / 3))
    assert frame.loc["A", "near_ceiling_share"] == pytest.approx(75.0)
    assert frame.loc["A", "satisfaction"] == pytest.approx(25.0)
    table = [[0, 0, 0, 0, 4], [10, 10, 10, 5, 5]]
    expected = scipy_stats.chi2_contingency(table, correction=False)
    assert frame.loc["A", "chi_square"] == pytest.approx(expected.statistic)
    assert not frame.loc["A", "compatible"]
    # B has too few ratings, C has no ratings and too few responses: not tested.
    assert pd.isna(frame.loc["B", "compatible"]) and pd.isna(frame.loc["C", "compatible"])
    assert frame.loc["C", "name_en"] == "C en"
    assert list(frame.index) == ["A", "B", "C"]  # the tested first
    headline = inflation.inflation_headline(summary=frame.reset_index())
    assert headline == {
        "groups": 3,
        "tested": 1,
        "incompatible": 1,
        "median_near_ceiling_share": pytest.approx(37.5),
    }


def test_distribution_for_the_chart():
    ratings = _frame(["A"], band_1=[0], band_2=[0], band_3=[0], band_4=[1], band_5=[3])
    citizens = _frame(
        ["A"],
        score_1=[2],
        score_2=[2],
        score_3=[2],
        score_4=[2],
        score_5=[2],
        published_respondents=[0.0],
        published_satisfied=[0.0],
    )
    frame = inflation.distribution(
        ratings=ratings,
        citizens=citizens,
        group_code="A",
        scores=SURVEY_SCORES,
        band_edges=RATING_BAND_EDGES,
        satisfied_min_score=SATISFIED_MIN_SCORE,
    )
    top = frame[frame["first_score"] == 5].set_index("side")
    assert top.loc[inflation.RATINGS, "share"] == pytest.approx(75.0)
    assert top.loc[inflation.CITIZENS, "share"] == pytest.approx(20.0)
    assert (
        top.loc[inflation.RATINGS, "rating_low"],
        top.loc[inflation.RATINGS, "rating_high"],
    ) == (
        80.0,
        100.0,
    )
    assert inflation.distribution(
        ratings=ratings,
        citizens=citizens,
        group_code="nobody",
        scores=SURVEY_SCORES,
        band_edges=RATING_BAND_EDGES,
        satisfied_min_score=SATISFIED_MIN_SCORE,
    ).empty


# --- reported against verified --------------------------------------------------------------------


def test_verification_gap_flags_agencies_that_overstate():
    verification = _frame(
        ["OVER", "ONE", "HONEST"],
        checked_reports=[2, 1, 3],
        reported_sum=[170, 100, 240],
        verified_sum=[140, 80, 237],
        difference_sum=[30, 20, 3],
        difference_sq_sum=[20**2 + 10**2, 20**2, 1 + 1 + 1],
        overstated_reports=[2, 1, 0],
    )
    frame = inflation.verification_gap(
        verification=verification, overstatement_points=5.0, min_checks=2, confidence=0.95
    ).set_index("group_code")
    # OVER: reported 85, verified 70, mean difference 15, sd √((500 − 30²/2) / 1) = √50.
    over = frame.loc["OVER"]
    assert (over["reported_mean"], over["verified_mean"], over["overstatement"]) == (85, 70, 15)
    half_width = scipy_stats.t.ppf(0.975, 1) * math.sqrt(50) / math.sqrt(2)
    assert over["overstatement_low"] == pytest.approx(15 - half_width)
    assert over["overstated_share"] == 100.0
    assert bool(over["overstates"])
    # ONE overstates by 20 but on a single checked report; HONEST by 1 point.
    assert not frame.loc["ONE", "overstates"]
    assert math.isnan(frame.loc["ONE", "overstatement_low"])
    assert not frame.loc["HONEST", "overstates"]
    assert list(frame.index) == ["ONE", "OVER", "HONEST"]


# --- year-end outlook ---------------------------------------------------------------------------


def test_projection_on_a_linear_series():
    # 40 % on day 0 rising 0.1 point a day: on day 300 the line says 70 %, with no spread.
    days = [0.0, 30.0, 60.0, 90.0, 120.0]
    projection = outlook.linear_projection(
        days=days,
        values=[40 + 0.1 * day for day in days],
        weights=[1.0, 2.0, 3.0, 4.0, 5.0],
        target_day=300.0,
        target_weight=5.0,
        confidence=0.95,
    )
    assert projection.value == pytest.approx(70.0)
    assert (projection.low, projection.high) == (pytest.approx(70.0), pytest.approx(70.0))
    assert projection.slope_per_day == pytest.approx(0.1)
    assert (projection.points, projection.closed) == (5, False)


def test_projection_interval_by_hand():
    # x = 0, 1, 2 and y = 50, 52, 51: slope 0.5, intercept 50.5, residuals −0.5, 1, −0.5, so
    # σ² = 1.5 / 1. At x₀ = 3: ŷ = 52 and Var = 1.5 × (1 + 1/3 + (3 − 1)² / 2) = 5.
    projection = outlook.linear_projection(
        days=[0.0, 1.0, 2.0],
        values=[50.0, 52.0, 51.0],
        weights=[1.0, 1.0, 1.0],
        target_day=3.0,
        target_weight=1.0,
        confidence=0.95,
    )
    half_width = scipy_stats.t.ppf(0.975, 1) * math.sqrt(5)
    assert projection.value == pytest.approx(52.0)
    assert projection.low == pytest.approx(52.0 - half_width)
    assert projection.high == pytest.approx(min(100.0, 52.0 + half_width))


def test_projection_stays_within_0_and_100_and_needs_two_points():
    rising = outlook.linear_projection(
        days=[0.0, 100.0],
        values=[60.0, 90.0],
        weights=[1.0, 1.0],
        target_day=365.0,
        target_weight=1.0,
        confidence=0.95,
    )
    assert rising.value == 100.0
    assert math.isnan(rising.low)  # two points leave no spread to estimate
    single = outlook.linear_projection(
        days=[0.0], values=[60.0], weights=[1.0], target_day=365.0, target_weight=1.0,
        confidence=0.95,
    )  # fmt: skip
    assert math.isnan(single.value)


def test_projection_of_an_observed_target_is_the_observation():
    closed = outlook.linear_projection(
        days=[0.0, 100.0, 365.0],
        values=[10.0, 20.0, 77.0],
        weights=[1.0, 1.0, 1.0],
        target_day=365.0,
        target_weight=1.0,
        confidence=0.95,
    )
    assert (closed.value, closed.low, closed.high, closed.closed) == (77.0, 77.0, 77.0, True)


def _series(code: str, values: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "group_code": code,
                "name_mn": code,
                "name_en": code,
                "date": date.fromisoformat(day),
                "items_due": due,
                "items_not_due": 10 - due,
                "weight_due": weight,
                "weighted_progress": progress,
            }
            for day, due, weight, progress in values
        ]
    )


def test_plan_projections_on_a_linear_execution_series():
    # Plan L: execution 60, 62 and 64 % on days 30, 60 and 90 of 2024 (31 Jan, 1 Mar, 31 Mar).
    days = ["2024-01-31", "2024-03-01", "2024-03-31"]
    series = _series(
        "L",
        [
            (day, due, due * 1.0, due * 1.0 * value)
            for day, due, value in zip(days, [2, 4, 6], [60.0, 62.0, 64.0], strict=True)
        ],
    )
    frame = outlook.plan_projections(
        series=series,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 26),
        confidence=0.95,
    )
    row = frame.iloc[0]
    # Days 30, 60, 90 → 60, 62, 64: 1/15 point a day; 26 December is day 360 → 60 + 330/15 = 82.
    assert row["projected_execution"] == pytest.approx(82.0)
    assert row["projected_execution_low"] == pytest.approx(82.0)
    assert row["trend_per_month"] == pytest.approx(30.4375 / 15)
    assert (row["observed"], row["items"], row["projected_execution_sample"]) == (64.0, 10, 3)
    assert row["projected_execution_status"] == "yellow"
    overall = outlook.overall_projection(
        series=series, period_start=date(2024, 1, 1), period_end=date(2024, 12, 26), confidence=0.95
    )
    assert overall["projected_execution"] == pytest.approx(82.0)


def test_plan_projection_skips_months_with_nothing_due():
    series = _series(
        "N",
        [("2024-01-31", 0, 0.0, 0.0), ("2024-02-29", 1, 1.0, 50.0), ("2024-03-31", 2, 2.0, 100.0)],
    )
    row = outlook.plan_projections(
        series=series, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), confidence=0.95
    ).iloc[0]
    assert row["projected_execution_sample"] == 2
    assert row["projected_execution_status"] == "grey"  # fewer than three month ends


def test_overall_projection_of_no_plans_is_grey():
    empty = _series("E", []).reindex(columns=_series("E", [("2024-01-31", 1, 1.0, 1.0)]).columns)
    overall = outlook.overall_projection(
        series=empty, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), confidence=0.95
    )
    assert overall["projected_execution_status"] == "grey"
    assert math.isnan(overall["projected_execution"])


def test_items_at_risk_pace_rules():
    items = pd.DataFrame(
        [
            # code, plan start, due, progress, latest report
            ("LATE-START", "2024-07-01", "2024-12-31", 20.0, "2024-08-30"),
            ("YOUNG", "2024-09-10", "2024-12-31", 0.0, None),
            ("STALE", "2023-01-01", "2024-12-31", 30.0, "2024-01-15"),
        ],
        columns=["code", "plan_start", "due_date", "progress", "reported_on"],
    ).assign(
        plan_start=lambda frame: pd.to_datetime(frame["plan_start"]).dt.date,
        due_date=lambda frame: pd.to_datetime(frame["due_date"]).dt.date,
        reported_on=lambda frame: pd.to_datetime(frame["reported_on"]).dt.date,
    )
    at_risk = outlook.items_at_risk(
        items=items,
        period_start=date(2024, 1, 1),
        as_of=date(2024, 9, 30),
        min_elapsed_days=30,
        complete_percent=100.0,
    ).set_index("code")
    # LATE-START started with its plan on 1 July: 20 % in 60 days, 123 days left → 61 %.
    assert at_risk.loc["LATE-START", "started_on"] == date(2024, 7, 1)
    assert at_risk.loc["LATE-START", "projected_at_due"] == pytest.approx(20 + 20 / 60 * 123)
    # YOUNG is 20 days old at the as-of date: not judged. STALE's report came 14 days after the
    # period start, too soon to measure a pace: measured at the as-of date instead (273 days).
    assert "YOUNG" not in at_risk.index
    assert at_risk.loc["STALE", "measured_on"] == date(2024, 9, 30)
    assert at_risk.loc["STALE", "projected_at_due"] == pytest.approx(30 + 30 / 273 * 92)
    counts = outlook.at_risk_by_group(at_risk=at_risk.reset_index(), column="code")
    assert dict(zip(counts["code"], counts["items_at_risk"], strict=True)) == {
        "LATE-START": 1,
        "STALE": 1,
    }
