"""The filters every query takes, and the ways results can be grouped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from data_access.scope import Scope


class GroupBy(StrEnum):
    NONE = "none"
    PROVINCE = "province"
    DISTRICT = "district"
    AGENCY = "agency"
    MINISTRY = "ministry"
    PLAN = "plan"
    PLAN_KIND = "plan_kind"
    TASK_GROUP = "task_group"


@dataclass(frozen=True, kw_only=True)
class Filters:
    """What the user chose in the sidebar: the reporting period, the as-of date and a scope.

    Facts dated after ``as_of`` are invisible: a task issued later does not exist yet, a
    completion dated later leaves the task open. ``scope`` is whose eyes read: it comes from
    the signed-in user, never from a widget, and every query restricts its rows by it in SQL.
    """

    scope: Scope
    period_start: date
    period_end: date
    as_of: date
    province_code: str | None = None
    ministry_code: str | None = None
    agency_code: str | None = None

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValueError(
                f"period end {self.period_end} is before period start {self.period_start}"
            )

    @property
    def effective_end(self) -> date:
        """The last day of the period that is already known at ``as_of``."""
        return min(self.period_end, self.as_of)
