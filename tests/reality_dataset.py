"""A hand-made dataset for the reality check, commune readiness, rating inflation, verified
progress and the year-end outlook; every expectation in the tests is worked from it by hand.

Reporting period 2024, as of 2024-09-30. Four provinces, each green or red on process and on
outcomes by construction:

- 10 Paperland: plans 100 %, 10 tasks all on time (no open task: overdue share grey);
  satisfaction 9/30 = 30 % (red), self-rating (100 + 96) / 2 = 98 so gap 68 (red), online
  30/150 = 20 % (red), communes 1001 green and 1002 missing devices: coverage 50 % (red).
  Paper green, mismatch (70 − 30) + (68 − 35) + (80 − 20) + (90 − 50) = 173.
- 20 Trueland: process green; satisfaction 27/30 = 90 %, gap 98 − 90 = 8, online 90 %,
  coverage 100 %: all green, not listed.
- 30 Mixedland: process green (plan 95 %); satisfaction 12/30 = 40 % (red), gap 58 (red), online
  85 % (green), coverage 100 % (green): listed to watch, 2 of 4 red, mismatch 30 + 23 = 53.
- 40 Slowland: process red (10 tasks late, plan 50 %); coverage 0 of 2 communes.

Agencies: each province's governor's office (GOV-10 …) does its province's work; AG-P, a
national agency, is green on process with satisfaction 6/30 = 20 % and self-rating 98 (gap 78):
paper green with mismatch 50 + 43 = 93; GOV-10 is paper green with 40 + 33 + 60 = 133; GOV-30 is
to watch with 53. AG-V checks its reports: reported 90 and 80 against verified 70 and 70.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, insert

from data_access import schema
from metrics.definitions import READINESS_CRITERIA

AS_OF = date(2024, 9, 30)
PERIOD_START = date(2024, 1, 1)
PERIOD_END = date(2024, 12, 31)
CRITERIA = READINESS_CRITERIA

D = date.fromisoformat

_PROVINCES = {"10": "Paperland", "20": "Trueland", "30": "Mixedland", "40": "Slowland"}
_COMMUNES = {"1001": "10", "1002": "10", "2001": "20", "3001": "30", "4001": "40", "4002": "40"}
_GOVERNORS = {code: f"GOV-{code}" for code in _PROVINCES}
_UNIT_OF_GOVERNOR = {"10": "1001", "20": "2001", "30": "3001", "40": "4001"}


def _org_units() -> list[dict]:
    provinces = [
        dict(code=code, name_mn=f"{name} мн", name_en=name, level=1, lat=45.0, lon=100.0 + index)
        for index, (code, name) in enumerate(_PROVINCES.items())
    ]
    communes = [
        dict(
            code=code,
            name_mn=f"Сум {code}",
            name_en=f"Soum {code}",
            level=2,
            parent_code=parent,
            lat=45.0,
            lon=100.0,
        )
        for code, parent in _COMMUNES.items()
    ]
    return provinces + communes


def _agencies() -> list[dict]:
    governors = [
        dict(
            code=agency,
            name_mn=f"{_PROVINCES[province]} ЗДТГ",
            name_en=f"{_PROVINCES[province]} Governor's Office",
            kind="local_government",
            parent_code="CAB",
            org_unit_code=province,
        )
        for province, agency in _GOVERNORS.items()
    ]
    return [
        dict(code="CAB", name_mn="ЗГХЭГ", name_en="Cabinet Secretariat", kind="ministry"),
        *governors,
        dict(code="AG-P", name_mn="Цаасны газар", name_en="Paper Agency", kind="agency",
             parent_code="CAB"),
        dict(code="AG-V", name_mn="Шалгуулдаг газар", name_en="Checked Agency", kind="agency",
             parent_code="CAB"),
    ]  # fmt: skip


# staff code, agency, ratings as (period, self_score, final_score)
_STAFF: tuple[tuple[str, str, tuple[tuple[str, float, float | None], ...]], ...] = (
    ("S10a", "GOV-10", (("2024", 100.0, 100.0), ("2023", 100.0, 10.0))),
    ("S10b", "GOV-10", (("2024", 100.0, 96.0),)),
    ("S20a", "GOV-20", (("2024", 100.0, 98.0),)),
    ("S30a", "GOV-30", (("2024", 100.0, 98.0),)),
    ("S40a", "GOV-40", (("2024", 60.0, 50.0),)),
    ("S40b", "GOV-40", (("2024-H1", 30.0, 20.0),)),  # on a band edge: 20 is band 2
    ("S40c", "GOV-40", (("2024-H2", 90.0, 80.0),)),  # on a band edge: 80 is band 5
    ("SPa", "AG-P", (("2024", 100.0, 99.0),)),
    ("SPb", "AG-P", (("2024", 100.0, 97.0),)),
    ("SV", "AG-V", (("2024", 90.0, None),)),  # no final score: the self score stands in
)


def _staff() -> list[dict]:
    return [
        dict(code=code, agency_code=agency, position_category="specialist")
        for code, agency, _ in _STAFF
    ]


def _ratings() -> list[dict]:
    return [
        dict(staff_code=code, period=period, self_score=own, final_score=final)
        for code, _, ratings in _STAFF
        for period, own, final in ratings
    ]


def _tasks() -> list[dict]:
    """Ten completed control cards per unit: on time for green processes, late for Slowland,
    plus two overdue ones there."""
    rows = []
    owners = [(agency, _UNIT_OF_GOVERNOR[code]) for code, agency in _GOVERNORS.items()]
    for agency, unit in [*owners, ("AG-P", None)]:
        for number in range(10):
            if agency == "GOV-40":
                completed = D("2024-03-01")
            else:
                completed = D("2024-02-15") if number < 5 else D("2024-02-20")
            rows.append(
                dict(
                    code=f"T-{agency}-{number}",
                    title=f"Card {number}",
                    agency_code=agency,
                    org_unit_code=unit,
                    source_kind="directive",
                    issued_on=D("2024-02-01"),
                    due_on=D("2024-02-20"),
                    completed_on=completed,
                )
            )
    rows += [
        dict(
            code=f"T-GOV-40-open-{number}",
            title="Open card",
            agency_code="GOV-40",
            org_unit_code="4001",
            source_kind="directive",
            issued_on=D("2024-04-01"),
            due_on=D("2024-05-01"),
            completed_on=None,
        )
        for number in range(2)
    ]
    return rows


def _plans() -> list[dict]:
    owners = [*_GOVERNORS.values(), "AG-P", "AG-V"]
    return [
        dict(
            code=f"AP-{owner}",
            title_mn=f"{owner} төлөвлөгөө",
            title_en=f"Action plan {owner}",
            kind="action_plan",
            owner_agency_code=owner,
            period_start=PERIOD_START,
            period_end=PERIOD_END,
        )
        for owner in owners
    ]


# item code, plan owner, unit, due date, reports as (reported_on, percent, verified)
_Report = tuple[str, float, float | None]
_ITEMS: tuple[tuple[str, str, str | None, str, tuple[_Report, ...]], ...] = (
    ("I10", "GOV-10", "1001", "2024-03-31", (("2024-03-31", 100.0, 100.0),)),
    ("I20", "GOV-20", "2001", "2024-03-31", (("2024-03-31", 100.0, None),)),
    # Trueland's items still to come: the pace rule's cases (see test_outcomes.py).
    ("R1", "GOV-20", "2001", "2024-12-31", (("2024-06-30", 30.0, None),)),
    ("R2", "GOV-20", "2001", "2024-12-31", (("2024-06-30", 60.0, None),)),
    ("R3", "GOV-20", "2001", "2024-11-30", ()),
    ("R4", "GOV-20", "2001", "2024-12-15", (("2024-06-30", 100.0, None),)),
    ("R5", "GOV-20", "2001", "2025-02-01", (("2024-06-30", 10.0, None),)),
    ("I30", "GOV-30", "3001", "2024-03-31", (("2024-03-31", 95.0, None),)),
    ("I40", "GOV-40", "4001", "2024-03-31", (("2024-03-31", 50.0, None),)),
    ("IP", "AG-P", None, "2024-03-31", (("2024-03-31", 100.0, None),)),
    ("IV1", "AG-V", None, "2024-04-30", (("2024-04-30", 90.0, 70.0),)),
    ("IV2", "AG-V", None, "2024-05-31", (("2024-05-31", 80.0, 70.0),)),
    # Checked after the as-of date: invisible at 2024-09-30.
    ("IV3", "AG-V", None, "2024-10-15", (("2024-10-15", 100.0, 50.0),)),
)


def _plan_items() -> list[dict]:
    return [
        dict(
            code=code,
            plan_code=f"AP-{owner}",
            title=f"Item {code}",
            task_group="digital",
            agency_code=owner,
            org_unit_code=unit,
            due_date=D(due),
            weight=1.0,
        )
        for code, owner, unit, due, _ in _ITEMS
    ]


def _progress_reports() -> list[dict]:
    return [
        dict(
            plan_item_code=code,
            reported_on=D(day),
            percent_complete=percent,
            verified_percent=verified,
        )
        for code, _, _, _, reports in _ITEMS
        for day, percent, verified in reports
    ]


# agency, unit, scores (counts of 1, 2, 3, 4, 5)
_RESPONSES: tuple[tuple[str, str | None, tuple[int, int, int, int, int]], ...] = (
    ("GOV-10", "1001", (7, 7, 7, 4, 5)),
    ("GOV-20", "2001", (0, 0, 3, 12, 15)),
    ("GOV-30", "3001", (0, 18, 0, 12, 0)),
    ("GOV-40", "4001", (30, 0, 0, 0, 0)),
    ("AG-P", None, (12, 0, 12, 6, 0)),
)


def _survey_responses() -> list[dict]:
    rows = []
    for agency, unit, counts in _RESPONSES:
        scores = [score for score, count in enumerate(counts, 1) for _ in range(count)]
        rows += [
            dict(
                code=f"R-{agency}-{index}",
                agency_code=agency,
                org_unit_code=unit,
                responded_on=D("2024-05-01"),
                score=score,
                channel="online",
            )
            for index, score in enumerate(scores)
        ]
    # After the as-of date: not counted.
    rows.append(
        dict(
            code="R-late",
            agency_code="GOV-20",
            org_unit_code="2001",
            responded_on=D("2024-10-01"),
            score=1,
            channel="online",
        )
    )
    return rows


_SURVEY_RESULTS = [
    dict(agency_code="AG-V", org_unit_code="4001", period="2024", respondents=50,
         satisfied_share=0.4),
]  # fmt: skip


def _service_stats() -> list[dict]:
    # unit: (month, applications, online, online results, early, on time, late)
    months = {
        "1001": [
            ("2024-01-01", 100, 20, 10, 10, 80, 10),
            ("2024-02-01", 50, 10, 5, 5, 40, 5),
            ("2024-10-01", 999, 999, 999, 0, 999, 0),  # after the as-of date
        ],
        "2001": [("2024-01-01", 100, 90, 80, 30, 60, 10)],
        "3001": [("2024-01-01", 100, 85, 50, 20, 70, 10)],
        "4001": [("2024-01-01", 100, 10, 5, 0, 50, 50)],
    }
    governor = {unit: _GOVERNORS[province] for province, unit in _UNIT_OF_GOVERNOR.items()}
    return [
        dict(
            org_unit_code=unit,
            agency_code=governor[unit],
            month=D(month),
            applications=applications,
            online_applications=online,
            online_results=results,
            resolved_early=early,
            resolved_on_time=on_time,
            resolved_late=late,
        )
        for unit, rows in months.items()
        for month, applications, online, results, early, on_time, late in rows
    ]


def _readiness_checks() -> list[dict]:
    def check(unit: str, day: str, unmet: tuple[str, ...] = ()) -> list[dict]:
        return [
            dict(org_unit_code=unit, criterion=name, checked_on=D(day), met=name not in unmet)
            for name in CRITERIA
        ]

    return [
        *check("1001", "2024-06-30"),
        *check("1002", "2024-03-31"),  # green once, but the latest check below decides
        *check("1002", "2024-06-30", unmet=("devices",)),
        *check("1002", "2024-12-31"),  # after the as-of date: invisible
        *check("2001", "2024-06-30"),
        *check("3001", "2024-06-30"),
        *check("4001", "2024-06-30", unmet=("devices", "staff")),
        *check("4002", "2024-06-30", unmet=("software",)),
    ]


ROWS: dict[str, list[dict]] = {
    "org_units": _org_units(),
    "agencies": _agencies(),
    "staff": _staff(),
    "plans": _plans(),
    "plan_items": _plan_items(),
    "progress_reports": _progress_reports(),
    "tasks": _tasks(),
    "ratings": _ratings(),
    "survey_responses": _survey_responses(),
    "survey_results": _SURVEY_RESULTS,
    "service_stats": _service_stats(),
    "readiness_checks": _readiness_checks(),
}

_DEFAULTS = {"cancelled": False, "weight": 1.0, "active": True}


def load(connection: Connection) -> None:
    """Insert every row, parents first, and the data-as-of date the app's sidebar starts at."""
    for table in schema.FACT_TABLES_IN_LOAD_ORDER:
        rows = ROWS.get(table.name, [])
        if rows:
            connection.execute(
                insert(table),
                [
                    {
                        column.name: row.get(column.name, _DEFAULTS.get(column.name))
                        for column in table.columns
                    }
                    for row in rows
                ],
            )
    connection.execute(
        insert(schema.dataset_info),
        [
            {"key": "dataset", "value": "reality_fixture", "updated_at": None},
            {"key": "data_as_of", "value": AS_OF.isoformat(), "updated_at": None},
        ],
    )
