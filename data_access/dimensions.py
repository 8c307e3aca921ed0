"""How facts are grouped and scoped: the unit and agency a fact belongs to, the group codes, and
the reader's scope as SQL conditions. Shared by the row-level queries and the summary tables, so
both group and restrict rows by the same expressions.

Group codes: ``all`` when not grouped, ``_national`` for facts tied to no province, ``_none``
for facts without the grouped attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Executable, FromClause, case, func, literal

from data_access import schema
from data_access.filters import Filters, GroupBy

ALL = "all"
NATIONAL = "_national"
NONE = "_none"

unit = schema.org_units.alias("unit")
agency = schema.agencies.alias("agency")


def province_of_unit() -> ColumnElement:
    return case((unit.c.level == 1, unit.c.code), else_=unit.c.parent_code)


def ministry_of_agency() -> ColumnElement:
    return case((agency.c.kind == "ministry", agency.c.code), else_=agency.c.parent_code)


def with_dimensions(
    *, base: FromClause, agency_on: ColumnElement, unit_on: ColumnElement
) -> FromClause:
    joined = base.outerjoin(agency, agency.c.code == agency_on)
    return joined.outerjoin(unit, unit.c.code == unit_on)


@dataclass(frozen=True)
class Fact:
    """A fact source with its groupable columns.

    Row-level facts are joined to the ``unit`` and ``agency`` aliases, and their province,
    district and ministry come from those joins; summary tables store them (``province``,
    ``district``, ``ministry`` given), so they need no join.
    """

    source: FromClause
    unit_code: ColumnElement
    agency_code: ColumnElement
    plan_code: ColumnElement | None = None
    plan_kind: ColumnElement | None = None
    task_group: ColumnElement | None = None
    province: ColumnElement | None = None
    district: ColumnElement | None = None
    ministry: ColumnElement | None = None

    def province_code(self) -> ColumnElement:
        return province_of_unit() if self.province is None else self.province

    def district_code(self) -> ColumnElement:
        return unit.c.code if self.district is None else self.district

    def ministry_code(self) -> ColumnElement:
        return ministry_of_agency() if self.ministry is None else self.ministry


def group_expression(*, fact: Fact, group_by: GroupBy) -> ColumnElement:
    expressions: dict[GroupBy, ColumnElement | None] = {
        GroupBy.NONE: literal(ALL),
        GroupBy.PROVINCE: func.coalesce(fact.province_code(), NATIONAL),
        GroupBy.DISTRICT: func.coalesce(fact.district_code(), NATIONAL),
        GroupBy.AGENCY: func.coalesce(fact.agency_code, NONE),
        GroupBy.MINISTRY: func.coalesce(fact.ministry_code(), NONE),
        GroupBy.PLAN: None if fact.plan_code is None else func.coalesce(fact.plan_code, NONE),
        GroupBy.PLAN_KIND: None if fact.plan_kind is None else func.coalesce(fact.plan_kind, NONE),
        GroupBy.TASK_GROUP: None
        if fact.task_group is None
        else func.coalesce(fact.task_group, NONE),
    }
    expression = expressions[group_by]
    if expression is None:
        raise ValueError(f"these figures cannot be grouped by {group_by.value}")
    return expression.label("group_code")


def province_conditions(
    *, filters: Filters, province: ColumnElement | None = None
) -> list[ColumnElement]:
    """The chosen province and the reader's own province (a regional office): both apply, so
    a regional user choosing another province gets nothing. ``province`` defaults to the
    province of the joined ``unit``."""
    expression = province_of_unit() if province is None else province
    conditions: list[ColumnElement] = []
    for chosen in (filters.province_code, filters.scope.province_only):
        if chosen:
            conditions.append(expression == chosen)
    return conditions


def agency_scope_conditions(
    *, agency_code: ColumnElement, filters: Filters, fact: Fact | None = None
) -> list[ColumnElement]:
    """Province (chosen and the reader's own), ministry and agency; from the shared ``unit``
    and ``agency`` aliases, or from the columns a summary ``fact`` stores."""
    conditions = province_conditions(
        filters=filters, province=None if fact is None else fact.province_code()
    )
    if filters.ministry_code:
        ministry = ministry_of_agency() if fact is None else fact.ministry_code()
        conditions.append(ministry == filters.ministry_code)
    if filters.agency_code:
        conditions.append(agency_code == filters.agency_code)
    return conditions


def scope_conditions(*, fact: Fact, filters: Filters) -> list[ColumnElement]:
    return agency_scope_conditions(agency_code=fact.agency_code, filters=filters, fact=fact)


def month_label(*, connection: Connection, column: ColumnElement) -> ColumnElement:
    """``YYYY-MM`` of a date column: the one place where the SQL dialects differ."""
    if connection.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def frame_of(connection: Connection, query: Executable) -> pd.DataFrame:
    """A query's rows as a frame, columns named after the query's. (Built from plain tuples:
    given SQLAlchemy's rows, pandas probes each one for attributes, over ten times slower.)"""
    result = connection.execute(query)
    return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))
