"""Self-rating inflation and overstated progress: do the numbers an agency gives itself hold up
against what citizens say and what an independent check finds? (issue 7)

Pure functions on aggregated frames (counts per band, sums of differences): nothing here sees
a single rating, response or report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.compute import GROUP_COLUMNS, _merge_groups
from metrics.stats import mean_interval

_PERCENT = 100.0
RATINGS, CITIZENS = "ratings", "citizens"


@dataclass(frozen=True, kw_only=True)
class Band:
    """One band of the common scale: citizens' scores first..last, staff ratings low..high."""

    first_score: int
    last_score: int
    rating_low: float
    rating_high: float
    ratings: float
    citizens: float


@dataclass(frozen=True, kw_only=True)
class CompatibilityTest:
    """Pearson's chi-square test of homogeneity on the bands both sides fill.

    H0: staff ratings and citizens' verdicts fall into the bands in the same proportions.
    ``compatible`` is None when either side is below its minimum sample.
    """

    statistic: float
    degrees_of_freedom: int
    p_value: float
    compatible: bool | None


_NOT_TESTED = CompatibilityTest(
    statistic=math.nan, degrees_of_freedom=0, p_value=math.nan, compatible=None
)


def compatibility_test(
    *,
    bands: Sequence[Band],
    confidence: float,
    min_ratings: float,
    min_responses: float,
) -> CompatibilityTest:
    """Are the ratings compatible with the citizens' verdicts? (scipy ``chi2_contingency``).

    Bands empty on both sides carry no information and are dropped. Without Yates' correction,
    so a 2 × 2 table gets the same statistic as a wider one would. When every observation on
    both sides lands in one band the distributions agree exactly: statistic 0, p-value 1.
    """
    ratings = sum(band.ratings for band in bands)
    citizens = sum(band.citizens for band in bands)
    if ratings < min_ratings or citizens < min_responses:
        return _NOT_TESTED
    table = np.array(
        [[band.ratings, band.citizens] for band in bands if band.ratings + band.citizens > 0]
    ).T
    if table.shape[1] < 2:
        return CompatibilityTest(statistic=0.0, degrees_of_freedom=0, p_value=1.0, compatible=True)
    # Imported here: scipy.stats takes about a second to import, which every page of a fresh
    # server process would otherwise wait for, and only the Integrity page tests compatibility.
    from scipy import stats as scipy_stats

    result = scipy_stats.chi2_contingency(table, correction=False)
    p_value = float(result.pvalue)
    return CompatibilityTest(
        statistic=float(result.statistic),
        degrees_of_freedom=int(result.dof),
        p_value=p_value,
        compatible=p_value >= 1 - confidence,
    )


def _number(*, row: pd.Series, column: str) -> float:
    value = row.get(column)
    return 0.0 if value is None or pd.isna(value) else float(value)


def bands_of(
    *,
    row: pd.Series,
    scores: Sequence[int],
    band_edges: Sequence[float],
    satisfied_min_score: int,
) -> list[Band]:
    """The common-scale bands of one group: staff ratings (``band_<i>``) beside citizens'
    scores (``score_<s>``), band ``i`` matching score ``scores[i-1]``.

    Published results say only how many were satisfied, so a group that has any is compared on
    two bands: scores below ``satisfied_min_score`` and the rest.
    """
    uppers = [*band_edges[1:], _PERCENT]
    single = [
        Band(
            first_score=score,
            last_score=score,
            rating_low=float(low),
            rating_high=float(high),
            ratings=_number(row=row, column=f"band_{index}"),
            citizens=_number(row=row, column=f"score_{score}"),
        )
        for index, (score, low, high) in enumerate(zip(scores, band_edges, uppers, strict=True), 1)
    ]
    published = _number(row=row, column="published_respondents")
    if published <= 0:
        return single
    satisfied = _number(row=row, column="published_satisfied")
    below = [band for band in single if band.first_score < satisfied_min_score]
    above = [band for band in single if band.first_score >= satisfied_min_score]
    return [
        Band(
            first_score=part[0].first_score,
            last_score=part[-1].last_score,
            rating_low=part[0].rating_low,
            rating_high=part[-1].rating_high,
            ratings=sum(band.ratings for band in part),
            citizens=sum(band.citizens for band in part) + extra,
        )
        for part, extra in ((below, published - satisfied), (above, satisfied))
        if part
    ]


def rating_inflation(
    *,
    ratings: pd.DataFrame,
    citizens: pd.DataFrame,
    scores: Sequence[int],
    band_edges: Sequence[float],
    satisfied_min_score: int,
    confidence: float,
    min_ratings: float,
    min_responses: float,
) -> pd.DataFrame:
    """Per group: how close to the ceiling staff rate, how spread, and whether that is
    compatible with what citizens say.

    ``ratings`` comes from ``data_access.outcomes.rating_bands``, ``citizens`` from
    ``citizen_scores``; groups in either appear. Columns: group columns, ratings, self_rating
    (mean), self_rating_sd, near_ceiling_share (% of ratings at or near the ceiling), responses,
    satisfaction (% satisfied, published results included), bands_compared, chi_square,
    degrees_of_freedom, p_value, compatible (nullable boolean; NA when not tested). Tested
    groups first, then by near_ceiling_share, highest first, then group_code.
    """
    merged = _merge_groups(frames=[ratings, citizens])
    rows = []
    for _, row in merged.iterrows():
        count = _number(row=row, column="ratings")
        mean, sd, _, _ = mean_interval(
            count=count,
            total=_number(row=row, column="score_sum"),
            total_of_squares=_number(row=row, column="score_sq_sum"),
            confidence=confidence,
        )
        bands = bands_of(
            row=row, scores=scores, band_edges=band_edges, satisfied_min_score=satisfied_min_score
        )
        near_ceiling = _number(row=row, column="near_ceiling")
        responses = sum(band.citizens for band in bands)
        satisfied = sum(band.citizens for band in bands if band.first_score >= satisfied_min_score)
        test = compatibility_test(
            bands=bands, confidence=confidence, min_ratings=min_ratings, min_responses=min_responses
        )
        rows.append(
            {
                **{column: row[column] for column in GROUP_COLUMNS},
                "ratings": int(count),
                "self_rating": mean,
                "self_rating_sd": sd,
                "near_ceiling_share": _share(part=near_ceiling, of=count),
                "responses": responses,
                "satisfaction": _share(part=satisfied, of=responses),
                "bands_compared": len(bands),
                "chi_square": test.statistic,
                "degrees_of_freedom": test.degrees_of_freedom,
                "p_value": test.p_value,
                "compatible": test.compatible,
            }
        )
    columns = [
        *GROUP_COLUMNS, "ratings", "self_rating", "self_rating_sd", "near_ceiling_share",
        "responses", "satisfaction", "bands_compared", "chi_square", "degrees_of_freedom",
        "p_value", "compatible",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame["compatible"] = pd.array(frame["compatible"].tolist(), dtype="boolean")
    # Tested groups first: they are the ones with something to say about citizens.
    return (
        frame.assign(_tested=frame["compatible"].notna())
        .sort_values(
            ["_tested", "near_ceiling_share", "group_code"],
            ascending=[False, False, True],
            na_position="last",
        )
        .drop(columns="_tested")
        .reset_index(drop=True)
    )


def _share(*, part: float, of: float) -> float:
    return part / of * _PERCENT if of > 0 else math.nan


def distribution(
    *,
    ratings: pd.DataFrame,
    citizens: pd.DataFrame,
    group_code: str,
    scores: Sequence[int],
    band_edges: Sequence[float],
    satisfied_min_score: int,
) -> pd.DataFrame:
    """The two distributions the test compares, for one group, as shares for a chart.

    One row per band and side (``ratings`` / ``citizens``): first_score, last_score,
    rating_low, rating_high, side, count, share (% of that side). Empty for an unknown group.
    """
    columns = [
        "first_score", "last_score", "rating_low", "rating_high", "side", "count", "share",
    ]  # fmt: skip
    merged = _merge_groups(frames=[ratings, citizens])
    chosen = merged.loc[merged["group_code"].astype(str) == group_code]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    row = chosen.iloc[0]
    bands = bands_of(
        row=row, scores=scores, band_edges=band_edges, satisfied_min_score=satisfied_min_score
    )
    totals = {
        RATINGS: sum(band.ratings for band in bands),
        CITIZENS: sum(band.citizens for band in bands),
    }
    rows = [
        {
            "first_score": band.first_score,
            "last_score": band.last_score,
            "rating_low": band.rating_low,
            "rating_high": band.rating_high,
            "side": side,
            "count": count,
            "share": _share(part=count, of=totals[side]),
        }
        for band in bands
        for side, count in ((RATINGS, band.ratings), (CITIZENS, band.citizens))
    ]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------------------------
# Reported against verified progress


def verification_gap(
    *,
    verification: pd.DataFrame,
    overstatement_points: float,
    min_checks: int,
    confidence: float,
) -> pd.DataFrame:
    """Reported against independently verified progress, per group.

    Adds reported_mean, verified_mean (%), overstatement (mean reported − verified, points),
    overstatement_low / overstatement_high (t interval of that mean; NaN with one report),
    overstated_share (% of checked reports overstated by at least the threshold) and
    overstates (at least ``min_checks`` checked reports and a mean overstatement of at least
    ``overstatement_points``). Sorted by overstatement, largest first.
    """
    frame = verification.copy().reset_index(drop=True)
    checked = pd.to_numeric(frame["checked_reports"]).astype(float)
    intervals = [
        mean_interval(count=n, total=total, total_of_squares=squares, confidence=confidence)
        for n, total, squares in zip(
            checked,
            pd.to_numeric(frame["difference_sum"]).astype(float),
            pd.to_numeric(frame["difference_sq_sum"]).astype(float),
            strict=True,
        )
    ]
    per_report = checked.where(checked > 0)
    overstatement = pd.Series([interval[0] for interval in intervals], index=frame.index)
    frame = frame.assign(
        checked_reports=checked.astype(int),
        reported_mean=pd.to_numeric(frame["reported_sum"]).astype(float) / per_report,
        verified_mean=pd.to_numeric(frame["verified_sum"]).astype(float) / per_report,
        overstatement=overstatement,
        overstatement_low=[interval[2] for interval in intervals],
        overstatement_high=[interval[3] for interval in intervals],
        overstated_share=pd.to_numeric(frame["overstated_reports"]).astype(float)
        / per_report
        * _PERCENT,
        overstates=(checked >= min_checks) & (overstatement >= overstatement_points),
    )
    return frame.sort_values(
        ["overstatement", "group_code"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


def inflation_headline(*, summary: pd.DataFrame) -> dict[str, float]:
    """Headline figures of a ``rating_inflation`` frame: groups, tested (both sides large
    enough), incompatible (tested and rejected), median_near_ceiling_share (%)."""
    tested = summary["compatible"].dropna().astype(bool)
    return {
        "groups": len(summary),
        "tested": len(tested),
        "incompatible": int((~tested).sum()),
        "median_near_ceiling_share": float(summary["near_ceiling_share"].median())
        if not summary.empty
        else math.nan,
    }
