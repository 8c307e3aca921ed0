"""Press suppression at k−1, k and k+1 observations."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.privacy import is_suppressed, suppress_small_cells, suppressed_flags

K = 10


def _frame(sample: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_code": ["11"],
            "satisfaction": [55.0],
            "satisfaction_low": [40.0],
            "satisfaction_high": [70.0],
            "satisfaction_sample": [sample],
            "satisfaction_status": ["yellow"],
            "on_time_rate": [96.0],
            "on_time_rate_sample": [500],
            "on_time_rate_status": ["green"],
            "total": [sample],
            "late": [1],
        }
    )


@pytest.mark.parametrize(("sample", "hidden"), [(K - 1, True), (K, False), (K + 1, False)])
def test_figures_from_fewer_than_k_observations_are_suppressed(sample: int, hidden: bool):
    row = suppress_small_cells(frame=_frame(sample), k=K).iloc[0]
    assert math.isnan(row["satisfaction"]) is hidden
    assert pd.isna(row["satisfaction_low"]) is hidden
    assert (row["satisfaction_status"] == "grey") is hidden
    assert pd.isna(row["late"]) is hidden
    assert row["suppressed"] == ("satisfaction" if hidden else "")
    assert row["on_time_rate"] == 96.0
    assert row["on_time_rate_status"] == "green"


def test_input_frame_is_left_untouched():
    frame = _frame(3)
    suppress_small_cells(frame=frame, k=K)
    assert frame.loc[0, "satisfaction"] == 55.0


@pytest.mark.parametrize(
    ("samples", "metric_key", "expected"),
    [
        ([K - 1, K, K + 1], "satisfaction", [True, False, False]),
        ([K - 1, K, K + 1], "on_time_rate", [False, False, False]),
        ([0, 3], "satisfaction", [True, True]),
    ],
)
def test_suppressed_flags_give_each_rows_verdict(samples, metric_key, expected):
    frame = suppress_small_cells(
        frame=pd.concat([_frame(sample) for sample in samples], ignore_index=True), k=K
    )
    flags = suppressed_flags(frame=frame, metric_key=metric_key)
    assert flags == expected
    assert flags == [is_suppressed(row=row, metric_key=metric_key) for _, row in frame.iterrows()]


def test_a_frame_never_suppressed_has_no_flags_raised():
    frame = _frame(K - 1)
    assert suppressed_flags(frame=frame, metric_key="satisfaction") == [False]
