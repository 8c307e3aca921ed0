"""The default demo dataset, read through the same queries and metrics as the pages, reproduces
the national 2024 facts of DESIGN §1 and gives the map every colour."""

from __future__ import annotations

from datetime import date

import pytest

from data_access.db import get_engine
from data_access.filters import Filters, GroupBy
from data_access.inputs import collect_inputs
from data_access.scope import FULL_SCOPE
from metrics.compute import scorecard
from metrics.definitions import QUERY_RULES

YEAR_2024 = Filters(
    scope=FULL_SCOPE,
    period_start=date(2024, 1, 1),
    period_end=date(2024, 12, 31),
    as_of=date(2024, 12, 31),
)
LATEST = Filters(
    scope=FULL_SCOPE,
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
    as_of=date(2025, 11, 30),
)


def _scorecard(url: str, filters: Filters, group_by: GroupBy):
    with get_engine(url).connect() as connection:
        inputs = collect_inputs(
            connection=connection,
            filters=filters,
            group_by=group_by,
            parts=("tasks", "plans", "ratings", "satisfaction", "services", "readiness"),
            **QUERY_RULES,
        )
    return scorecard(as_of=filters.as_of, **inputs).set_index("group_code")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("group_by", "group", "metric", "target"),
    [
        (GroupBy.PLAN_KIND, "policy", "plan_execution", 65.0),
        (GroupBy.PLAN_KIND, "action_plan", "plan_execution", 77.0),
        (GroupBy.NONE, "all", "self_rating", 98.7),
        (GroupBy.NONE, "all", "satisfaction", 40.0),
        (GroupBy.NONE, "all", "gap", 58.7),
    ],
)
def test_national_2024_figures_match_the_facts(default_demo_url, group_by, group, metric, target):
    value = _scorecard(default_demo_url, YEAR_2024, group_by).loc[group, metric]
    assert value == pytest.approx(target, abs=3.0)


@pytest.mark.slow
@pytest.mark.parametrize("filters", [YEAR_2024, LATEST], ids=["2024", "latest"])
@pytest.mark.parametrize("metric", ["plan_execution", "on_time_rate", "overdue_share"])
def test_province_map_shows_all_four_colours(default_demo_url, filters, metric):
    provinces = _scorecard(default_demo_url, filters, GroupBy.PROVINCE).drop(index="_national")
    assert len(provinces) == 22
    assert set(provinces[f"{metric}_status"]) == {"green", "yellow", "red", "grey"}


@pytest.mark.slow
def test_agencies_vary_between_green_yellow_red_and_grey(default_demo_url):
    agencies = _scorecard(default_demo_url, LATEST, GroupBy.AGENCY)
    assert set(agencies["on_time_rate_status"]) == {"green", "yellow", "red", "grey"}
