"""The whole (GroupBy.NONE) pooled from the provinces' scorecard inputs gives the scorecard the
database gives for the whole (pages.common takes the Overview's and Press room's national
figures that way)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data_access.db import get_engine
from data_access.dimensions import ALL, SPECIAL_NAMES
from data_access.filters import Filters, GroupBy
from data_access.inputs import PARTS, collect_inputs
from data_access.scope import FULL_SCOPE, Role, Scope
from metrics import compute
from pages.common import QUERY_RULES


def test_pooled_sums_every_column_and_keeps_types():
    frame = pd.DataFrame(
        {
            "group_code": ["11", "41", "_national"],
            "name_mn": ["a", "b", "c"],
            "name_en": ["A", "B", "C"],
            "early": [3, 4, 0],
            "weight_due": [1.5, 2.0, 0.25],
        }
    )
    whole = compute.pooled(frame=frame, group_code="all", names=("Бүгд", "All"))
    assert whole.to_dict("records") == [
        {"group_code": "all", "name_mn": "Бүгд", "name_en": "All", "early": 7, "weight_due": 3.75}
    ]
    assert whole["early"].dtype == np.int64
    assert list(whole.columns) == list(frame.columns)


def test_pooled_of_nothing_is_nothing():
    empty = pd.DataFrame(columns=["group_code", "name_mn", "name_en", "ratings"])
    assert compute.pooled(frame=empty, group_code="all", names=("Бүгд", "All")).empty


def _scorecard(*, connection, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    inputs = collect_inputs(
        connection=connection, filters=filters, group_by=group_by, parts=PARTS, **QUERY_RULES
    )
    if group_by is GroupBy.PROVINCE:
        inputs = {
            part: compute.pooled(frame=frame, group_code=ALL, names=SPECIAL_NAMES[ALL])
            for part, frame in inputs.items()
        }
    return compute.scorecard(as_of=filters.as_of, **inputs)


def _same(direct: pd.DataFrame, pooled: pd.DataFrame) -> None:
    assert list(direct.columns) == list(pooled.columns)
    for column in direct.columns:
        left, right = direct[column], pooled[column]
        if pd.api.types.is_float_dtype(left) or pd.api.types.is_float_dtype(right):
            # Sums of floats added in another order differ in the last bits.
            np.testing.assert_allclose(
                left.astype(float), right.astype(float), rtol=1e-9, equal_nan=True
            )
        else:
            assert left.tolist() == right.tolist(), column


TINY_CASES = {
    "default": {},
    "province": {"province_code": "41"},
    "ministry": {"ministry_code": "MIN-A"},
    "regional": {"scope": Scope(role=Role.REGIONAL, province_code="11")},
    "early as-of": {"as_of": date(2024, 6, 30)},
}


@pytest.mark.parametrize("case", TINY_CASES)
def test_the_whole_of_the_tiny_dataset(tiny_connection, tiny_filters, case):
    filters = replace(tiny_filters, **TINY_CASES[case])
    direct = _scorecard(connection=tiny_connection, filters=filters, group_by=GroupBy.NONE)
    pooled = _scorecard(connection=tiny_connection, filters=filters, group_by=GroupBy.PROVINCE)
    assert len(direct) == 1
    _same(direct, pooled)


@pytest.mark.parametrize(
    "changes",
    [{}, {"province_code": "65"}, {"as_of": date(2025, 6, 15)}],
    ids=["default", "province", "as-of without snapshot"],
)
def test_the_whole_of_the_demo_from_its_summaries(small_demo_url, changes):
    engine = get_engine(small_demo_url)
    with engine.connect() as connection:
        filters = Filters(
            scope=FULL_SCOPE,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            as_of=date(2025, 11, 30),
        )
        filters = replace(filters, **changes)
        direct = _scorecard(connection=connection, filters=filters, group_by=GroupBy.NONE)
        pooled = _scorecard(connection=connection, filters=filters, group_by=GroupBy.PROVINCE)
    assert len(direct) == 1
    _same(direct, pooled)
