"""Ordering units so that the ones needing attention come first."""

from __future__ import annotations

import pandas as pd

from metrics.definitions import Status

_SEVERITY = {
    Status.RED.value: 0,
    Status.YELLOW.value: 1,
    Status.GREEN.value: 2,
    Status.GREY.value: 3,
}


def rank_worst(*, scorecard: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The ``limit`` worst units of a scorecard: red before yellow before green, then by the
    number of red and yellow indicators. Rows for facts outside any unit (group codes starting
    with ``_``, such as national-level facts) are not units and are left out."""
    units = scorecard[~scorecard["group_code"].astype(str).str.startswith("_")]
    ordered = units.assign(
        _severity=units["overall_status"].map(_SEVERITY).fillna(len(_SEVERITY))
    ).sort_values(
        ["_severity", "red_count", "yellow_count", "group_code"],
        ascending=[True, False, False, True],
    )
    return ordered.drop(columns="_severity").head(limit).reset_index(drop=True)
