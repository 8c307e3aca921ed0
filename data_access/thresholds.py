"""Administrators' traffic-light thresholds, stored in place of a metric's defaults.

Whether a pair is valid (its order against the metric's direction) is the metrics layer's
business (metrics.definitions.effective_metrics); this module stores, reads and audits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from data_access import schema
from data_access.accounts import AuditAction, record


def threshold_overrides(connection: Connection) -> dict[str, tuple[float, float]]:
    """metric key -> (green, yellow) for every metric whose thresholds were changed."""
    table = schema.metric_thresholds
    rows = connection.execute(select(table.c.metric_key, table.c.green, table.c.yellow))
    return {key: (float(green), float(yellow)) for key, green, yellow in rows}


def set_thresholds(
    connection: Connection,
    *,
    metric_key: str,
    green: float,
    yellow: float,
    actor: str,
    now: datetime,
) -> None:
    """Store a metric's thresholds and audit the change (before and after)."""
    table = schema.metric_thresholds
    before = threshold_overrides(connection).get(metric_key)
    values = {"green": green, "yellow": yellow, "changed_at": now, "changed_by": actor}
    if before is None:
        connection.execute(insert(table).values(metric_key=metric_key, **values))
    else:
        connection.execute(update(table).where(table.c.metric_key == metric_key).values(**values))
    was = f"{before[0]:g}/{before[1]:g}" if before else "default"
    record(
        connection,
        username=actor,
        action=AuditAction.THRESHOLDS,
        detail=f"{metric_key}: green/yellow {was} -> {green:g}/{yellow:g}",
        now=now,
    )


def reset_thresholds(connection: Connection, *, metric_key: str, actor: str, now: datetime) -> None:
    """Go back to the metric's default thresholds, audited."""
    table = schema.metric_thresholds
    connection.execute(delete(table).where(table.c.metric_key == metric_key))
    record(
        connection,
        username=actor,
        action=AuditAction.THRESHOLDS,
        detail=f"{metric_key}: back to the default thresholds",
        now=now,
    )
