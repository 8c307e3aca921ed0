"""Metric definitions (DESIGN §4) as data: the one place pages, exports, docs and tests read.

Thresholds are half-open classes in the metric's direction. For a ``higher`` metric a value is
green when ``value >= green``, yellow when ``value >= yellow``, red otherwise; for a ``lower``
metric green when ``value <= green``, yellow when ``value <= yellow``, red otherwise. A value
computed from fewer than ``min_sample`` observations is grey, as is a missing value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Status(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


@dataclass(frozen=True, kw_only=True)
class MetricDefinition:
    key: str
    label: dict[str, str]
    unit: str
    direction: Direction
    green: float | None
    yellow: float | None
    min_sample: int
    sample_label: dict[str, str]
    formula: dict[str, str]
    zero_denominator: dict[str, str]

    @property
    def has_traffic_light(self) -> bool:
        return self.green is not None and self.yellow is not None

    def with_thresholds(self, *, green: float, yellow: float) -> MetricDefinition:
        """A copy with other thresholds, refusing a pair whose order contradicts the direction."""
        ordered = (
            green >= yellow if self.direction is Direction.HIGHER_IS_BETTER else green <= yellow
        )
        if not ordered:
            raise ValueError(
                f"{self.key}: green {green} and yellow {yellow} are in the wrong order "
                f"for a metric where {self.direction.value} is better"
            )
        return replace(self, green=green, yellow=yellow)


_NO_DATA = {
    "en": "No value: nothing to divide by, shown grey.",
    "mn": "Утга байхгүй: хуваарь тэг, саарлаар харуулна.",
}

METRICS: dict[str, MetricDefinition] = {
    definition.key: definition
    for definition in (
        MetricDefinition(
            key="plan_execution",
            label={"en": "Plan execution", "mn": "Төлөвлөгөөний биелэлт"},
            unit="%",
            direction=Direction.HIGHER_IS_BETTER,
            green=90,
            yellow=70,
            min_sample=1,
            sample_label={"en": "items due", "mn": "хугацаа болсон арга хэмжээ"},
            formula={
                "en": "Σ weight × progress / Σ weight over plan items due by the as-of date; "
                "progress = latest verified %, else latest reported %, else 0.",
                "mn": "Хугацаа нь болсон арга хэмжээний Σ жин × гүйцэтгэл / Σ жин; "
                "гүйцэтгэл = сүүлийн баталгаажсан %, эс бөгөөс сүүлийн тайлагнасан %, эс бөгөөс 0.",
            },
            zero_denominator=_NO_DATA,
        ),
        MetricDefinition(
            key="on_time_rate",
            label={"en": "On-time rate", "mn": "Хугацаандаа биелэлт"},
            unit="%",
            direction=Direction.HIGHER_IS_BETTER,
            green=95,
            yellow=85,
            min_sample=10,
            sample_label={"en": "completed tasks", "mn": "биелсэн даалгавар"},
            formula={
                "en": "(completed early + completed on time) / completed tasks.",
                "mn": "(хугацаанаас өмнө + хугацаандаа биелсэн) / биелсэн даалгавар.",
            },
            zero_denominator=_NO_DATA,
        ),
        MetricDefinition(
            key="overdue_share",
            label={"en": "Overdue share", "mn": "Хугацаа хэтэрсэн хувь"},
            unit="%",
            direction=Direction.LOWER_IS_BETTER,
            green=5,
            yellow=15,
            min_sample=10,
            sample_label={"en": "open tasks", "mn": "нээлттэй даалгавар"},
            formula={
                "en": "open overdue tasks / all open tasks at the as-of date.",
                "mn": "хугацаа хэтэрсэн нээлттэй даалгавар / бүх нээлттэй даалгавар.",
            },
            zero_denominator=_NO_DATA,
        ),
        MetricDefinition(
            key="satisfaction",
            label={"en": "Citizen satisfaction", "mn": "Иргэдийн сэтгэл ханамж"},
            unit="%",
            direction=Direction.HIGHER_IS_BETTER,
            green=70,
            yellow=50,
            min_sample=30,
            sample_label={"en": "responses", "mn": "хариулт"},
            formula={
                "en": "share of survey responses scoring 4 or 5 (of 5), with published results "
                "weighted by respondents; 95 % Wilson interval.",
                "mn": "4 эсвэл 5 оноо өгсөн хариултын хувь (нийтэлсэн дүнг оролцогчдын тоогоор "
                "жинлэнэ); 95 %-ийн Wilson интервал.",
            },
            zero_denominator=_NO_DATA,
        ),
        MetricDefinition(
            key="self_rating",
            label={"en": "Self-rating", "mn": "Өөрийн үнэлгээ"},
            unit="pts",
            direction=Direction.HIGHER_IS_BETTER,
            green=None,
            yellow=None,
            min_sample=1,
            sample_label={"en": "ratings", "mn": "үнэлгээ"},
            formula={
                "en": "mean final score (else self score) of civil servants' ratings, 0–100. "
                "Shown for context: it has no traffic light of its own.",
                "mn": "Төрийн албан хаагчдын эцсийн (эс бөгөөс өөрийн) үнэлгээний дундаж, 0–100. "
                "Өөрийн гэрлэн дохиогүй.",
            },
            zero_denominator=_NO_DATA,
        ),
        MetricDefinition(
            key="gap",
            label={
                "en": "Self-rating vs satisfaction gap",
                "mn": "Үнэлгээ ба сэтгэл ханамжийн зөрүү",
            },
            unit="pts",
            direction=Direction.LOWER_IS_BETTER,
            green=35,
            yellow=45,
            min_sample=1,
            sample_label={"en": "ratings and responses", "mn": "үнэлгээ ба хариулт"},
            formula={
                "en": "self-rating − citizen satisfaction, in points; norm ≤ 35.",
                "mn": "өөрийн үнэлгээ − иргэдийн сэтгэл ханамж, оноогоор; норм ≤ 35.",
            },
            zero_denominator={
                "en": "No value unless both sides have data, shown grey.",
                "mn": "Хоёр талын өгөгдөл байхгүй бол утгагүй, саарал.",
            },
        ),
        MetricDefinition(
            key="online_share",
            label={"en": "Online applications", "mn": "Цахимаар гаргасан өргөдөл"},
            unit="%",
            direction=Direction.HIGHER_IS_BETTER,
            green=80,
            yellow=50,
            min_sample=30,
            sample_label={"en": "applications", "mn": "өргөдөл"},
            formula={
                "en": "online applications / all applications for public services.",
                "mn": "цахим өргөдөл / нийт өргөдөл.",
            },
            zero_denominator=_NO_DATA,
        ),
        MetricDefinition(
            key="commune_coverage",
            label={"en": "Commune readiness coverage", "mn": "Сумын бэлэн байдлын хамрах хүрээ"},
            unit="%",
            direction=Direction.HIGHER_IS_BETTER,
            green=90,
            yellow=60,
            min_sample=1,
            sample_label={"en": "communes checked", "mn": "шалгасан сум"},
            formula={
                "en": "communes meeting every service-centre criterion / communes checked.",
                "mn": "бүх шалгуурыг хангасан сум / шалгасан сум.",
            },
            zero_denominator=_NO_DATA,
        ),
    )
}

# Metrics whose status counts towards a unit's overall status (self-rating only feeds the gap).
STATUS_METRICS: tuple[str, ...] = (
    "plan_execution",
    "on_time_rate",
    "overdue_share",
    "satisfaction",
    "gap",
    "online_share",
    "commune_coverage",
)


def effective_metrics(
    *, overrides: Mapping[str, tuple[float, float]]
) -> dict[str, MetricDefinition]:
    """The definitions with an administrator's (green, yellow) thresholds in place of the
    defaults. Refuses a key without a traffic light, or a pair in the wrong order."""
    effective = dict(METRICS)
    for key, (green, yellow) in overrides.items():
        if key not in STATUS_METRICS:
            raise ValueError(f"{key} has no traffic light whose thresholds could change")
        effective[key] = METRICS[key].with_thresholds(green=green, yellow=yellow)
    return effective


GAP_NORM_POINTS = 35.0
DUE_SOON_DAYS = 7
OVERDUE_AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-7", 1, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("90+", 91, None),
)
SATISFIED_MIN_SCORE = 4
CONFIDENCE_LEVEL = 0.95
STALE_AFTER_DAYS = 90


@dataclass(frozen=True, kw_only=True)
class StatusStyle:
    """How a status looks: a colour-blind-safe colour plus a symbol, so colour is never alone."""

    colour: str
    rgb: tuple[int, int, int]
    symbol: str
    label: dict[str, str]


STATUS_STYLES: dict[Status, StatusStyle] = {
    Status.GREEN: StatusStyle(
        colour="#1b9e77", rgb=(27, 158, 119), symbol="●", label={"en": "green", "mn": "ногоон"}
    ),
    Status.YELLOW: StatusStyle(
        colour="#e6ab02", rgb=(230, 171, 2), symbol="▲", label={"en": "yellow", "mn": "шар"}
    ),
    Status.RED: StatusStyle(
        colour="#d7301f", rgb=(215, 48, 31), symbol="■", label={"en": "red", "mn": "улаан"}
    ),
    Status.GREY: StatusStyle(
        colour="#9e9e9e", rgb=(158, 158, 158), symbol="○", label={"en": "no data", "mn": "мэдээгүй"}
    ),
}


def ageing_column(bucket_label: str) -> str:
    """The column holding an overdue-ageing bucket's count, e.g. ``90+`` → ``overdue_90_plus``."""
    return "overdue_" + bucket_label.replace("-", "_").replace("+", "_plus")


# The rules the SQL aggregation needs, handed to data_access by whoever calls it.
QUERY_RULES: dict[str, object] = {
    "due_soon_days": DUE_SOON_DAYS,
    "ageing_buckets": OVERDUE_AGEING_BUCKETS,
    "satisfied_min_score": SATISFIED_MIN_SCORE,
}


# --------------------------------------------------------------------------------------------
# When green is not green (issue 7): the reality check, self-rating inflation, verification of
# reported progress and the year-end outlook. Kept out of METRICS because these are rules about
# indicators, not indicators with a glossary line of their own.


@dataclass(frozen=True, kw_only=True)
class PaperGreenRule:
    """When a unit's green is only on paper: its process looks green, its citizens say otherwise.

    Process green: every metric in ``process_required`` is green (grey is not green: no data
    vouches for nothing) and every metric in ``process_optional`` is green or grey (a missing
    value cannot contradict the others). A process-green unit with any red outcome is a
    mismatch worth showing; it is "paper green" when at least ``min_red_outcomes`` of its
    ``outcomes``, and at least ``min_red_share`` % of those with data, are red.
    """

    process_required: tuple[str, ...]
    process_optional: tuple[str, ...]
    outcomes: tuple[str, ...]
    min_red_outcomes: int
    min_red_share: float

    @property
    def process(self) -> tuple[str, ...]:
        return (*self.process_required, *self.process_optional)


PAPER_GREEN_RULE = PaperGreenRule(
    process_required=("plan_execution", "on_time_rate"),
    process_optional=("overdue_share",),
    outcomes=("satisfaction", "gap", "online_share", "commune_coverage"),
    min_red_outcomes=1,
    # Every outcome with data red: citizens are badly served however one looks, not on one
    # count only (satisfaction and gap move together, so one weak survey makes two reds).
    min_red_share=100.0,
)

# Self-rating inflation. A rating at or above NEAR_CEILING_SCORE (0–100) sits at the ceiling.
NEAR_CEILING_SCORE = 95.0
# Citizens answer 1–5; staff are rated 0–100. Score s corresponds to ratings from the s-th lower
# edge up to the next, so "satisfied" (4–5) lines up with a rating of 60 or more.
SURVEY_SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)
RATING_BAND_EDGES: tuple[float, ...] = (0.0, 20.0, 40.0, 60.0, 80.0)
# Fewer ratings than this on either side and the distributions are not compared.
INFLATION_MIN_RATINGS = 10
INFLATION_MIN_RESPONSES = METRICS["satisfaction"].min_sample

# Verified against reported progress: an agency whose checked reports exceed the independent
# check by at least OVERSTATEMENT_POINTS on average, over at least OVERSTATEMENT_MIN_CHECKS
# checked reports, overstates its progress.
OVERSTATEMENT_POINTS = 5.0
OVERSTATEMENT_MIN_CHECKS = 2

# Year-end outlook.
COMPLETE_PERCENT = 100.0
# An item's pace is judged only once this many days have passed since it started.
OUTLOOK_MIN_ELAPSED_DAYS = 30

PROJECTED_EXECUTION = MetricDefinition(
    key="projected_execution",
    label={"en": "Projected execution at year end", "mn": "Оны эцсийн төлөвт биелэлт"},
    unit="%",
    direction=Direction.HIGHER_IS_BETTER,
    green=METRICS["plan_execution"].green,
    yellow=METRICS["plan_execution"].yellow,
    min_sample=3,
    sample_label={"en": "month-end observations", "mn": "сарын эцсийн хэмжилт"},
    formula={
        "en": "a straight line through the month-end plan-execution figures of the period, "
        "each weighted by the weight of the items due by then, read at the period end, when "
        "every item of the period is due; 95 % prediction interval. Thresholds as for plan "
        "execution.",
        "mn": "Тухайн үеийн сар бүрийн эцсийн төлөвлөгөөний биелэлтийг (тухайн үед хугацаа нь "
        "болсон арга хэмжээний жингээр жинлэж) шулуун шугамаар тааруулж, бүх арга хэмжээний "
        "хугацаа болох үеийн эцэст уншина; 95 %-ийн таамаглалын интервал. Босго нь "
        "төлөвлөгөөний биелэлтийнхтэй ижил.",
    },
    zero_denominator={
        "en": "No projection: fewer than two month-end observations, shown grey.",
        "mn": "Сарын эцсийн хэмжилт хоёроос цөөн тул таамаглалгүй, саарал.",
    },
)


# --------------------------------------------------------------------------------------------
# Reporting completeness and timeliness, stale data (issue 4, as DHIS2's reporting rates).
# Progress is reported per quarter: an agency responsible for plan items still to be delivered
# in a quarter is expected to report progress on them, at the latest REPORT_DUE_DAYS after the
# quarter ends. Data whose newest fact is more than STALE_AFTER_DAYS before the as-of date are
# stale: marked on the maps, and never shown green.
REPORTING_PERIOD_MONTHS = 3
REPORT_DUE_DAYS = 10
# Which scorecard indicators rest on which kind of facts, for judging their freshness.
FRESHNESS_OF_METRICS: dict[str, tuple[str, ...]] = {
    "tasks": ("on_time_rate", "overdue_share"),
    "plans": ("plan_execution",),
    "satisfaction": ("satisfaction", "gap"),
    "services": ("online_share",),
    "readiness": ("commune_coverage",),
}

# A commune's service-centre conditions, in the order the data standard lists them (DESIGN §3).
READINESS_CRITERIA: tuple[str, ...] = (
    "online_meetings",
    "devices",
    "digital_signature",
    "certificates",
    "staff",
    "software",
)
