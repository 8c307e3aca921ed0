"""Traffic lights: every threshold edge of every metric, grey rules, worst-of and explanations."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from metrics.definitions import METRICS, Direction, MetricDefinition, Status
from metrics.status import (
    GreyReason,
    classify,
    explain,
    status_counts,
    thresholds_text,
    worst_status,
)

AS_OF = date(2024, 12, 31)
STEP = 0.01
LIGHTED = [definition for definition in METRICS.values() if definition.has_traffic_light]
UNLIGHTED = [definition for definition in METRICS.values() if not definition.has_traffic_light]


def _edges(definition: MetricDefinition) -> list[tuple[str, float, Status]]:
    """At each threshold and one step either side; built from METRICS so new metrics are covered."""
    worse = -STEP if definition.direction is Direction.HIGHER_IS_BETTER else STEP
    green, yellow = float(definition.green), float(definition.yellow)
    return [
        (definition.key, green - worse, Status.GREEN),
        (definition.key, green, Status.GREEN),
        (definition.key, green + worse, Status.YELLOW),
        (definition.key, yellow, Status.YELLOW),
        (definition.key, yellow + worse, Status.RED),
    ]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [edge for definition in LIGHTED for edge in _edges(definition)],
)
def test_every_threshold_edge_from_the_definitions(key: str, value: float, expected: Status):
    definition = METRICS[key]
    status = classify(definition=definition, value=value, sample=definition.min_sample)
    assert status is expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("plan_execution", 90, Status.GREEN),
        ("plan_execution", 89.99, Status.YELLOW),
        ("plan_execution", 70, Status.YELLOW),
        ("plan_execution", 69.99, Status.RED),
        ("on_time_rate", 95, Status.GREEN),
        ("on_time_rate", 94.99, Status.YELLOW),
        ("on_time_rate", 85, Status.YELLOW),
        ("on_time_rate", 84.99, Status.RED),
        ("overdue_share", 5, Status.GREEN),
        ("overdue_share", 5.01, Status.YELLOW),
        ("overdue_share", 15, Status.YELLOW),
        ("overdue_share", 15.01, Status.RED),
        ("satisfaction", 70, Status.GREEN),
        ("satisfaction", 69.99, Status.YELLOW),
        ("satisfaction", 50, Status.YELLOW),
        ("satisfaction", 49.99, Status.RED),
        ("gap", 35, Status.GREEN),
        ("gap", 35.01, Status.YELLOW),
        ("gap", 45, Status.YELLOW),
        ("gap", 45.01, Status.RED),
        ("online_share", 80, Status.GREEN),
        ("online_share", 79.99, Status.YELLOW),
        ("online_share", 50, Status.YELLOW),
        ("online_share", 49.99, Status.RED),
        ("commune_coverage", 90, Status.GREEN),
        ("commune_coverage", 89.99, Status.YELLOW),
        ("commune_coverage", 60, Status.YELLOW),
        ("commune_coverage", 59.99, Status.RED),
        ("plan_execution", 100, Status.GREEN),
        ("plan_execution", 0, Status.RED),
        ("overdue_share", 0, Status.GREEN),
        ("overdue_share", 100, Status.RED),
        ("gap", -10, Status.GREEN),
    ],
)
def test_design_table_by_hand(key: str, value: float, expected: Status):
    """DESIGN §4's table written out, so a wrong number in METRICS cannot pass unnoticed."""
    definition = METRICS[key]
    assert classify(definition=definition, value=value, sample=1_000) is expected


@pytest.mark.parametrize(
    ("key", "sample_offset", "expected_grey"),
    [(definition.key, offset, offset < 0) for definition in LIGHTED for offset in (-1, 0, 1)],
)
def test_grey_below_the_minimum_sample(key: str, sample_offset: int, expected_grey: bool):
    definition = METRICS[key]
    status = classify(
        definition=definition,
        value=float(definition.green),
        sample=definition.min_sample + sample_offset,
    )
    assert (status is Status.GREY) is expected_grey


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
@pytest.mark.parametrize("key", [definition.key for definition in LIGHTED])
def test_grey_without_a_value(key: str, missing: object):
    assert classify(definition=METRICS[key], value=missing, sample=1_000) is Status.GREY


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_grey_without_a_sample(missing: object):
    """An unknown sample size cannot vouch for the minimum."""
    assert classify(definition=METRICS["satisfaction"], value=90, sample=missing) is Status.GREY


@pytest.mark.parametrize("key", [definition.key for definition in UNLIGHTED])
def test_metric_without_traffic_light_is_grey(key: str):
    assert classify(definition=METRICS[key], value=98.7, sample=5_000) is Status.GREY


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (definition.key, float(limit))
        for definition in LIGHTED
        for limit in (definition.green, definition.yellow)
    ],
)
def test_stale_data_is_never_green_but_keeps_a_warning(key: str, value: float):
    definition = METRICS[key]
    fresh = classify(definition=definition, value=value, sample=1_000)
    stale = classify(definition=definition, value=value, sample=1_000, stale=True)
    assert fresh is not Status.GREY
    assert stale is (Status.GREY if fresh is Status.GREEN else fresh)


def test_custom_thresholds_are_used():
    stricter = METRICS["plan_execution"].with_thresholds(green=95, yellow=80)
    assert classify(definition=stricter, value=90, sample=1) is Status.YELLOW
    assert classify(definition=METRICS["plan_execution"], value=90, sample=1) is Status.GREEN


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], Status.GREY),
        ([Status.GREY], Status.GREY),
        ([Status.GREY, Status.GREY], Status.GREY),
        ([Status.GREEN], Status.GREEN),
        ([Status.GREEN, Status.GREY], Status.GREEN),
        ([Status.GREEN, Status.YELLOW], Status.YELLOW),
        ([Status.GREEN, Status.YELLOW, Status.RED, Status.GREY], Status.RED),
        ([Status.GREY, Status.RED], Status.RED),
        (["green", "yellow"], Status.YELLOW),
        (["green"] * 9 + ["red"], Status.RED),
    ],
)
def test_worst_status(statuses: list, expected: Status):
    assert worst_status(statuses=statuses) is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], (0, 0, 0, 0)),
        ([Status.RED, Status.RED, Status.GREEN], (2, 0, 1, 0)),
        (["grey", "yellow", "green", "red", "grey"], (1, 1, 1, 2)),
        (iter([Status.YELLOW]), (0, 1, 0, 0)),
    ],
)
def test_status_counts_have_every_key(statuses, expected: tuple[int, int, int, int]):
    counts = status_counts(statuses=statuses)
    assert set(counts) == set(Status)
    order = (Status.RED, Status.YELLOW, Status.GREEN, Status.GREY)
    assert tuple(counts[status] for status in order) == expected


@pytest.mark.parametrize(
    ("key", "language", "expected"),
    [
        (
            "plan_execution",
            "en",
            "green ≥ 90 %, yellow ≥ 70 %, red < 70 %; grey below 1 items due",
        ),
        (
            "overdue_share",
            "en",
            "green ≤ 5 %, yellow ≤ 15 %, red > 15 %; grey below 10 open tasks",
        ),
        (
            "gap",
            "en",
            "green ≤ 35 pts, yellow ≤ 45 pts, red > 45 pts; grey below 1 ratings and responses",
        ),
        (
            "plan_execution",
            "mn",
            "ногоон ≥ 90 %, шар ≥ 70 %, улаан < 70 %; саарал: хугацаа болсон арга хэмжээ < 1",
        ),
        ("self_rating", "en", "no traffic light (shown for context)"),
    ],
)
def test_thresholds_text(key: str, language: str, expected: str):
    assert thresholds_text(definition=METRICS[key], language=language) == expected


def test_thresholds_text_keeps_decimals():
    definition = METRICS["on_time_rate"].with_thresholds(green=97.5, yellow=85)
    assert thresholds_text(definition=definition, language="en").startswith("green ≥ 97.5 %")


@pytest.mark.parametrize(
    ("value", "sample", "stale", "status", "reason", "phrase"),
    [
        (85.0, 12, False, Status.YELLOW, None, "Status: yellow."),
        (95.0, 12, False, Status.GREEN, None, "Status: green."),
        (None, 0, False, Status.GREY, GreyReason.NO_VALUE, "nothing to divide by"),
        (95.0, 0, False, Status.GREY, GreyReason.SMALL_SAMPLE, "Only 0 items due"),
        (95.0, 12, True, Status.GREY, GreyReason.STALE, "stale data are never shown green"),
    ],
)
def test_explanation_in_english(value, sample, stale, status, reason, phrase):
    explanation = explain(
        definition=METRICS["plan_execution"], value=value, sample=sample, as_of=AS_OF, stale=stale
    )
    assert explanation.status is status
    assert explanation.grey_reason is reason
    assert explanation.metric_key == "plan_execution"
    assert explanation.thresholds == (90.0, 70.0)
    text = explanation.text(language="en")
    assert phrase in text
    assert "Rule: Σ weight × progress" in text
    assert "green ≥ 90 %, yellow ≥ 70 %, red < 70 %; grey below 1 items due" in text
    assert "Data as of 2024-12-31." in text
    assert "(items due: " in text


def test_explanation_of_a_small_sample_in_mongolian():
    explanation = explain(definition=METRICS["satisfaction"], value=80, sample=12, as_of=AS_OF)
    text = explanation.text(language="mn")
    assert text.startswith("Иргэдийн сэтгэл ханамж: 80.0 % (хариулт: 12).")
    assert "Өгөгдлийн огноо: 2024-12-31." in text
    assert "Төлөв: саарал. Түүвэр хангалтгүй: хариулт 12 < 30." in text


def test_explanation_of_weighted_sample_and_no_traffic_light():
    weighted = explain(definition=METRICS["satisfaction"], value=55, sample=40.5, as_of=AS_OF)
    assert "(responses: 40.5)" in weighted.text(language="en")
    context = explain(definition=METRICS["self_rating"], value=98.7, sample=5, as_of=AS_OF)
    assert context.thresholds is None
    assert context.grey_reason is GreyReason.NO_TRAFFIC_LIGHT
    assert "98.7 pts" in context.text(language="en")
    assert "98.7 оноо" in context.text(language="mn")


def test_explanation_normalises_missing_numbers():
    explanation = explain(
        definition=METRICS["gap"], value=float("nan"), sample=math.nan, as_of=AS_OF
    )
    assert explanation.value is None
    assert explanation.sample is None
    assert explanation.text(language="en").startswith(
        "Self-rating vs satisfaction gap: — (ratings and responses: —)."
    )


def test_unknown_language_is_refused():
    explanation = explain(definition=METRICS["gap"], value=40, sample=3, as_of=AS_OF)
    with pytest.raises(ValueError, match="unknown language"):
        explanation.text(language="fr")
