"""The data standard's value rules (DESIGN §3) as data, and the validator that applies them.

One place: the validator, the downloadable templates and the rules section of
``docs/data-standard.md`` all read ``RULES``. Types, lengths, required columns and references
come from ``data_access.schema``; ranges, allowed values, row rules, descriptions and examples
are written here.

The validator works on whole columns of text (as read from a CSV or XLSX file) and returns the
typed valid rows plus one error per rejected cell: row number, column, value and a reason code
with its parameters. Reasons are codes, not sentences, so each interface words them in its
own language (``reason_text`` gives the English the command line prints).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute
from sqlalchemy import Boolean, Date, Float, Integer, String, Table

from data_access import schema


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    MONTH = "month"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    PERIOD = "period"


class RowCheck(StrEnum):
    NOT_BEFORE = "not_before"  # column >= other (dates)
    NOT_ABOVE = "not_above"  # column <= other (counts)
    REQUIRED_WHEN = "required_when"  # column present when other == value
    STARTS_WITH = "starts_with"  # column starts with other (codes)
    DIFFERS = "differs"  # column != other (no self-reference)


@dataclass(frozen=True, kw_only=True)
class ColumnRule:
    name: str
    kind: Kind
    required: bool
    description: dict[str, str]
    example: str
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    references: str | None = None  # the referenced table (its key is ``code``)
    default: object | None = None

    @property
    def range_text(self) -> str:
        """E.g. "0–100", "≥ 0", "> 0"; empty when the column has no numeric range."""
        low, high = _plain(self.minimum), _plain(self.maximum)
        if low is not None and high is not None:
            return f"{low}–{high}"
        if low is not None:
            return f"{'>' if self.exclusive_minimum else '≥'} {low}"
        return f"≤ {high}" if high is not None else ""


@dataclass(frozen=True, kw_only=True)
class RowRule:
    check: RowCheck
    column: str
    other: str
    value: object | None = None  # for REQUIRED_WHEN: the other column's triggering value
    description: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class AgencyLink:
    """How a row of a table belongs to an agency: a column of its own, or through a lookup
    (e.g. a progress report → its plan item → the item's agency)."""

    column: str
    via: Table | None = None
    via_column: str = "agency_code"


@dataclass(frozen=True, kw_only=True)
class TableRules:
    table: Table
    columns: tuple[ColumnRule, ...]
    description: dict[str, str]
    row_rules: tuple[RowRule, ...] = ()
    agency: AgencyLink | None = None
    not_in_files: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.table.primary_key.columns)

    @property
    def by_name(self) -> dict[str, ColumnRule]:
        return {rule.name: rule for rule in self.columns}


DATE_MIN = date(1990, 1, 1)
DATE_MAX = date(2100, 12, 31)
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included); only serials inside the
# accepted date range are taken as dates, so a year typed as 2024 is not read as 1905-07-16.
EXCEL_EPOCH = date(1899, 12, 30)
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "тийм", "үнэн"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "үгүй", "худал"})


def _plain(number: float | None) -> str | None:
    if number is None:
        return None
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _column_rule(table: Table, name: str, spec: Mapping[str, object]) -> ColumnRule:
    """A column's rule: type, length, requiredness and reference read from the schema, the
    rest from ``spec``."""
    column = table.columns[name]
    references = next(iter(column.foreign_keys), None)
    choices = tuple(spec.get("choices", ()))
    default = spec.get("default")
    return ColumnRule(
        name=name,
        kind=Kind(spec.get("kind") or (Kind.CHOICE if choices else _kind_of(column.type))),
        required=not column.nullable and default is None,
        description={"en": str(spec["en"]), "mn": str(spec["mn"])},
        example=str(spec["example"]),
        max_length=getattr(column.type, "length", None),
        minimum=spec.get("minimum"),
        maximum=spec.get("maximum"),
        exclusive_minimum=bool(spec.get("exclusive_minimum", False)),
        choices=choices,
        references=references.column.table.name if references is not None else None,
        default=default,
    )


def _kind_of(column_type: object) -> Kind:
    kinds = ((Boolean, Kind.BOOLEAN), (Integer, Kind.INTEGER), (Float, Kind.NUMBER))
    for sql_type, kind in (*kinds, (Date, Kind.DATE), (String, Kind.TEXT)):
        if isinstance(column_type, sql_type):
            return kind
    return Kind.TEXT


def _c(en: str, mn: str, example: str, **constraints: object) -> dict[str, object]:
    return {"en": en, "mn": mn, "example": example, **constraints}


AGENCY_KINDS = ("ministry", "agency", "local_government", "other")
PLAN_KINDS = ("policy", "action_plan", "program")
SOURCE_KINDS = ("directive", "plan_item", "citizen_request", "document")
CHANNELS = ("online", "in_person", "phone")
CRITERIA = ("online_meetings", "devices", "digital_signature", "certificates", "staff", "software")

_PERCENT = {"minimum": 0, "maximum": 100}
_COUNT = {"minimum": 0}
_NATIONAL = "хаана; хоосон = улсын хэмжээнд"
_PERIOD_TEXT = ("YYYY, YYYY-H1 or YYYY-H2", "YYYY, YYYY-H1 эсвэл YYYY-H2", "2025-H1")

# Per table, per column: description (English, Mongolian), template example, constraints.
COLUMN_SPECS: dict[str, dict[str, dict[str, object]]] = {
    "org_units": {
        "code": _c(
            "national statistical code; a level-2 code starts with its province's code",
            "үндэсний статистикийн код; 2-р түвшний код аймгийнхаа кодоор эхэлнэ",
            "4107",
        ),
        "name_mn": _c("name in Mongolian", "монгол нэр", "Сум 7"),
        "name_en": _c("name in English", "англи нэр", "Soum 7"),
        "level": _c(
            "1 = province/aimag or the capital, 2 = district/soum/commune",
            "1 = аймаг эсвэл нийслэл, 2 = дүүрэг/сум",
            "2",
            minimum=1,
            maximum=2,
        ),
        "parent_code": _c(
            "the province of a level-2 unit; blank for level 1",
            "2-р түвшний нэгжийн аймаг; 1-р түвшинд хоосон",
            "41",
        ),
        "lat": _c("latitude of the centre, WGS 84", "төвийн өргөрөг, WGS 84", "47.71",
                  minimum=-90, maximum=90),
        "lon": _c("longitude of the centre, WGS 84", "төвийн уртраг, WGS 84", "106.95",
                  minimum=-180, maximum=180),
    },
    "agencies": {
        "code": _c("agency code", "байгууллагын код", "AG-050"),
        "name_mn": _c("name in Mongolian", "монгол нэр", "Жишээ агентлаг"),
        "name_en": _c("name in English", "англи нэр", "Example Agency"),
        "kind": _c("kind of body", "байгууллагын төрөл", "agency", choices=AGENCY_KINDS),
        "parent_code": _c("the supervising ministry", "харьяалах яам", "MIN-01"),
        "org_unit_code": _c("the unit it serves; blank = national",
                            "үйлчлэх нэгж; хоосон = улсын хэмжээнд", ""),
    },
    "staff": {
        "code": _c("pseudonymous staff code (no names)", "албан хаагчийн нууцлагдсан код",
                   "ST-000123"),
        "agency_code": _c("employing agency", "ажил олгогч байгууллага", "AG-001"),
        "position_category": _c("position category, e.g. specialist, manager",
                                "албан тушаалын ангилал", "specialist"),
        "active": _c("still employed (true/false); blank = true",
                     "ажиллаж байгаа эсэх; хоосон = true", "true", default=True),
    },
    "plans": {
        "code": _c("plan code", "төлөвлөгөөний код", "PL-2025-01"),
        "title_mn": _c("title in Mongolian", "монгол нэр", "2025 оны үйл ажиллагааны төлөвлөгөө"),
        "title_en": _c("title in English", "англи нэр", "Action plan 2025"),
        "kind": _c(
            "policy = development-policy document, action_plan = annual action plan, program",
            "policy = бодлогын баримт бичиг, action_plan = жилийн төлөвлөгөө, program = хөтөлбөр",
            "action_plan",
            choices=PLAN_KINDS,
        ),
        "owner_agency_code": _c("owning agency", "хариуцах байгууллага", "AG-001"),
        "period_start": _c("first day", "эхлэх өдөр", "2025-01-01"),
        "period_end": _c("last day", "дуусах өдөр", "2025-12-31"),
    },
    "plan_items": {
        "code": _c("plan item code", "арга хэмжээний код", "PL-2025-01-007"),
        "plan_code": _c("the plan", "төлөвлөгөө", "PL-2025-01"),
        "title": _c("what is to be done", "арга хэмжээ", "Digitise land registration"),
        "task_group": _c("task group, e.g. economy, social", "ажлын чиглэл", "digital"),
        "agency_code": _c("responsible agency", "хариуцах байгууллага", "AG-001"),
        "org_unit_code": _c("where; blank = national", _NATIONAL, "41"),
        "due_date": _c("deadline", "дуусах хугацаа", "2025-09-30"),
        "weight": _c("weight in plan execution; blank = 1", "жин; хоосон = 1", "1",
                     minimum=0, exclusive_minimum=True, default=1.0),
    },
    "progress_reports": {
        "plan_item_code": _c("the plan item", "арга хэмжээ", "PL-2025-01-007"),
        "reported_on": _c("date of the report", "тайлангийн огноо", "2025-06-30"),
        "percent_complete": _c("reported progress, %", "тайлагнасан гүйцэтгэл, %", "60",
                               **_PERCENT),
        "verified_percent": _c(
            "progress found by an independent check, %; optional",
            "хөндлөнгийн шалгалтаар тогтоосон гүйцэтгэл, %",
            "55",
            **_PERCENT,
        ),
    },
    "tasks": {
        "code": _c("control-card number", "хяналтын картын дугаар", "T-2025-000001"),
        "title": _c("what was assigned", "даалгавар", "Reply to a citizen's request"),
        "agency_code": _c("responsible agency", "хариуцах байгууллага", "AG-001"),
        "staff_code": _c("responsible civil servant (code)", "хариуцах албан хаагч (код)",
                         "ST-000123"),
        "org_unit_code": _c("where; blank = national", _NATIONAL, "4107"),
        "task_group": _c("task group", "ажлын чиглэл", "social"),
        "source_kind": _c("where the task came from", "даалгаврын эх сурвалж",
                          "citizen_request", choices=SOURCE_KINDS),
        "plan_item_code": _c("plan item it implements; optional", "хэрэгжүүлэх арга хэмжээ", ""),
        "issued_on": _c("date assigned", "өгсөн огноо", "2025-03-03"),
        "due_on": _c("deadline", "дуусах хугацаа", "2025-03-17"),
        "completed_on": _c("date done; blank = open", "биелсэн огноо; хоосон = нээлттэй",
                           "2025-03-14"),
        "cancelled": _c("withdrawn (true/false); blank = false",
                        "цуцлагдсан эсэх; хоосон = false", "false", default=False),
    },
    "ratings": {
        "staff_code": _c("the civil servant (code)", "албан хаагч (код)", "ST-000123"),
        "period": _c(*_PERIOD_TEXT, kind=Kind.PERIOD),
        "self_score": _c("self-evaluation", "өөрийн үнэлгээ", "98", **_PERCENT),
        "supervisor_score": _c("supervisor's score", "удирдлагын үнэлгээ", "95", **_PERCENT),
        "final_score": _c("final score", "эцсийн үнэлгээ", "96", **_PERCENT),
    },
    "survey_responses": {
        "code": _c("response code", "хариултын код", "SR-2025-000001"),
        "agency_code": _c("agency rated", "үнэлүүлсэн байгууллага", "AG-001"),
        "org_unit_code": _c("where the service was given", "үйлчилгээ үзүүлсэн газар", "4107"),
        "service_code": _c("service code", "үйлчилгээний код", "SVC-LAND"),
        "responded_on": _c("date of the answer", "хариулсан огноо", "2025-04-02"),
        "score": _c("4 and 5 count as satisfied", "4 ба 5 сэтгэл хангалуун", "4",
                    minimum=1, maximum=5),
        "channel": _c("how the service was used", "үйлчилгээ авсан хэлбэр", "online",
                      choices=CHANNELS),
    },
    "survey_results": {
        "agency_code": _c("agency rated", "үнэлүүлсэн байгууллага", "AG-002"),
        "org_unit_code": _c("unit surveyed", "судалгаа хийсэн нэгж", "11"),
        "period": _c(*_PERIOD_TEXT, kind=Kind.PERIOD),
        "respondents": _c("people who answered", "оролцогчдын тоо", "420", minimum=1),
        "satisfied_share": _c("share satisfied (45 % is 0.45)",
                              "сэтгэл хангалуун хувь (45 % = 0.45)", "0.45",
                              minimum=0, maximum=1),
    },
    "service_stats": {
        "org_unit_code": _c("unit", "нэгж", "4107"),
        "agency_code": _c("agency", "байгууллага", "GOV-41"),
        "month": _c("YYYY-MM or the month's first day", "YYYY-MM эсвэл сарын 1-ний өдөр",
                    "2025-03", kind=Kind.MONTH),
        "applications": _c("applications received", "хүлээн авсан өргөдөл", "250", **_COUNT),
        "online_applications": _c("of which online", "үүнээс цахимаар", "120", **_COUNT),
        "online_results": _c("results returned online", "цахимаар хариу өгсөн", "90",
                             **_COUNT),
        "resolved_early": _c("resolved before the deadline", "хугацаанаас өмнө шийдсэн", "60",
                             **_COUNT),
        "resolved_on_time": _c("resolved on the deadline", "хугацаандаа шийдсэн", "170",
                               **_COUNT),
        "resolved_late": _c("resolved late", "хугацаа хэтрүүлж шийдсэн", "20", **_COUNT),
    },
    "readiness_checks": {
        "org_unit_code": _c("the commune (level 2)", "сум (2-р түвшин)", "4107"),
        "criterion": _c("service-centre condition", "үйлчилгээний төвийн нөхцөл", "devices",
                        choices=CRITERIA),
        "checked_on": _c("date of the check", "шалгасан огноо", "2025-09-30"),
        "met": _c("condition met (true/false)", "хангасан эсэх", "true"),
    },
}  # fmt: skip


TABLE_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "org_units": {
        "en": "Provinces (aimags and the capital) and their districts and soums.",
        "mn": "Аймаг, нийслэл, тэдгээрийн сум, дүүрэг.",
    },
    "agencies": {
        "en": "Ministries, agencies and local governments.",
        "mn": "Яам, агентлаг, орон нутгийн захиргаа.",
    },
    "staff": {"en": "Civil servants, by code only.", "mn": "Төрийн албан хаагчид (кодоор)."},
    "plans": {
        "en": "Development-policy documents, annual action plans and programs.",
        "mn": "Бодлогын баримт бичиг, жилийн төлөвлөгөө, хөтөлбөр.",
    },
    "plan_items": {"en": "The measures of a plan.", "mn": "Төлөвлөгөөний арга хэмжээ."},
    "progress_reports": {
        "en": "Progress of a plan item on a date; an independent check may add a verified %.",
        "mn": "Арга хэмжээний гүйцэтгэлийн тайлан; баталгаажсан хувь сонголттой.",
    },
    "tasks": {
        "en": "Control cards: every assigned task, who, due when, done when.",
        "mn": "Хяналтын карт: даалгавар бүр, хариуцагч, хугацаа, биелэлт.",
    },
    "ratings": {
        "en": "Civil servants' performance ratings per period.",
        "mn": "Албан хаагчийн гүйцэтгэлийн үнэлгээ.",
    },
    "survey_responses": {
        "en": "Citizens' answers to the satisfaction survey.",
        "mn": "Иргэдийн сэтгэл ханамжийн судалгааны хариулт.",
    },
    "survey_results": {
        "en": "Published survey results when the raw answers are not available.",
        "mn": "Нийтэлсэн судалгааны дүн.",
    },
    "service_stats": {
        "en": "Monthly counts of applications for public services.",
        "mn": "Төрийн үйлчилгээний өргөдлийн сарын тоо.",
    },
    "readiness_checks": {
        "en": "A commune's service-centre conditions, checked on a date.",
        "mn": "Сумын үйлчилгээний төвийн нөхцөлийн шалгалт.",
    },
}


def _row(check: RowCheck, column: str, other: str, en: str, mn: str, **extra: object) -> RowRule:
    return RowRule(
        check=check,
        column=column,
        other=other,
        value=extra.get("value"),
        description={"en": en, "mn": mn},
    )


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "org_units": (
        _row(RowCheck.REQUIRED_WHEN, "parent_code", "level", value=2,
             en="a level-2 unit names its province in parent_code",
             mn="2-р түвшний нэгжид parent_code заавал"),
        _row(RowCheck.STARTS_WITH, "code", "parent_code",
             en="code starts with parent_code", mn="code нь parent_code-оор эхэлнэ"),
        _row(RowCheck.DIFFERS, "parent_code", "code",
             en="a unit is not its own parent", mn="нэгж өөрийнхөө эх биш"),
    ),
    "agencies": (
        _row(RowCheck.DIFFERS, "parent_code", "code",
             en="an agency does not supervise itself", mn="байгууллага өөрийгөө харьяалахгүй"),
    ),
    "plans": (
        _row(RowCheck.NOT_BEFORE, "period_end", "period_start",
             en="period_end is not before period_start",
             mn="period_end нь period_start-аас өмнө биш"),
    ),
    "tasks": (
        _row(RowCheck.NOT_BEFORE, "due_on", "issued_on",
             en="due_on is not before issued_on", mn="due_on нь issued_on-оос өмнө биш"),
        _row(RowCheck.NOT_BEFORE, "completed_on", "issued_on",
             en="completed_on is blank or not before issued_on",
             mn="completed_on хоосон эсвэл issued_on-оос өмнө биш"),
    ),
    "service_stats": (
        _row(RowCheck.NOT_ABOVE, "online_applications", "applications",
             en="online_applications ≤ applications", mn="online_applications ≤ applications"),
        _row(RowCheck.NOT_ABOVE, "online_results", "applications",
             en="online_results ≤ applications", mn="online_results ≤ applications"),
    ),
}  # fmt: skip

AGENCY_LINKS: dict[str, AgencyLink] = {
    "agencies": AgencyLink(column="code"),
    "staff": AgencyLink(column="agency_code"),
    "plans": AgencyLink(column="owner_agency_code"),
    "plan_items": AgencyLink(column="agency_code"),
    "progress_reports": AgencyLink(column="plan_item_code", via=schema.plan_items),
    "tasks": AgencyLink(column="agency_code"),
    "ratings": AgencyLink(column="staff_code", via=schema.staff),
    "survey_responses": AgencyLink(column="agency_code"),
    "survey_results": AgencyLink(column="agency_code"),
    "service_stats": AgencyLink(column="agency_code"),
}

NOT_IN_FILES: dict[str, dict[str, dict[str, str]]] = {
    "org_units": {
        "geometry": {
            "en": "the boundary (GeoJSON) comes from the boundary upload, not from table files",
            "mn": "хил (GeoJSON)-ийг хилийн файлаар оруулна",
        }
    }
}


def _rules() -> dict[str, TableRules]:
    rules: dict[str, TableRules] = {}
    for table in schema.FACT_TABLES_IN_LOAD_ORDER:
        specs = COLUMN_SPECS[table.name]
        described = set(specs) | set(NOT_IN_FILES.get(table.name, {}))
        if described != {column.name for column in table.columns}:
            raise RuntimeError(f"COLUMN_SPECS for {table.name} do not match the schema")
        rules[table.name] = TableRules(
            table=table,
            columns=tuple(_column_rule(table, name, spec) for name, spec in specs.items()),
            description=TABLE_DESCRIPTIONS[table.name],
            row_rules=ROW_RULES.get(table.name, ()),
            agency=AGENCY_LINKS.get(table.name),
            not_in_files=NOT_IN_FILES.get(table.name, {}),
        )
    return rules


RULES: dict[str, TableRules] = _rules()
TABLE_NAMES: tuple[str, ...] = tuple(table.name for table in schema.FACT_TABLES_IN_LOAD_ORDER)

# Reasons: a code per kind of problem and the English wording (the UI catalogs hold the
# Mongolian and English wording under ``reason.<code>`` with the same placeholders).
REASONS: dict[str, str] = {
    "file_empty": "The file is empty.",
    "file_too_large": "The file is {size_mb} MB; the limit is {limit_mb} MB.",
    "not_decodable": "The text could not be read as UTF-8 or Windows-1251 (Cyrillic). "
    "Save the file as CSV UTF-8.",
    "binary_content": "This is not a text (CSV) file. Upload CSV or XLSX.",
    "legacy_xls": "Old Excel format (.xls). Save it as .xlsx or CSV UTF-8.",
    "bad_xlsx": "The Excel file could not be opened ({detail}).",
    "bad_csv": "The CSV file could not be read ({detail}).",
    "no_header": "No header row: the first row must name the columns.",
    "no_rows": "The file has a header but no data rows.",
    "unknown_column": "Unknown column. This table's columns are: {allowed}.",
    "not_in_files": "This column cannot be imported from a file ({why}).",
    "missing_column": "Required column missing.",
    "duplicate_column": "The column appears more than once.",
    "unnamed_column": "Column {position} has values but no name.",
    "extra_values": "The row has {count} values; the header has {expected} columns.",
    "required": "Required: the cell is empty.",
    "too_long": "Too long: at most {max_length} characters.",
    "not_integer": "Not a whole number.",
    "not_number": "Not a number.",
    "below_minimum": "Out of range: must be {range}.",
    "above_maximum": "Out of range: must be {range}.",
    "not_a_date": "Not a date: write YYYY-MM-DD (e.g. 2025-03-31).",
    "impossible_date": "No such date in the calendar.",
    "date_out_of_range": "Date outside {minimum} – {maximum}.",
    "not_a_month": "Not a month: write YYYY-MM or the first day of the month.",
    "not_boolean": "Not true/false (also accepted: yes/no, 1/0).",
    "not_allowed": "Not one of: {choices}.",
    "not_a_period": "Not a period: write YYYY, YYYY-H1 or YYYY-H2.",
    "unknown_reference": "Unknown code: no row of {table} has it, in the database or in this file.",
    "reference_rejected": "Refers to {value} in row {other_row} of this file, which is rejected.",
    "before_other": "Before {other} ({other_value}).",
    "above_other": "Greater than {other} ({other_value}).",
    "required_when": "Required when {other} is {other_value}.",
    "prefix": "Does not start with {other} ({other_value}).",
    "same_as": "Must differ from {other}.",
    "duplicate_key": "Duplicate key: the same {columns} is in row {other_row}.",
    "not_json": "Not a GeoJSON file: the JSON could not be read ({detail}).",
    "not_feature_collection": "Not a GeoJSON FeatureCollection.",
    "no_features": "The GeoJSON file has no features.",
    "database_error": "The database refused the rows ({detail}); nothing was imported.",
}

HEADER_CODES = frozenset(
    {"unknown_column", "not_in_files", "missing_column", "duplicate_column", "unnamed_column"}
)
ERROR_COLUMNS = ["row", "column", "value", "code", "reason", "params"]


def reason_text(code: str, params: Mapping[str, object]) -> str:
    """The English wording of a reason (what the command line prints)."""
    return REASONS[code].format(**params)


class FileProblemError(ValueError):
    """A problem with the whole file (not one row): nothing in it can be imported."""

    def __init__(self, code: str, *, row: int | None = None, **params: object) -> None:
        super().__init__(reason_text(code, params))
        self.code = code
        self.row = row
        self.params = params


def file_problem_frame(problem: FileProblemError, *, column: str | None = None) -> pd.DataFrame:
    return error_frame(
        [
            {
                "row": problem.row,
                "column": column,
                "value": "",
                "code": problem.code,
                "params": problem.params,
            }
        ]
    )


def error_frame(records: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """Errors as a table with the English reason filled in, sorted by row."""
    if not records:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in ERROR_COLUMNS})
    frame = pd.DataFrame(list(records))
    frame["reason"] = [
        reason_text(c, p) for c, p in zip(frame["code"], frame["params"], strict=True)
    ]
    frame["row"] = frame["row"].astype("Int64")
    return frame[ERROR_COLUMNS]


@dataclass(frozen=True)
class Validated:
    """What the validator found: the typed valid rows (with their file row numbers in ``_row``)
    and every error; ``rejected_rows`` counts rows with at least one error."""

    rows: pd.DataFrame
    errors: pd.DataFrame
    rows_read: int
    header_ok: bool

    @property
    def rejected_rows(self) -> int:
        if self.errors.empty:
            return 0
        return int(self.errors["row"].dropna().nunique()) if self.header_ok else self.rows_read


ROW = "_row"


def check_header(
    *, rules: TableRules, columns: Sequence[str], header_row: int
) -> list[dict[str, object]]:
    """Header problems: unknown, not importable, missing required or repeated columns."""
    errors: list[dict[str, object]] = []
    known = rules.by_name
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if name == "":
            errors.append(
                _header_error(row=header_row, column="", code="unnamed_column", position=position)
            )
        elif name in seen:
            errors.append(_header_error(row=header_row, column=name, code="duplicate_column"))
        elif name in rules.not_in_files:
            errors.append(
                _header_error(
                    row=header_row,
                    column=name,
                    code="not_in_files",
                    why=rules.not_in_files[name]["en"],
                )
            )
        elif name not in known:
            errors.append(
                _header_error(
                    row=header_row, column=name, code="unknown_column", allowed=", ".join(known)
                )
            )
        seen.add(name)
    for rule in rules.columns:
        if rule.required and rule.name not in seen:
            errors.append(_header_error(row=header_row, column=rule.name, code="missing_column"))
    return errors


def _header_error(*, row: int, column: str, code: str, **params: object) -> dict[str, object]:
    return {"row": row, "column": column, "value": column, "code": code, "params": params}


def validate(
    *,
    rules: TableRules,
    cells: pd.DataFrame,
    row_numbers: Sequence[int] | np.ndarray,
    known_codes: Mapping[str, Collection[str]],
    header_row: int = 1,
    extra_errors: Sequence[Mapping[str, object]] = (),
) -> Validated:
    """Check every cell and row of a file's text ``cells`` (one column per header name).

    ``known_codes`` holds the codes already in the database for every referenced table; codes
    of valid rows of this same file count too (an agency file may name its own parents).
    ``header_row`` is the header's row number; ``extra_errors`` are problems the reader found
    (e.g. a row with too many values).
    """
    return combined(
        list(
            validate_in_chunks(
                rules=rules,
                cells=cells,
                row_numbers=row_numbers,
                known_codes=known_codes,
                header_row=header_row,
                extra_errors=extra_errors,
                chunk_rows=max(len(cells), 1),
            )
        )
    )


def validate_in_chunks(
    *,
    rules: TableRules,
    cells: pd.DataFrame,
    row_numbers: Sequence[int] | np.ndarray,
    known_codes: Mapping[str, Collection[str]],
    header_row: int,
    extra_errors: Sequence[Mapping[str, object]],
    chunk_rows: int,
) -> Iterator[Validated]:
    """``validate``, ``chunk_rows`` rows at a time, so that an import can write the valid rows
    of one chunk while the next is checked; ``combined`` of all chunks is what ``validate``
    returns. The checks that span the file come first (the header, duplicate keys); a table
    whose rows may name each other (agencies, units) comes in one chunk, since a row's parent
    may be rejected further down the file."""
    rows_read = len(cells)
    header_errors = check_header(rules=rules, columns=list(cells.columns), header_row=header_row)
    if header_errors:
        # Until the header fits, problems of single rows would only be noise.
        yield Validated(
            rows=pd.DataFrame(),
            errors=error_frame(header_errors),
            rows_read=rows_read,
            header_ok=False,
        )
        return
    numbers = np.asarray(row_numbers, dtype=np.int64)
    duplicates = _duplicate_keys(rules=rules, cells=cells, row_numbers=numbers)
    # Looked up in every chunk: made into Arrow arrays once (pandas would convert each time).
    known = {
        table: pyarrow.array([str(code) for code in codes], type=pyarrow.string())
        for table, codes in known_codes.items()
    }
    whole = any(rule.references == rules.name for rule in rules.columns)
    starts = [0] if whole else chunk_starts(rows=rows_read, chunk_rows=chunk_rows)
    # The reader's problems go with the chunk of their row (those of no row with the first).
    records: dict[int, list[Mapping[str, object]]] = {}
    for record in extra_errors:
        row = record.get("row")
        position = 0 if row is None else int(np.searchsorted(numbers, int(row)))
        chunk = int(np.searchsorted(starts, position, side="right")) - 1
        records.setdefault(max(chunk, 0), []).append(record)
    for index, (start, stop) in enumerate(zip(starts, [*starts[1:], rows_read], strict=True)):
        yield _validate_chunk(
            rules=rules,
            cells=cells.iloc[start:stop],
            numbers=numbers[start:stop],
            known_codes=known,
            extra_errors=records.get(index, []),
            duplicates=duplicates[start:stop],
        )


# The first chunk is this much smaller than the rest: the database starts writing as soon as
# possible, and the later chunks are checked while it writes.
_FIRST_CHUNK_DIVISOR = 10


def chunk_starts(*, rows: int, chunk_rows: int) -> list[int]:
    """Where each chunk of a file of ``rows`` rows starts: a small first chunk, then
    ``chunk_rows`` rows at a time."""
    first = max(chunk_rows // _FIRST_CHUNK_DIVISOR, 1)
    if rows <= first:
        return [0]
    return [0, *range(first, rows, chunk_rows)]


def combined(parts: Sequence[Validated]) -> Validated:
    """One ``Validated`` for the chunks ``parts`` of a file, in file order."""
    if len(parts) == 1:
        return parts[0]
    rows = [part.rows for part in parts if not part.rows.empty]
    errors = [part.errors for part in parts if not part.errors.empty]
    return Validated(
        rows=pd.concat(rows, ignore_index=True) if rows else parts[0].rows,
        errors=pd.concat(errors, ignore_index=True) if errors else error_frame([]),
        rows_read=sum(part.rows_read for part in parts),
        header_ok=all(part.header_ok for part in parts),
    )


def _validate_chunk(
    *,
    rules: TableRules,
    cells: pd.DataFrame,
    numbers: np.ndarray,
    known_codes: Mapping[str, pyarrow.Array],
    extra_errors: Sequence[Mapping[str, object]],
    duplicates: pd.DataFrame,
) -> Validated:
    rows_read = len(cells)
    text = cells.apply(lambda column: column.fillna("").astype(str).str.strip()).set_axis(
        pd.RangeIndex(rows_read)
    )
    collector = _Errors(row_numbers=numbers, text=text)
    for record in extra_errors:
        collector.add_record(record)
    values = {
        rule.name: _parse_column(rule=rule, text=text[rule.name], errors=collector)
        for rule in rules.columns
        if rule.name in text.columns
    }
    typed = pd.DataFrame(values, index=text.index)
    for row_rule in rules.row_rules:
        if row_rule.column in typed.columns and row_rule.other in typed.columns:
            _check_row_rule(rule=row_rule, typed=typed, errors=collector)
    if not duplicates.empty:
        collector.add(
            mask=duplicates["repeated"].to_numpy(),
            column=rules.key[0],
            code="duplicate_key",
            params=duplicates["params"][duplicates["repeated"]].tolist(),
        )
    _check_references(rules=rules, typed=typed, known=known_codes, errors=collector)
    valid = ~collector.bad_rows()
    rows = typed.loc[valid].copy()
    rows.insert(0, ROW, numbers[valid])
    return Validated(
        rows=rows.reset_index(drop=True),
        errors=collector.frame(),
        rows_read=rows_read,
        header_ok=True,
    )


class _Errors:
    """Collects errors as column-wise batches (fast for files with many bad rows)."""

    def __init__(self, *, row_numbers: np.ndarray, text: pd.DataFrame) -> None:
        self.row_numbers = row_numbers
        self.text = text
        self.batches: list[pd.DataFrame] = []
        self.records: list[dict[str, object]] = []
        self._bad = np.zeros(len(row_numbers), dtype=bool)

    def add(
        self,
        *,
        mask: pd.Series | np.ndarray,
        column: str,
        code: str,
        params: Mapping[str, object] | Sequence[Mapping[str, object]] | None = None,
    ) -> None:
        where = np.asarray(mask, dtype=bool)
        if not where.any():
            return
        count = int(where.sum())
        if params is None or isinstance(params, Mapping):
            listed = [dict(params or {})] * count
        else:
            listed = list(params)
        self.batches.append(
            pd.DataFrame(
                {
                    "position": np.flatnonzero(where),
                    "column": column,
                    "value": self.text[column].to_numpy()[where],
                    "code": code,
                    "params": listed,
                }
            )
        )
        self._bad |= where

    def add_record(self, record: Mapping[str, object]) -> None:
        self.records.append(dict(record))
        row = record.get("row")
        if row is not None:
            self._bad |= self.row_numbers == int(row)

    def bad_rows(self) -> np.ndarray:
        return self._bad.copy()

    def frame(self) -> pd.DataFrame:
        parts = []
        if self.batches:
            batch = pd.concat(self.batches, ignore_index=True)
            batch.insert(0, "row", self.row_numbers[batch.pop("position").to_numpy()])
            parts.append(batch)
        if self.records:
            parts.append(pd.DataFrame(self.records))
        if not parts:
            return error_frame([])
        joined = pd.concat(parts, ignore_index=True)
        errors = error_frame(joined.to_dict("records"))
        return errors.sort_values(
            ["row", "column"], kind="stable", na_position="first"
        ).reset_index(drop=True)


_Problem = tuple[pd.Series, str, dict[str, object]]
_Result = tuple[pd.Series, list[_Problem]]


def _parse_column(*, rule: ColumnRule, text: pd.Series, errors: _Errors) -> pd.Series:
    blank = text == ""
    if rule.required:
        errors.add(mask=blank, column=rule.name, code="required")
    match rule.kind:
        case Kind.TEXT:
            parsed, problems = _parse_text(text=text, blank=blank, max_length=rule.max_length)
        case Kind.CHOICE:
            parsed, problems = _parse_choice(text=text, blank=blank, choices=rule.choices)
        case Kind.PERIOD:
            parsed, problems = _parse_period(text=text, blank=blank)
        case Kind.INTEGER:
            parsed, problems = _parse_integer(text=text, blank=blank)
        case Kind.NUMBER:
            parsed, problems = _parse_number(text=text, blank=blank)
        case Kind.DATE:
            parsed, problems = _dates(text=text, blank=blank)
        case Kind.MONTH:
            parsed, problems = _parse_month(text=text, blank=blank)
        case _:
            parsed, problems = _parse_boolean(text=text, blank=blank)
    for mask, code, params in problems:
        errors.add(mask=mask, column=rule.name, code=code, params=params)
    if rule.kind in (Kind.INTEGER, Kind.NUMBER):
        _check_range(rule=rule, numbers=parsed, errors=errors)
    if rule.default is not None:
        filled = parsed.astype(object).where(~blank, rule.default)
        parsed = (
            filled.astype(parsed.dtype) if rule.kind is not Kind.NUMBER else filled.astype(float)
        )
    return parsed


def _parse_text(*, text: pd.Series, blank: pd.Series, max_length: int | None) -> _Result:
    problems: list[_Problem] = []
    if max_length:
        problems.append((text.str.len() > max_length, "too_long", {"max_length": max_length}))
    return text.where(~blank, None), problems


def _parse_choice(*, text: pd.Series, blank: pd.Series, choices: tuple[str, ...]) -> _Result:
    # Case and spaces do not matter: "Local government" is local_government.
    exact = text.isin(choices)
    normalised = text.copy()
    loose = ~exact & ~blank
    if loose.any():  # most files write the choices exactly: only the rest is normalised
        normalised[loose] = text[loose].str.lower().str.replace(r"[\s-]+", "_", regex=True)
    invalid = ~blank & ~normalised.isin(choices)
    params = {"choices": ", ".join(choices)}
    return normalised.where(~blank, None), [(invalid, "not_allowed", params)]


_PERIOD = r"\d{4}(?:-H[12])?"


def _parse_period(*, text: pd.Series, blank: pd.Series) -> _Result:
    normalised = text.str.upper().str.replace(" ", "", regex=False)
    invalid = ~blank & ~normalised.str.fullmatch(_PERIOD)
    return normalised.where(~blank, None), [(invalid, "not_a_period", {})]


def _numbers(text: pd.Series) -> pd.Series:
    # A decimal comma (85,5) is common in Mongolian and Russian spreadsheets.
    decimal_comma = text.str.fullmatch(r"-?\d+,\d+")
    cleaned = text.where(~decimal_comma, text.str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


def _parse_number(*, text: pd.Series, blank: pd.Series) -> _Result:
    numbers = _numbers(text)
    return numbers, [(~blank & numbers.isna(), "not_number", {})]


def _parse_integer(*, text: pd.Series, blank: pd.Series) -> _Result:
    numbers = _numbers(text)
    whole = numbers.notna() & (numbers % 1 == 0) & (numbers.abs() < 2**31)
    return numbers.where(whole).astype("Int64"), [(~blank & ~whole, "not_integer", {})]


def _check_range(*, rule: ColumnRule, numbers: pd.Series, errors: _Errors) -> None:
    values = numbers.astype(float)
    params = {"range": rule.range_text}
    if rule.minimum is not None:
        below = values <= rule.minimum if rule.exclusive_minimum else values < rule.minimum
        errors.add(mask=below.fillna(False), column=rule.name, code="below_minimum", params=params)
    if rule.maximum is not None:
        above = (values > rule.maximum).fillna(False)
        errors.add(mask=above, column=rule.name, code="above_maximum", params=params)


_ISO = r"\d{4}-\d{2}-\d{2}"
_YEAR_FIRST = r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_SERIAL = r"\d{5}(?:\.0+)?"


def _dates(*, text: pd.Series, blank: pd.Series) -> _Result:
    """Year-first dates (2025-03-31, 2025.03.31, 2025/3/31, a time of day ignored) or Excel
    serial day numbers, as ISO text; problems: not a date, no such calendar day, outside the
    accepted range."""
    iso = text.str.fullmatch(_ISO).fillna(False)
    stamps = pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")
    # Most files hold plain ISO dates; only the rest goes through the slower parsing.
    rest = ~blank & ~iso
    year_first, serial_ok = iso.copy(), pd.Series(False, index=text.index)
    if rest.any():
        loose, loose_year_first, loose_serial = _loose_dates(text[rest])
        stamps[rest] = loose
        year_first[rest] = loose_year_first
        serial_ok[rest] = loose_serial
    impossible = year_first & stamps.isna()
    in_range = stamps.between(pd.Timestamp(DATE_MIN), pd.Timestamp(DATE_MAX))
    out_of_range = stamps.notna() & ~in_range
    limits = {"minimum": DATE_MIN.isoformat(), "maximum": DATE_MAX.isoformat()}
    problems: list[_Problem] = [
        (~blank & ~year_first & ~serial_ok, "not_a_date", {}),
        (impossible, "impossible_date", {}),
        (out_of_range, "date_out_of_range", limits),
    ]
    # A plain ISO date that parsed is written as wanted already; only the rest is formatted.
    iso_text = text.where(iso & in_range, None)
    loose_ok = rest & in_range
    if loose_ok.any():
        iso_text[loose_ok] = stamps[loose_ok].dt.strftime("%Y-%m-%d")
    return iso_text, problems


def _loose_dates(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates that are not plain ISO: (timestamps, year-first written, valid Excel serial)."""
    parts = text.astype(object).str.extract(_YEAR_FIRST)
    year_first = parts[0].notna()
    iso = parts[0] + "-" + parts[1].str.zfill(2) + "-" + parts[2].str.zfill(2)
    stamps = pd.to_datetime(iso.where(year_first), format="%Y-%m-%d", errors="coerce")
    serial = ~year_first & text.str.fullmatch(_SERIAL).fillna(False)
    days = pd.to_numeric(text.where(serial), errors="coerce")
    serial_ok = serial & days.between(_serial(DATE_MIN), _serial(DATE_MAX))
    from_serial = pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(days.where(serial_ok), unit="D")
    return stamps.where(~serial_ok, from_serial), year_first, serial_ok


def _serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def _parse_month(*, text: pd.Series, blank: pd.Series) -> _Result:
    year_month = text.str.fullmatch(r"\d{4}[-./]\d{1,2}")
    iso, problems = _dates(text=text.where(~year_month, text + "-01"), blank=blank)
    not_first = iso.notna() & ~iso.fillna("").str.endswith("-01")
    problems = [
        (mask, "not_a_month" if code == "not_a_date" else code, p) for mask, code, p in problems
    ]
    problems.append((not_first, "not_a_month", {}))
    return iso.where(~not_first, None), problems


def _parse_boolean(*, text: pd.Series, blank: pd.Series) -> _Result:
    lowered = text.str.lower()
    truth = lowered.isin(TRUE_WORDS)
    falsity = lowered.isin(FALSE_WORDS)
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[truth] = True
    values[falsity] = False
    return values, [(~blank & ~truth & ~falsity, "not_boolean", {})]


def _check_row_rule(*, rule: RowRule, typed: pd.DataFrame, errors: _Errors) -> None:
    column, other = typed[rule.column], typed[rule.other]
    both = column.notna() & other.notna()
    if rule.check is RowCheck.REQUIRED_WHEN:
        broken = column.isna() & (other == rule.value).fillna(False)
        code = "required_when"
    elif rule.check is RowCheck.NOT_BEFORE:
        broken = both & (column.astype(object) < other.astype(object))
        code = "before_other"
    elif rule.check is RowCheck.NOT_ABOVE:
        broken = both & (column.astype(float) > other.astype(float))
        code = "above_other"
    elif rule.check is RowCheck.STARTS_WITH:
        starts = [str(a).startswith(str(b)) for a, b in zip(column[both], other[both], strict=True)]
        broken = pd.Series(False, index=typed.index)
        broken[both] = ~np.asarray(starts, dtype=bool)
        code = "prefix"
    else:
        broken = both & (column == other)
        code = "same_as"
    broken = np.asarray(broken.fillna(False), dtype=bool)
    # The other value as understood (an Excel serial shows as its date), not as typed.
    other_values = [_shown(value) for value in other.to_numpy(dtype=object)[broken]]
    if rule.check is RowCheck.REQUIRED_WHEN:
        other_values = [_plain(float(rule.value))] * int(broken.sum())
    params = [{"other": rule.other, "other_value": value} for value in other_values]
    errors.add(mask=broken, column=rule.column, code=code, params=params)


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_in(values: pd.Series, *, codes: pyarrow.Array | None) -> pd.Series:
    """Which ``values`` are among ``codes`` (a missing value never is)."""
    if codes is None or len(codes) == 0:
        return pd.Series(False, index=values.index)
    found = pyarrow.compute.is_in(
        pyarrow.array(values, type=pyarrow.string(), from_pandas=True), value_set=codes
    )
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _duplicate_keys(
    *, rules: TableRules, cells: pd.DataFrame, row_numbers: np.ndarray
) -> pd.DataFrame:
    """Rows of the whole file whose key another row repeats (column ``repeated``), each with
    the error's parameters (``params``): every copy is rejected, since which one is right
    cannot be told, and each names another copy. Keys are read as the validator reads them;
    a key cell that does not parse cannot repeat. No rows when the header lacks a key column."""
    key = list(rules.key)
    if not set(key) <= set(cells.columns):
        return pd.DataFrame({"repeated": pd.Series(dtype=bool), "params": []})
    text = pd.DataFrame(
        {name: cells[name].fillna("").astype(str).str.strip() for name in key}
    ).reset_index(drop=True)
    # The key cells' own errors are the chunks' to report; here they are only collected.
    unused = _Errors(row_numbers=row_numbers, text=text)
    keys = pd.DataFrame(
        {
            name: _parse_column(rule=rules.by_name[name], text=text[name], errors=unused)
            for name in key
        }
    )
    complete = keys.notna().all(axis="columns")
    repeated = complete & keys.duplicated(keep=False)
    params = pd.Series(None, index=keys.index, dtype=object)
    if repeated.any():
        positions = pd.Series(row_numbers, index=keys.index)[repeated]
        groups = [keys.loc[repeated, name] for name in key]
        first = positions.groupby(groups, sort=False).transform("min")
        second = positions.where(positions != first).groupby(groups, sort=False).transform("min")
        other_rows = np.where(positions == first, second, first)
        params[repeated] = [
            {"columns": ", ".join(key), "other_row": int(row)} for row in other_rows
        ]
    return pd.DataFrame({"repeated": repeated.to_numpy(), "params": params.to_numpy()})


def _check_references(
    *,
    rules: TableRules,
    typed: pd.DataFrame,
    known: Mapping[str, pyarrow.Array],
    errors: _Errors,
) -> None:
    """References must exist in the database (``known``: its codes per table) or in this
    file. A row naming a row of this file that is rejected cannot be imported either; repeat
    until no new row is orphaned."""
    referencing = [rule for rule in rules.columns if rule.references and rule.name in typed.columns]
    own_key = rules.key[0] if len(rules.key) == 1 else None
    own_codes = typed[own_key] if own_key is not None else pd.Series(dtype=object)
    for rule in referencing:
        values = typed[rule.name]
        missing = values.notna() & ~_is_in(values, codes=known.get(rule.references))
        if rule.references == rules.name:
            missing &= ~values.isin(own_codes.dropna())
        errors.add(
            mask=missing,
            column=rule.name,
            code="unknown_reference",
            params={"table": rule.references},
        )
    own_references = [rule for rule in referencing if rule.references == rules.name]
    numbers = pd.Series(errors.row_numbers, index=typed.index)
    flagged = {rule.name: np.zeros(len(typed), dtype=bool) for rule in own_references}
    while own_references:
        # A rejected row without a code has no row referring to it (a blank cell is no
        # reference).
        bad = errors.bad_rows() & own_codes.notna().to_numpy()
        rejected = dict(zip(own_codes[bad], numbers[bad], strict=True))
        for code in set(own_codes[~bad]):
            rejected.pop(code, None)
        newly = False
        for rule in own_references:
            values = typed[rule.name]
            orphaned = (
                values.isin(rejected.keys())
                & ~_is_in(values, codes=known.get(rule.references))
                & (values != own_codes)
            ).to_numpy() & ~flagged[rule.name]
            if not orphaned.any():
                continue
            params = [
                {"table": rule.references, "value": value, "other_row": int(rejected[value])}
                for value in values[orphaned]
            ]
            errors.add(mask=orphaned, column=rule.name, code="reference_rejected", params=params)
            flagged[rule.name] |= orphaned
            newly = True
        if not newly:
            return
