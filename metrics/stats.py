"""Confidence intervals and the gap test (DESIGN §4), on aggregated counts and sums only.

Everything here works from sums rather than raw observations, because data_access pushes the
aggregation into SQL and never hands row-level ratings or survey responses to pandas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy import special

from metrics.definitions import CONFIDENCE_LEVEL

NAN = float("nan")
# Satisfaction is a 0–1 share but the gap is in 0–100 points: variances scale by 100².
_POINTS_PER_SHARE = 100.0
# Weighted counts (published share × respondents) can overshoot by a rounding hair.
_ROUNDING_TOLERANCE = 1e-9


# scipy.special rather than scipy.stats: the same functions scipy.stats' normal and t
# distributions call, at a microsecond a call instead of a hundred, and without the second of
# importing scipy.stats when a server process starts. Pages ask for the same few quantiles over
# and over (one confidence level; degrees of freedom from sample sizes), hence the caches.
@lru_cache(maxsize=16)
def _two_sided_quantile(*, confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return float(special.ndtri((1 + confidence) / 2))


@lru_cache(maxsize=4096)
def t_quantile(*, probability: float, degrees_of_freedom: float) -> float:
    """The ``probability`` quantile of Student's t with ``degrees_of_freedom`` (as
    ``scipy.stats.t.ppf``)."""
    return float(special.stdtrit(degrees_of_freedom, probability))


def wilson_interval(*, successes: float, trials: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a proportion (0–1), valid for weighted, non-integer counts.

    Wilson rather than the normal approximation because shares near 0 or 1 and small samples
    are common here (a soum with 12 responses, a province with 100 % online results), where the
    normal interval leaves [0, 1] or collapses to a point. Returns (nan, nan) with no trials.
    """
    z = _two_sided_quantile(confidence=confidence)
    if trials < 0 or successes < 0:
        raise ValueError(f"counts cannot be negative: {successes} of {trials}")
    if trials == 0:
        return NAN, NAN
    if successes > trials * (1 + _ROUNDING_TOLERANCE):
        raise ValueError(f"more successes than trials: {successes} of {trials}")
    share = min(successes / trials, 1.0)
    z_squared = z * z
    denominator = 1 + z_squared / trials
    centre = (share + z_squared / (2 * trials)) / denominator
    half_width = (
        z * math.sqrt(share * (1 - share) / trials + z_squared / (4 * trials * trials))
    ) / denominator
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def mean_interval(
    *, count: float, total: float, total_of_squares: float, confidence: float
) -> tuple[float, float, float, float]:
    """Mean, sample standard deviation and Student-t interval of the mean, from n, Σx and Σx².

    With one observation the spread is unknown, so sd and the interval are nan (the mean is not).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if count <= 0:
        return NAN, NAN, NAN, NAN
    mean = total / count
    if count < 2:
        return mean, NAN, NAN, NAN
    # Σx² − (Σx)²/n can dip below zero by rounding when every score is the same.
    variance = max(0.0, (total_of_squares - total * total / count) / (count - 1))
    sd = math.sqrt(variance)
    quantile = t_quantile(probability=(1 + confidence) / 2, degrees_of_freedom=count - 1)
    half_width = quantile * sd / math.sqrt(count)
    return mean, sd, mean - half_width, mean + half_width


@dataclass(frozen=True, kw_only=True)
class GapTest:
    """Is self-rating − satisfaction significantly above the norm? (one-sided z test)

    ``p_value`` tests H0: gap ≤ norm. ``low``/``high`` is the two-sided interval of the gap at
    the same confidence. Every number is nan, and ``significantly_above`` None, when a side
    lacks the data for a standard error (fewer than two ratings or no responses).
    """

    gap: float
    standard_error: float
    z: float
    p_value: float
    significantly_above: bool | None
    low: float
    high: float
    norm: float
    confidence: float


def gap_above_norm_test(
    *,
    rating_mean: float,
    rating_sd: float,
    rating_count: float,
    satisfied_share: float,
    responses: float,
    norm: float,
    confidence: float = CONFIDENCE_LEVEL,
) -> GapTest:
    """Gap = rating_mean − 100·share; SE = √(sd²/n_r + 100²·p(1−p)/n_s); normal approximation.

    The two samples (staff ratings, citizens' responses) are independent, so their variances add.
    """
    z_two_sided = _two_sided_quantile(confidence=confidence)
    gap = rating_mean - _POINTS_PER_SHARE * satisfied_share
    inputs = (rating_mean, rating_sd, rating_count, satisfied_share, responses)
    if any(math.isnan(value) for value in inputs) or rating_count < 2 or responses <= 0:
        return GapTest(
            gap=gap,
            standard_error=NAN,
            z=NAN,
            p_value=NAN,
            significantly_above=None,
            low=NAN,
            high=NAN,
            norm=norm,
            confidence=confidence,
        )
    share_variance = satisfied_share * (1 - satisfied_share) / responses
    standard_error = math.sqrt(
        rating_sd * rating_sd / rating_count + _POINTS_PER_SHARE**2 * share_variance
    )
    excess = gap - norm
    if standard_error > 0:
        z = excess / standard_error
    else:
        # No spread on either side: the gap is known exactly, so only its sign decides.
        z = math.copysign(math.inf, excess) if excess else 0.0
    p_value = 1.0 if standard_error == 0 and excess <= 0 else _upper_tail(z=z)
    return GapTest(
        gap=gap,
        standard_error=standard_error,
        z=z,
        p_value=p_value,
        significantly_above=p_value < 1 - confidence,
        low=gap - z_two_sided * standard_error,
        high=gap + z_two_sided * standard_error,
        norm=norm,
        confidence=confidence,
    )


def _upper_tail(*, z: float) -> float:
    # One-sided p-value: the chance of a z this large if the gap were exactly at the norm.
    return float(special.ndtr(-z))
