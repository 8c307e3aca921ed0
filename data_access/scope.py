"""Who sees what: the roles of DESIGN §5 and the row scope every query applies in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    LEADERSHIP = "leadership"
    REGIONAL = "regional"
    PRESS = "press"
    ADMIN = "admin"


@dataclass(frozen=True, kw_only=True)
class Scope:
    """The rows a user may read. A regional office is bound to one province and everything
    under it; the other roles read every row (press officers only see aggregates, and small
    cells are suppressed by metrics.privacy)."""

    role: Role
    province_code: str | None = None

    def __post_init__(self) -> None:
        if self.role is Role.REGIONAL and not self.province_code:
            raise ValueError("a regional scope needs its province")
        if self.role is not Role.REGIONAL and self.province_code:
            raise ValueError(f"a {self.role.value} scope is not bound to a province")

    @property
    def province_only(self) -> str | None:
        """The province every row must belong to, or None for no restriction."""
        return self.province_code if self.role is Role.REGIONAL else None

    @property
    def aggregates_only(self) -> bool:
        return self.role is Role.PRESS

    @property
    def may_administer(self) -> bool:
        return self.role is Role.ADMIN


# The command line and tests run with the whole database in view.
FULL_SCOPE = Scope(role=Role.LEADERSHIP)
