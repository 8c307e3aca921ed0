"""Reporting-period labels (``YYYY``, ``YYYY-H1``, ``YYYY-H2``) and the dates they cover."""

from __future__ import annotations

import re
from datetime import date

_LABEL = re.compile(r"^(\d{4})(?:-H([12]))?$")


def period_span(label: str) -> tuple[date, date]:
    """First and last day of a period label; ValueError for anything else."""
    match = _LABEL.match(label)
    if not match:
        raise ValueError(f"period {label!r} is not YYYY, YYYY-H1 or YYYY-H2")
    year, half = int(match.group(1)), match.group(2)
    if half == "1":
        return date(year, 1, 1), date(year, 6, 30)
    if half == "2":
        return date(year, 7, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def periods_overlapping(*, start: date, end: date) -> list[str]:
    """Every period label whose span overlaps ``start``..``end``."""
    labels: list[str] = []
    for year in range(start.year, end.year + 1):
        for label in (f"{year}", f"{year}-H1", f"{year}-H2"):
            first, last = period_span(label)
            if first <= end and last >= start:
                labels.append(label)
    return labels
