"""data_access.outcomes and the reality check on the hand-made dataset (tests/reality_dataset.py),
on SQLite and PostgreSQL; every expectation worked by hand from that module's docstring."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import Connection

from data_access import outcomes, queries
from data_access.db import get_engine
from data_access.filters import Filters, GroupBy
from data_access.inputs import PARTS, collect_inputs
from data_access.migrate import upgrade_to_head
from data_access.scope import FULL_SCOPE
from metrics import compute, outlook, reality
from metrics.definitions import (
    COMPLETE_PERCENT,
    CONFIDENCE_LEVEL,
    NEAR_CEILING_SCORE,
    OUTLOOK_MIN_ELAPSED_DAYS,
    OVERSTATEMENT_POINTS,
    PAPER_GREEN_RULE,
    QUERY_RULES,
    RATING_BAND_EDGES,
    SURVEY_SCORES,
)
from metrics.trend import month_ends
from tests import reality_dataset
from tests.conftest import BACKENDS, backend_url

AGENCY_PARTS = ("tasks", "plans", "ratings", "satisfaction", "services")


@pytest.fixture(scope="module", params=BACKENDS)
def reality_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = backend_url(
        request=request, backend=request.param, name="reality", folder=tmp_path_factory
    )
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        reality_dataset.load(connection)
    return url


@pytest.fixture
def connection(reality_url: str) -> Iterator[Connection]:
    with get_engine(reality_url).connect() as opened:
        yield opened


@pytest.fixture
def filters() -> Filters:
    return Filters(
        scope=FULL_SCOPE,
        period_start=reality_dataset.PERIOD_START,
        period_end=reality_dataset.PERIOD_END,
        as_of=reality_dataset.AS_OF,
    )


def _rows(frame: pd.DataFrame, key: str | list[str], columns: list[str]) -> dict:
    keys = [key] if isinstance(key, str) else key
    return {
        tuple(str(row[name]) for name in keys) if len(keys) > 1 else str(row[keys[0]]): tuple(
            float(row[column]) for column in columns
        )
        for _, row in frame.iterrows()
    }


# --- public services -----------------------------------------------------------------------------


def test_monthly_service_counts_sum_the_months_known_at_as_of(connection, filters):
    frame = outcomes.monthly_service_counts(connection=connection, filters=filters)
    # October's 999 applications are dated after the as-of date.
    assert _rows(frame, "month", list(outcomes.SERVICE_COLUMNS)) == {
        "2024-01": (400, 205, 145, 60, 260, 80),
        "2024-02": (50, 10, 5, 5, 40, 5),
    }


def test_monthly_service_counts_follow_the_province_filter(connection, filters):
    frame = outcomes.monthly_service_counts(
        connection=connection, filters=replace(filters, province_code="20")
    )
    assert _rows(frame, "month", list(outcomes.SERVICE_COLUMNS)) == {
        "2024-01": (100, 90, 80, 30, 60, 10)
    }


def test_resolution_shares_of_a_province(connection, filters):
    services = queries.service_counts(
        connection=connection, filters=filters, group_by=GroupBy.PROVINCE
    )
    frame = reality.with_resolution_shares(frame=compute.online_services(services=services))
    frame = frame.set_index("group_code")
    # Paperland: 150 applications, 30 online, 15 results; resolved 15 early, 120 on time, 15 late.
    assert frame.loc["10", "online_share"] == pytest.approx(20.0)
    assert frame.loc["10", "online_share_status"] == "red"
    assert frame.loc["10", "online_results_share"] == pytest.approx(10.0)
    assert frame.loc["10", "resolved"] == 150
    assert frame.loc["10", "resolved_early_share"] == pytest.approx(10.0)
    assert frame.loc["10", "resolved_on_time_share"] == pytest.approx(80.0)
    assert frame.loc["10", "resolved_late_share"] == pytest.approx(10.0)


# --- commune readiness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "checked", "green", "coverage", "status"),
    [("40", 2, 0, 0.0, "red"), ("10", 2, 1, 50.0, "red"), ("20", 1, 1, 100.0, "green")],
    ids=["zero", "partial", "full"],
)
def test_green_coverage_at_zero_partial_and_full(
    connection, filters, province, checked, green, coverage, status
):
    readiness = queries.readiness_counts(
        connection=connection, filters=filters, group_by=GroupBy.PROVINCE
    )
    row = compute.commune_coverage(readiness=readiness).set_index("group_code").loc[province]
    assert (row["communes_checked"], row["communes_green"]) == (checked, green)
    assert row["commune_coverage"] == pytest.approx(coverage)
    assert row["commune_coverage_status"] == status


def test_missing_criteria_nationally(connection, filters):
    frame = outcomes.readiness_by_criterion(
        connection=connection, filters=filters, group_by=GroupBy.NONE
    )
    # 1002's latest check by 2024-09-30 misses devices; 4001 devices and staff; 4002 software.
    assert _rows(frame, "criterion", ["communes_checked", "communes_missing"]) == {
        "certificates": (6, 0),
        "devices": (6, 2),
        "digital_signature": (6, 0),
        "online_meetings": (6, 0),
        "software": (6, 1),
        "staff": (6, 1),
    }
    ranked = reality.missing_criteria(by_criterion=frame)
    assert ranked.iloc[0]["criterion"] == "devices"
    assert ranked.iloc[0]["missing_share"] == pytest.approx(100 * 2 / 6)
    assert list(ranked["rank"]) == [1, 2, 2, 4, 4, 4]


def test_missing_criteria_per_province(connection, filters):
    frame = outcomes.readiness_by_criterion(
        connection=connection, filters=filters, group_by=GroupBy.PROVINCE
    )
    missing = frame[frame["communes_missing"] > 0]
    assert _rows(
        missing, ["group_code", "criterion"], ["communes_checked", "communes_missing"]
    ) == {
        ("10", "devices"): (2, 1),
        ("40", "devices"): (2, 1),
        ("40", "software"): (2, 1),
        ("40", "staff"): (2, 1),
    }
    assert set(frame["name_en"]) == {"Paperland", "Trueland", "Mixedland", "Slowland"}


def test_missing_criteria_cannot_be_grouped_by_agency(connection, filters):
    with pytest.raises(ValueError, match="cannot be grouped by agency"):
        outcomes.readiness_by_criterion(
            connection=connection, filters=filters, group_by=GroupBy.AGENCY
        )


def test_commune_criteria_of_a_province(connection, filters):
    rows = outcomes.commune_criteria(
        connection=connection, filters=replace(filters, province_code="10")
    )
    assert len(rows) == 12
    assert set(rows["province_code"]) == {"10"}
    assert {str(day) for day in rows["checked_on"]} == {"2024-06-30"}
    unmet = rows[~rows["met"].astype(bool)]
    assert list(zip(unmet["org_unit_code"], unmet["criterion"], strict=True)) == [
        ("1002", "devices")
    ]
    matrix = reality.commune_matrix(criteria=rows, order=reality_dataset.CRITERIA).set_index(
        "org_unit_code"
    )
    assert matrix.loc["1001", "green"]
    assert not matrix.loc["1002", "green"]
    assert matrix.loc["1002", "missing"] == ("devices",)
    assert matrix.loc["1002", "criteria_met"] == 5
    assert matrix.loc["1002", "criteria_checked"] == 6


def test_commune_criteria_before_the_latest_check(connection, filters):
    # On 2024-03-31 only 1002 had been checked, and it met everything.
    rows = outcomes.commune_criteria(
        connection=connection, filters=replace(filters, as_of=date(2024, 4, 1))
    )
    assert set(rows["org_unit_code"]) == {"1002"}
    assert rows["met"].astype(bool).all()


# --- self-rating inflation -----------------------------------------------------------------------


def test_rating_bands_per_agency(connection, filters):
    frame = outcomes.rating_bands(
        connection=connection,
        filters=filters,
        group_by=GroupBy.AGENCY,
        band_edges=RATING_BAND_EDGES,
        near_ceiling_score=NEAR_CEILING_SCORE,
    )
    columns = ["ratings", "score_sum", "score_sq_sum", "near_ceiling"]
    columns += [f"band_{index}" for index in range(1, 6)]
    # S10a's 2023 rating is outside the period; SV has only a self score (90); GOV-40's 20 and
    # 80 sit on band edges and go up.
    assert _rows(frame, "group_code", columns) == {
        "AG-P": (2, 196, 99**2 + 97**2, 2, 0, 0, 0, 0, 2),
        "AG-V": (1, 90, 8100, 0, 0, 0, 0, 0, 1),
        "GOV-10": (2, 196, 100**2 + 96**2, 2, 0, 0, 0, 0, 2),
        "GOV-20": (1, 98, 98**2, 1, 0, 0, 0, 0, 1),
        "GOV-30": (1, 98, 98**2, 1, 0, 0, 0, 0, 1),
        "GOV-40": (3, 150, 50**2 + 20**2 + 80**2, 0, 0, 1, 1, 0, 1),
    }


def test_citizen_scores_per_agency(connection, filters):
    frame = outcomes.citizen_scores(
        connection=connection, filters=filters, group_by=GroupBy.AGENCY, scores=SURVEY_SCORES
    )
    columns = [f"score_{score}" for score in SURVEY_SCORES]
    columns += ["published_respondents", "published_satisfied"]
    # GOV-20's response of 2024-10-01 comes after the as-of date; AG-V only publishes.
    assert _rows(frame, "group_code", columns) == {
        "AG-P": (12, 0, 12, 6, 0, 0, 0),
        "AG-V": (0, 0, 0, 0, 0, 50, 20),
        "GOV-10": (7, 7, 7, 4, 5, 0, 0),
        "GOV-20": (0, 0, 3, 12, 15, 0, 0),
        "GOV-30": (0, 18, 0, 12, 0, 0, 0),
        "GOV-40": (30, 0, 0, 0, 0, 0, 0),
    }


# --- reported against verified -------------------------------------------------------------------


def test_verification_counts_per_agency(connection, filters):
    frame = outcomes.verification_counts(
        connection=connection,
        filters=filters,
        group_by=GroupBy.AGENCY,
        overstatement_points=OVERSTATEMENT_POINTS,
    )
    columns = [
        "checked_reports", "reported_sum", "verified_sum", "difference_sum",
        "difference_sq_sum", "overstated_reports",
    ]  # fmt: skip
    # IV3's check of 2024-10-15 comes after the as-of date.
    assert _rows(frame, "group_code", columns) == {
        "AG-V": (2, 170, 140, 30, 20**2 + 10**2, 2),
        "GOV-10": (1, 100, 100, 0, 0, 0),
    }


# --- year-end outlook ----------------------------------------------------------------------------


def test_plan_progress_at_dates(connection, filters):
    dates = [date(2024, 2, 29), date(2024, 3, 31), date(2024, 6, 30)]
    frame = outcomes.plan_progress_at_dates(
        connection=connection, filters=filters, group_by=GroupBy.PLAN, dates=dates
    )
    frame = frame.assign(day=frame["date"].astype(str))
    columns = ["items_due", "items_not_due", "weight_due", "weighted_progress"]
    rows = _rows(
        frame[frame["group_code"].isin(["AP-GOV-20", "AP-AG-V"])], ["group_code", "day"], columns
    )
    # Trueland's plan: I20 (due 31 March, 100 %) and R1-R4 later in 2024; R5 falls in 2025.
    # AG-V's plan counts the verified 70 % of IV1 and IV2.
    assert rows == {
        ("AP-AG-V", "2024-02-29"): (0, 3, 0, 0),
        ("AP-AG-V", "2024-03-31"): (0, 3, 0, 0),
        ("AP-AG-V", "2024-06-30"): (2, 1, 2, 140),
        ("AP-GOV-20", "2024-02-29"): (0, 5, 0, 0),
        ("AP-GOV-20", "2024-03-31"): (1, 4, 1, 100),
        ("AP-GOV-20", "2024-06-30"): (1, 4, 1, 100),
    }


def test_a_plan_steady_at_100_is_projected_at_100(connection, filters):
    dates = month_ends(start=filters.period_start, end=filters.effective_end)
    series = outcomes.plan_progress_at_dates(
        connection=connection, filters=filters, group_by=GroupBy.PLAN, dates=dates
    )
    projections = outlook.plan_projections(
        series=series,
        period_start=filters.period_start,
        period_end=filters.period_end,
        confidence=CONFIDENCE_LEVEL,
    ).set_index("group_code")
    row = projections.loc["AP-GOV-20"]
    # January and February had nothing due; March to September were 100 % each.
    assert row["projected_execution_sample"] == 7
    assert (row["projected_execution"], row["projected_execution_low"]) == (100.0, 100.0)
    assert row["projected_execution_status"] == "green"
    assert row["items"] == 5


def test_open_items_and_the_ones_that_will_miss(connection, filters):
    items = outcomes.open_plan_items(
        connection=connection, filters=filters, complete_percent=COMPLETE_PERCENT
    )
    # R4 is complete, R5 falls due in 2025; IV3's report comes after the as-of date.
    assert list(items["code"]) == ["IV3", "R3", "R1", "R2"]
    assert list(items["progress"]) == [0.0, 0.0, 30.0, 60.0]
    assert [None if pd.isna(day) else str(day) for day in items["reported_on"]] == [
        None, None, "2024-06-30", "2024-06-30",
    ]  # fmt: skip
    at_risk = outlook.items_at_risk(
        items=items,
        period_start=filters.period_start,
        as_of=filters.as_of,
        min_elapsed_days=OUTLOOK_MIN_ELAPSED_DAYS,
        complete_percent=COMPLETE_PERCENT,
    ).set_index("code")
    # R1: 30 % in the 181 days to its report, so 30 + 30 / 181 × 184 days left by 31 December.
    # R2 at that pace would pass 100 %. R3 and IV3 never reported: no pace at all.
    assert list(at_risk.index) == ["IV3", "R3", "R1"]
    assert at_risk.loc["R1", "projected_at_due"] == pytest.approx(30 + 30 / 181 * 184)
    finish = date(2024, 1, 1) + timedelta(days=round(100 / (30 / 181)))
    assert at_risk.loc["R1", "finish_on"] == finish
    assert at_risk.loc["R1", "days_late"] == (finish - date(2024, 12, 31)).days
    assert at_risk.loc["R3", "projected_at_due"] == 0
    assert pd.isna(at_risk.loc["R3", "finish_on"])


# --- the reality check end to end ----------------------------------------------------------------


def _scorecards(connection: Connection, filters: Filters) -> dict[str, pd.DataFrame]:
    return {
        name: compute.scorecard(
            as_of=filters.as_of,
            **collect_inputs(
                connection=connection,
                filters=filters,
                group_by=group_by,
                parts=parts,
                **QUERY_RULES,
            ),
        )
        for name, group_by, parts in (
            ("provinces", GroupBy.PROVINCE, PARTS),
            ("agencies", GroupBy.AGENCY, AGENCY_PARTS),
        )
    }


def test_reality_check_lists_paper_green_units_with_their_mismatch(connection, filters):
    units = reality.reality_check_units(**_scorecards(connection, filters), rule=PAPER_GREEN_RULE)
    listed = [
        (row.group_code, row.kind, bool(row.paper_green), row.red_outcomes, row.mismatch)
        for row in units.itertuples()
    ]
    assert listed == [
        ("10", "province", True, 4, pytest.approx(173.0)),
        ("GOV-10", "agency", True, 3, pytest.approx(133.0)),
        ("AG-P", "agency", True, 2, pytest.approx(93.0)),
        ("30", "province", False, 2, pytest.approx(53.0)),
        ("GOV-30", "agency", False, 2, pytest.approx(53.0)),
    ]
    assert reality.paper_green_counts(units=units) == {"province": 1, "agency": 2, "total": 3}


def test_paper_green_province_carries_the_evidence_on_both_sides(connection, filters):
    units = reality.reality_check_units(**_scorecards(connection, filters), rule=PAPER_GREEN_RULE)
    paperland = units.set_index("group_code").loc["10"]
    process = {
        key: (paperland[key], paperland[f"{key}_status"], paperland[f"{key}_sample"])
        for key in PAPER_GREEN_RULE.process_required
    }
    assert process == {
        "plan_execution": (100.0, "green", 1),
        "on_time_rate": (100.0, "green", 10),
    }
    assert paperland["overdue_share_status"] == "grey"  # no open task: cannot contradict
    outcome = {
        key: (
            round(float(paperland[key]), 6),
            paperland[f"{key}_status"],
            paperland[f"{key}_sample"],
            round(float(paperland[f"{key}_shortfall"]), 6),
        )
        for key in PAPER_GREEN_RULE.outcomes
    }
    # Shortfalls from green: 70 − 30, 68 − 35, 80 − 20 and 90 − 50.
    assert outcome == {
        "satisfaction": (30.0, "red", 30, 40.0),
        "gap": (68.0, "red", 2, 33.0),
        "online_share": (20.0, "red", 150, 60.0),
        "commune_coverage": (50.0, "red", 2, 40.0),
    }
    assert paperland["red_outcome_keys"] == PAPER_GREEN_RULE.outcomes
