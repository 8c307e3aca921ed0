"""When green is not green: what citizens get (online services, commune readiness) and the
reality check that puts it beside the process indicators (issue 7).

Pure functions on data_access's aggregated frames and on scorecards from ``metrics.compute``.
Percentages are 0–100 floats; a zero denominator gives NaN, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrics.compute import GROUP_COLUMNS
from metrics.definitions import METRICS, Direction, PaperGreenRule, Status

_PERCENT = 100.0
RESOLUTION_CLASSES: tuple[str, ...] = ("resolved_early", "resolved_on_time", "resolved_late")
PROVINCE, AGENCY = "province", "agency"
MET_PREFIX = "met_"


def _percent(*, numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    numerator = pd.to_numeric(numerator, errors="coerce").astype(float)
    denominator = pd.to_numeric(denominator, errors="coerce").astype(float)
    return numerator / denominator.where(denominator > 0) * _PERCENT


# --------------------------------------------------------------------------------------------
# Public services


def with_resolution_shares(*, frame: pd.DataFrame) -> pd.DataFrame:
    """Adds resolved (early + on time + late) and resolved_early_share, resolved_on_time_share,
    resolved_late_share (% of resolved) to any frame holding the three counts."""
    resolved = sum(
        pd.to_numeric(frame[name], errors="coerce").astype(float) for name in RESOLUTION_CLASSES
    )
    return frame.assign(
        resolved=resolved,
        **{
            f"{name}_share": _percent(numerator=frame[name], denominator=resolved)
            for name in RESOLUTION_CLASSES
        },
    )


def monthly_services(*, monthly: pd.DataFrame) -> pd.DataFrame:
    """Per month: applications, online_share, online_results_share (% of applications) and
    the resolved_*_share columns (% of resolved). Columns kept: month and the counts."""
    frame = monthly.copy().reset_index(drop=True)
    frame = frame.assign(
        online_share=_percent(
            numerator=frame["online_applications"], denominator=frame["applications"]
        ),
        online_results_share=_percent(
            numerator=frame["online_results"], denominator=frame["applications"]
        ),
    )
    return with_resolution_shares(frame=frame)


# --------------------------------------------------------------------------------------------
# Commune readiness


def commune_matrix(*, criteria: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """One row per commune with a nullable boolean ``met_<criterion>`` column per criterion (NA
    where its latest check did not cover the criterion).

    ``order`` puts known criteria first, in that order; criteria the data add follow. Columns:
    org_unit_code, name_mn, name_en, province_code, checked_on, the met_ columns,
    criteria_checked, criteria_met, green (every checked criterion met) and missing (the unmet
    criteria, in column order).
    """
    present = list(dict.fromkeys(criteria["criterion"].astype(str)))
    columns = [name for name in order if name in present] + sorted(set(present) - set(order))
    keys = ["org_unit_code", "name_mn", "name_en", "province_code", "checked_on"]
    if criteria.empty:
        return pd.DataFrame(columns=[*keys, "criteria_checked", "criteria_met", "green", "missing"])
    wide = criteria.assign(met=criteria["met"].astype(bool)).pivot(
        index=keys, columns="criterion", values="met"
    )
    wide = wide.reindex(columns=columns).reset_index()
    wide.columns.name = None
    flags = wide[columns].astype("boolean")
    unmet = flags.eq(False).fillna(False)
    checked = flags.notna().sum(axis="columns")
    return wide.drop(columns=columns).assign(
        **{f"{MET_PREFIX}{name}": flags[name] for name in columns},
        criteria_checked=checked.astype(int),
        criteria_met=flags.eq(True).fillna(False).sum(axis="columns").astype(int),
        green=(checked > 0) & ~unmet.any(axis="columns"),
        missing=[tuple(name for name in columns if row[name]) for row in unmet.to_dict("records")],
    )


def missing_criteria(*, by_criterion: pd.DataFrame) -> pd.DataFrame:
    """Adds missing_share (% of the communes checked on the criterion that miss it) and rank
    (1 = the criterion most often missing within its group; ties share the better rank).
    Sorted by group, then rank, then criterion."""
    frame = by_criterion.copy()
    frame["communes_checked"] = pd.to_numeric(frame["communes_checked"]).astype(int)
    frame["communes_missing"] = pd.to_numeric(frame["communes_missing"]).astype(int)
    frame["missing_share"] = _percent(
        numerator=frame["communes_missing"], denominator=frame["communes_checked"]
    )
    frame["rank"] = (
        frame.groupby("group_code")["communes_missing"].rank(method="min", ascending=False)
        if not frame.empty
        else pd.Series(dtype=float)
    )
    frame["rank"] = frame["rank"].astype(int)
    return frame.sort_values(["group_code", "rank", "criterion"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The reality check


def _status(*, frame: pd.DataFrame, key: str) -> pd.Series:
    column = f"{key}_status"
    if column not in frame.columns:
        return pd.Series(Status.GREY.value, index=frame.index, dtype=object)
    return frame[column].fillna(Status.GREY.value).astype(str)


def _shortfall(*, frame: pd.DataFrame, key: str) -> pd.Series:
    """How far a red value lies from green, in the indicator's points; 0 unless red."""
    definition = METRICS[key]
    if key not in frame.columns:
        return pd.Series(0.0, index=frame.index)
    value = pd.to_numeric(frame[key], errors="coerce").astype(float)
    distance = (
        definition.green - value
        if definition.direction is Direction.HIGHER_IS_BETTER
        else value - definition.green
    )
    red = _status(frame=frame, key=key) == Status.RED.value
    return distance.where(red, 0.0).fillna(0.0)


def reality_check(*, scorecard: pd.DataFrame, rule: PaperGreenRule) -> pd.DataFrame:
    """The units of a scorecard that are green on process yet red on at least one outcome.

    See ``PaperGreenRule``. Groups that are not units (codes starting with ``_``, such as
    national-level facts) are left out. Adds, per outcome, ``<key>_shortfall`` (points between
    a red value and its green threshold, 0 unless red); outcomes_with_data (not grey),
    red_outcomes, red_outcome_keys (in rule order), red_share (% of outcomes with data),
    paper_green (the rule's full test) and mismatch (Σ shortfalls: how far the outcomes that
    the process calls green fall short of green). Paper green first, then by mismatch, largest
    first, then group_code.
    """
    units = scorecard[~scorecard["group_code"].astype(str).str.startswith("_")]
    units = units.reset_index(drop=True)
    # Every indicator of the rule gets its columns, so agencies (no communes) sit beside
    # provinces in one table: a missing indicator is grey, as on any scorecard.
    for key in (*rule.process, *rule.outcomes):
        for column in (key, f"{key}_sample"):
            if column not in units.columns:
                units[column] = np.nan
        units[f"{key}_status"] = _status(frame=units, key=key)
    green, grey = Status.GREEN.value, Status.GREY.value
    process_green = pd.Series(True, index=units.index)
    for key in rule.process_required:
        process_green &= _status(frame=units, key=key) == green
    for key in rule.process_optional:
        process_green &= _status(frame=units, key=key).isin([green, grey])
    outcome_status = pd.DataFrame(
        {key: _status(frame=units, key=key) for key in rule.outcomes}, index=units.index
    )
    red = outcome_status == Status.RED.value
    red_count = red.sum(axis="columns").astype(int)
    with_data = (outcome_status != grey).sum(axis="columns").astype(int)
    red_share = _percent(numerator=red_count, denominator=with_data)
    shortfalls = {f"{key}_shortfall": _shortfall(frame=units, key=key) for key in rule.outcomes}
    checked = units.assign(
        **shortfalls,
        outcomes_with_data=with_data,
        red_outcomes=red_count,
        red_outcome_keys=[
            tuple(key for key in rule.outcomes if row[key]) for row in red.to_dict("records")
        ],
        red_share=red_share,
        paper_green=(red_count >= rule.min_red_outcomes) & (red_share >= rule.min_red_share),
        mismatch=pd.DataFrame(shortfalls, index=units.index).sum(axis="columns"),
    )
    mismatches = checked[process_green & (red_count > 0)]
    return mismatches.sort_values(
        ["paper_green", "mismatch", "group_code"], ascending=[False, False, True]
    ).reset_index(drop=True)


def reality_check_units(
    *, provinces: pd.DataFrame, agencies: pd.DataFrame, rule: PaperGreenRule
) -> pd.DataFrame:
    """``reality_check`` over a province and an agency scorecard together, with a ``kind``
    column (``province`` / ``agency``) after the group columns; paper green first, then by
    mismatch, largest first."""
    frames = [
        reality_check(scorecard=frame, rule=rule).assign(kind=kind)
        for kind, frame in ((PROVINCE, provinces), (AGENCY, agencies))
    ]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        columns = [*GROUP_COLUMNS, "kind", "mismatch", "paper_green", "red_outcome_keys"]
        return pd.DataFrame(columns=columns).astype({"paper_green": bool})
    combined = pd.concat(frames, ignore_index=True)
    kind = combined.pop("kind")
    combined.insert(len(GROUP_COLUMNS), "kind", kind)
    return combined.sort_values(
        ["paper_green", "mismatch", "kind", "group_code"], ascending=[False, False, False, True]
    ).reset_index(drop=True)


def paper_green_counts(*, units: pd.DataFrame) -> dict[str, int]:
    """How many paper-green units: ``{"province": n, "agency": m, "total": n + m}``."""
    paper = units[units["paper_green"].astype(bool)] if not units.empty else units
    kinds = paper["kind"].value_counts() if "kind" in paper.columns else pd.Series(dtype=int)
    counts = {kind: int(kinds.get(kind, 0)) for kind in (PROVINCE, AGENCY)}
    return {**counts, "total": sum(counts.values())}
