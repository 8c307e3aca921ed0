"""Getting a database ready: migrate it, and give the embedded default its demo data."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from data_access import schema, summary
from data_access.db import get_engine, is_embedded_default
from data_access.migrate import upgrade_to_head

DEMO_SEED = 20241231


def is_empty(*, database_url: str) -> bool:
    with get_engine(database_url).connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.org_units)).scalar() == 0


def needs_demo_data(*, database_url: str) -> bool:
    """Migrate, then say whether this is the embedded default and still empty.

    Other databases are only migrated: demo data never lands in a production database unless
    someone asks for it (``python -m data_access demo``).
    """
    upgrade_to_head(database_url=database_url)
    return is_embedded_default(database_url) and is_empty(database_url=database_url)


def prepare(
    *,
    database_url: str,
    progress: Callable[[float, str], None] | None = None,
    scale: str = "default",
) -> bool:
    """Migrate; fill the embedded default with the demo dataset when it is empty.

    Returns whether demo data was loaded. Summaries an import left behind are caught up.
    """
    if not needs_demo_data(database_url=database_url):
        with get_engine(database_url).begin() as connection:
            summary.catch_up_pending(connection)
        return False
    from data_access.demo import load_demo

    load_demo(database_url=database_url, scale=scale, seed=DEMO_SEED, progress=progress)
    return True
