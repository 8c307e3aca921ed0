"""Intervals and the gap test against published values, numpy/scipy and hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from metrics.stats import gap_above_norm_test, mean_interval, t_quantile, wilson_interval


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (40, 100, 0.3094, 0.4980),
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0000),
        # Weighted, non-integer counts (published share × respondents), computed by hand:
        # p = 0.5, n = 25: centre 0.5, half-width 1.96·√(0.01 + z²/2500) / (1 + z²/25) = 0.1825.
        (12.5, 25, 0.3175, 0.6825),
        (20.25, 40.5, 0.3528, 0.6472),
    ],
)
def test_wilson_interval_known_values(successes: float, trials: float, low: float, high: float):
    interval = wilson_interval(successes=successes, trials=trials, confidence=0.95)
    assert interval == pytest.approx((low, high), abs=5e-5)


def test_wilson_weighted_counts_are_continuous():
    """A fractional count sits between its integer neighbours: weights are not rounded away."""
    below = wilson_interval(successes=40, trials=100, confidence=0.95)
    between = wilson_interval(successes=40.5, trials=100, confidence=0.95)
    above = wilson_interval(successes=41, trials=100, confidence=0.95)
    assert below[0] < between[0] < above[0]
    assert below[1] < between[1] < above[1]
    assert wilson_interval(successes=40.0, trials=100.0, confidence=0.95) == below


def test_wilson_higher_confidence_is_wider():
    narrow = wilson_interval(successes=40, trials=100, confidence=0.90)
    wide = wilson_interval(successes=40, trials=100, confidence=0.99)
    assert wide[0] < narrow[0] < 0.4 < narrow[1] < wide[1]


def test_wilson_without_trials_is_nan():
    low, high = wilson_interval(successes=0, trials=0, confidence=0.95)
    assert math.isnan(low)
    assert math.isnan(high)


@pytest.mark.parametrize(
    ("successes", "trials", "confidence", "message"),
    [
        (11, 10, 0.95, "more successes than trials"),
        (-1, 10, 0.95, "negative"),
        (1, -10, 0.95, "negative"),
        (4, 10, 1.0, "confidence"),
        (4, 10, 0.0, "confidence"),
    ],
)
def test_wilson_refuses_impossible_input(successes, trials, confidence, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(successes=successes, trials=trials, confidence=confidence)


def test_wilson_tolerates_rounding_of_weighted_counts():
    low, high = wilson_interval(successes=100 + 1e-12, trials=100, confidence=0.95)
    assert high == 1.0
    assert low == pytest.approx(0.963, abs=1e-3)


@pytest.mark.parametrize(
    ("scores", "confidence"),
    [
        ([70, 80, 90, 95, 100], 0.95),
        ([98, 99, 100, 97, 99, 100, 98], 0.95),
        ([55.5, 60.25, 71, 88], 0.90),
        ([0, 100], 0.99),
    ],
)
def test_mean_interval_matches_numpy_and_scipy(scores: list[float], confidence: float):
    values = np.asarray(scores, dtype=float)
    mean, sd, low, high = mean_interval(
        count=len(values),
        total=float(values.sum()),
        total_of_squares=float((values**2).sum()),
        confidence=confidence,
    )
    expected_low, expected_high = stats.t.interval(
        confidence, df=len(values) - 1, loc=values.mean(), scale=stats.sem(values)
    )
    assert mean == pytest.approx(values.mean())
    assert sd == pytest.approx(values.std(ddof=1))
    assert (low, high) == pytest.approx((expected_low, expected_high))


def test_mean_interval_by_hand():
    """90, 100: mean 95, sd √50, half-width t(0.975, 1)·√50/√2 = 12.7062·5 = 63.531."""
    mean, sd, low, high = mean_interval(
        count=2, total=190, total_of_squares=18_100, confidence=0.95
    )
    assert (mean, sd) == pytest.approx((95, math.sqrt(50)))
    assert (low, high) == pytest.approx((95 - 63.531, 95 + 63.531), abs=1e-3)


@pytest.mark.parametrize(
    ("count", "total", "squares", "mean"),
    [(1, 98.0, 9604.0, 98.0), (0, 0.0, 0.0, math.nan)],
)
def test_mean_interval_without_spread_is_nan(count, total, squares, mean):
    got_mean, sd, low, high = mean_interval(
        count=count, total=total, total_of_squares=squares, confidence=0.95
    )
    assert got_mean == pytest.approx(mean, nan_ok=True)
    assert all(math.isnan(number) for number in (sd, low, high))


def test_mean_interval_of_identical_scores_collapses():
    """Σx² − (Σx)²/n rounds slightly below zero here; the sd must be 0, not a math error."""
    mean, sd, low, high = mean_interval(
        count=3, total=3 * 98.7, total_of_squares=3 * 98.7**2, confidence=0.95
    )
    assert sd == pytest.approx(0, abs=1e-6)
    assert (low, high) == pytest.approx((mean, mean), abs=1e-5)


def test_gap_clearly_above_the_norm():
    """Mongolia 2024: self-rating 98.7 against 40 % satisfaction, a ~58-point gap."""
    test = gap_above_norm_test(
        rating_mean=98.7,
        rating_sd=3.0,
        rating_count=200,
        satisfied_share=0.40,
        responses=1_000,
        norm=35,
    )
    assert test.gap == pytest.approx(58.7)
    assert test.standard_error == pytest.approx(math.sqrt(9 / 200 + 10_000 * 0.24 / 1_000))
    assert test.p_value < 0.05
    assert test.significantly_above is True
    assert test.low > 35


def test_gap_by_hand():
    """sd 10, n 100 → 1; p 0.4, n 2400 → 10⁴·0.24/2400 = 1; SE √2; z = (40 − 35)/√2."""
    test = gap_above_norm_test(
        rating_mean=80,
        rating_sd=10,
        rating_count=100,
        satisfied_share=0.4,
        responses=2_400,
        norm=35,
    )
    assert test.gap == pytest.approx(40)
    assert test.standard_error == pytest.approx(math.sqrt(2))
    assert test.z == pytest.approx(5 / math.sqrt(2))
    assert test.p_value == pytest.approx(stats.norm.sf(3.5355339), rel=1e-6)
    assert test.p_value == pytest.approx(0.000203, abs=1e-6)
    assert (test.low, test.high) == pytest.approx((40 - 1.959964 * 1.414214, 40 + 2.771808))


@pytest.mark.parametrize(
    ("rating_mean", "share", "significant", "p_above"),
    [
        (80, 0.50, False, 0.5),  # gap 30: below the norm
        (85, 0.50, False, 0.5),  # gap 35: exactly at the norm, p = 0.5
        (87, 0.50, False, None),  # gap 37: above the norm but within the noise
    ],
)
def test_gap_not_significantly_above(rating_mean, share, significant, p_above):
    test = gap_above_norm_test(
        rating_mean=rating_mean,
        rating_sd=15,
        rating_count=25,
        satisfied_share=share,
        responses=100,
        norm=35,
    )
    assert test.significantly_above is significant
    if p_above is not None:
        assert test.p_value >= p_above
    else:
        assert 0.05 < test.p_value < 0.5


@pytest.mark.parametrize(
    ("rating_sd", "rating_count", "share", "responses"),
    [
        (math.nan, 1, 0.4, 100),  # one rating: no spread known
        (5.0, 10, 0.4, 0),  # no responses
        (5.0, 10, math.nan, 0),  # no satisfaction at all
    ],
)
def test_gap_test_without_enough_data(rating_sd, rating_count, share, responses):
    test = gap_above_norm_test(
        rating_mean=90,
        rating_sd=rating_sd,
        rating_count=rating_count,
        satisfied_share=share,
        responses=responses,
        norm=35,
    )
    assert test.significantly_above is None
    assert math.isnan(test.p_value)
    assert math.isnan(test.low)


@pytest.mark.parametrize(
    ("rating_mean", "share", "p_value", "significant"),
    [(100, 0.0, 0.0, True), (30, 0.0, 1.0, False), (35, 0.0, 1.0, False)],
)
def test_gap_known_exactly(rating_mean, share, p_value, significant):
    """Identical ratings and a 0 % share leave no spread: only the sign of gap − norm counts."""
    test = gap_above_norm_test(
        rating_mean=rating_mean,
        rating_sd=0,
        rating_count=10,
        satisfied_share=share,
        responses=50,
        norm=35,
    )
    assert test.standard_error == 0
    assert test.p_value == p_value
    assert test.significantly_above is significant


@pytest.mark.parametrize(
    ("probability", "degrees_of_freedom"),
    [(0.975, 1.0), (0.975, 2.0), (0.975, 9.0), (0.975, 29.5), (0.95, 120.0), (0.5, 4.0)],
)
def test_t_quantile_is_scipy_stats_t_ppf(probability: float, degrees_of_freedom: float) -> None:
    expected = stats.t.ppf(probability, degrees_of_freedom)
    actual = t_quantile(probability=probability, degrees_of_freedom=degrees_of_freedom)
    assert actual == pytest.approx(expected, rel=1e-12)
