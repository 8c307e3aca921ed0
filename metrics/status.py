"""Traffic lights (DESIGN §4): classify a value, explain the colour, combine colours honestly.

Classes are half-open in the metric's direction, as in DHIS2 legend sets: the threshold itself
belongs to the better colour. Grey means "we cannot say": no value, too small a sample, a metric
without a traffic light, or stale data (which must never look green).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from metrics.definitions import Direction, MetricDefinition, Status

# Worst first: the order in which one colour outranks another in a roll-up.
SEVERITY: tuple[Status, ...] = (Status.RED, Status.YELLOW, Status.GREEN, Status.GREY)


class GreyReason(StrEnum):
    NO_TRAFFIC_LIGHT = "no_traffic_light"
    NO_VALUE = "no_value"
    SMALL_SAMPLE = "small_sample"
    STALE = "stale"


def _is_missing(*, number: object) -> bool:
    if number is None:
        return True
    try:
        return math.isnan(float(number))
    except TypeError:  # pandas.NA and friends: missing by definition
        return True


def grey_reason(
    *, definition: MetricDefinition, value: float | None, sample: float | None, stale: bool
) -> GreyReason | None:
    """Why a value is grey, or None when it earns a colour. Checked in the order a user asks."""
    if not definition.has_traffic_light:
        return GreyReason.NO_TRAFFIC_LIGHT
    if _is_missing(number=value):
        return GreyReason.NO_VALUE
    # An unknown sample size cannot vouch for the minimum, so it counts as too small.
    if _is_missing(number=sample) or float(sample) < definition.min_sample:
        return GreyReason.SMALL_SAMPLE
    # Stale data may never look green, but a stale red or yellow still warns: keep it.
    if stale and _colour(definition=definition, number=float(value)) is Status.GREEN:
        return GreyReason.STALE
    return None


def _colour(*, definition: MetricDefinition, number: float) -> Status:
    green, yellow = float(definition.green), float(definition.yellow)
    if definition.direction is Direction.HIGHER_IS_BETTER:
        if number >= green:
            return Status.GREEN
        return Status.YELLOW if number >= yellow else Status.RED
    if number <= green:
        return Status.GREEN
    return Status.YELLOW if number <= yellow else Status.RED


def classify(
    *,
    definition: MetricDefinition,
    value: float | None,
    sample: float | None,
    stale: bool = False,
) -> Status:
    """The traffic light of ``value`` computed from ``sample`` observations."""
    if grey_reason(definition=definition, value=value, sample=sample, stale=stale) is not None:
        return Status.GREY
    return _colour(definition=definition, number=float(value))


def worst_status(*, statuses: Iterable[Status | str]) -> Status:
    """Red beats yellow beats green; grey only when nothing else is known, so grey never hides."""
    present = {Status(status) for status in statuses}
    return next((status for status in SEVERITY if status in present), Status.GREY)


def status_counts(*, statuses: Iterable[Status | str]) -> dict[Status, int]:
    """How many of each colour, always all four keys, so a roll-up can show the reds it holds."""
    counts = dict.fromkeys(SEVERITY, 0)
    for status in statuses:
        counts[Status(status)] += 1
    return counts


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        Status.GREEN: "green",
        Status.YELLOW: "yellow",
        Status.RED: "red",
        Status.GREY: "grey",
        "pts": "pts",
        "grey_below": "grey below {minimum} {sample_label}",
        "no_light": "no traffic light (shown for context)",
        "value": "{label}: {value} ({sample_label}: {sample}).",
        "rule": "Rule: {formula}",
        "thresholds": "Thresholds: {thresholds}.",
        "as_of": "Data as of {as_of}.",
        "status": "Status: {status}.",
        "grey_status": "Status: grey. {reason}",
        GreyReason.NO_TRAFFIC_LIGHT: "This indicator has no traffic light of its own.",
        GreyReason.SMALL_SAMPLE: "Only {sample} {sample_label}, below the minimum of {minimum}.",
        GreyReason.STALE: "The data are out of date, and stale data are never shown green.",
    },
    "mn": {
        Status.GREEN: "ногоон",
        Status.YELLOW: "шар",
        Status.RED: "улаан",
        Status.GREY: "саарал",
        "pts": "оноо",
        "grey_below": "саарал: {sample_label} < {minimum}",
        "no_light": "гэрлэн дохиогүй (мэдээллийн чанартай)",
        "value": "{label}: {value} ({sample_label}: {sample}).",
        "rule": "Дүрэм: {formula}",
        "thresholds": "Босго: {thresholds}.",
        "as_of": "Өгөгдлийн огноо: {as_of}.",
        "status": "Төлөв: {status}.",
        "grey_status": "Төлөв: саарал. {reason}",
        GreyReason.NO_TRAFFIC_LIGHT: "Энэ үзүүлэлт өөрийн гэрлэн дохиогүй.",
        GreyReason.SMALL_SAMPLE: "Түүвэр хангалтгүй: {sample_label} {sample} < {minimum}.",
        GreyReason.STALE: "Өгөгдөл хуучирсан; хуучирсан өгөгдлийг хэзээ ч ногооноор харуулахгүй.",
    },
}


def _words(*, language: str) -> dict[str, str]:
    if language not in _WORDS:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(_WORDS)}")
    return _WORDS[language]


def _number(*, number: float) -> str:
    # Counts read as counts (12, not 12.0); weighted counts and thresholds keep their decimals.
    if float(number).is_integer():
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _with_unit(*, number: str, unit: str, language: str) -> str:
    unit_word = _words(language=language)["pts"] if unit == "pts" else unit
    return f"{number} {unit_word}".strip()


def thresholds_text(*, definition: MetricDefinition, language: str) -> str:
    """E.g. "green ≥ 90 %, yellow ≥ 70 %, red < 70 %; grey below 1 items due"."""
    words = _words(language=language)
    if not definition.has_traffic_light:
        return words["no_light"]
    higher = definition.direction is Direction.HIGHER_IS_BETTER
    better, worse = ("≥", "<") if higher else ("≤", ">")
    green = _with_unit(
        number=_number(number=definition.green), unit=definition.unit, language=language
    )
    yellow = _with_unit(
        number=_number(number=definition.yellow), unit=definition.unit, language=language
    )
    grey = words["grey_below"].format(
        minimum=definition.min_sample, sample_label=definition.sample_label[language]
    )
    return (
        f"{words[Status.GREEN]} {better} {green}, {words[Status.YELLOW]} {better} {yellow}, "
        f"{words[Status.RED]} {worse} {yellow}; {grey}"
    )


@dataclass(frozen=True, kw_only=True)
class StatusExplanation:
    """Everything a colour rests on: the rule, the inputs, the thresholds and the as-of date."""

    definition: MetricDefinition
    status: Status
    value: float | None  # None, never NaN: explain() normalises missing numbers
    sample: float | None
    as_of: date
    stale: bool
    grey_reason: GreyReason | None

    @property
    def metric_key(self) -> str:
        return self.definition.key

    @property
    def thresholds(self) -> tuple[float, float] | None:
        """(green, yellow) limits, or None for a metric without a traffic light."""
        if not self.definition.has_traffic_light:
            return None
        return float(self.definition.green), float(self.definition.yellow)

    def text(self, *, language: str) -> str:
        """One paragraph in ``language`` ('en' or 'mn') saying why this colour."""
        words = _words(language=language)
        definition = self.definition
        value = "—"
        if self.value is not None:
            value = _with_unit(number=f"{self.value:.1f}", unit=definition.unit, language=language)
        sample = "—" if self.sample is None else _number(number=self.sample)
        sentences = [
            words["value"].format(
                label=definition.label[language],
                value=value,
                sample_label=definition.sample_label[language],
                sample=sample,
            ),
            words["rule"].format(formula=definition.formula[language]),
            words["thresholds"].format(
                thresholds=thresholds_text(definition=definition, language=language)
            ),
            words["as_of"].format(as_of=self.as_of.isoformat()),
            self._status_sentence(language=language, sample=sample),
        ]
        return " ".join(sentences)

    def _status_sentence(self, *, language: str, sample: str) -> str:
        words = _words(language=language)
        if self.grey_reason is None:
            return words["status"].format(status=words[self.status])
        if self.grey_reason is GreyReason.NO_VALUE:
            reason = self.definition.zero_denominator[language]
        else:
            reason = words[self.grey_reason].format(
                sample=sample,
                sample_label=self.definition.sample_label[language],
                minimum=self.definition.min_sample,
            )
        return words["grey_status"].format(reason=reason)


def explain(
    *,
    definition: MetricDefinition,
    value: float | None,
    sample: float | None,
    as_of: date,
    stale: bool = False,
) -> StatusExplanation:
    """Classify and keep the reasons, so every colour on a page can explain itself."""
    return StatusExplanation(
        definition=definition,
        status=classify(definition=definition, value=value, sample=sample, stale=stale),
        value=None if _is_missing(number=value) else float(value),
        sample=None if _is_missing(number=sample) else float(sample),
        as_of=as_of,
        stale=stale,
        grey_reason=grey_reason(definition=definition, value=value, sample=sample, stale=stale),
    )
