"""Monthly series for the national trend: on-time rate, satisfaction and overdue tasks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd


def month_ends(*, start: date, end: date) -> list[date]:
    """The last day of every month from ``start`` to ``end``; ``end`` itself closes the list."""
    moments: list[date] = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        moments.append(min(following - timedelta(days=1), end))
        cursor = following
    return moments


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    denominator = denominator.astype(float)
    return (numerator.astype(float) / denominator.where(denominator > 0)) * 100


def monthly_trend(
    *, completions: pd.DataFrame, responses: pd.DataFrame, open_tasks: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Rates per month: ``timeliness`` (month, completed, on_time_rate), ``satisfaction``
    (month, responses, satisfaction) and ``overdue`` (date, open, overdue, overdue_share)."""
    completed = completions["early"] + completions["on_time"] + completions["late"]
    timeliness = pd.DataFrame(
        {
            "month": completions["month"],
            "completed": completed,
            "on_time_rate": _percent(completions["early"] + completions["on_time"], completed),
        }
    )
    satisfaction = pd.DataFrame(
        {
            "month": responses["month"],
            "responses": responses["responses"],
            "satisfaction": _percent(responses["satisfied"], responses["responses"]),
        }
    )
    overdue = open_tasks.assign(
        overdue_share=_percent(open_tasks["overdue"], open_tasks["open"]).replace([np.inf], np.nan)
    )
    return {"timeliness": timeliness, "satisfaction": satisfaction, "overdue": overdue}
