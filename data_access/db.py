"""Where the database is and how to reach it: the one configuration entry point.

Order of precedence: the ``DATABASE_URL`` environment variable, then ``database_url`` in
Streamlit's secrets file (``.streamlit/secrets.toml`` in the working folder, else in the
user's home), then the embedded SQLite file under ``data/``. Pages may read from a replica:
``DATABASE_READ_URL`` / ``database_read_url``; migrations and imports always write to the
main database.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATABASE_PATH = PROJECT_ROOT / "data" / "oversight.sqlite3"
EMBEDDED_DATABASE_URL = f"sqlite:///{EMBEDDED_DATABASE_PATH}"


def secret(name: str) -> str | None:
    """A value from Streamlit's secrets file (working folder first, then home), or None."""
    for folder in (Path.cwd(), Path.home()):
        secrets_file = folder / ".streamlit" / "secrets.toml"
        if secrets_file.is_file():
            with secrets_file.open("rb") as handle:
                value = tomllib.load(handle).get(name)
            if value:
                return str(value)
    return None


def normalise_database_url(url: str) -> str:
    """Make plain ``postgresql://`` URLs use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def resolve_database_url(*, explicit: str | None = None) -> str:
    """The database URL in force: an explicit one (command line) wins over the configuration."""
    url = explicit or os.environ.get("DATABASE_URL") or secret("database_url")
    return normalise_database_url(url) if url else EMBEDDED_DATABASE_URL


def resolve_read_database_url() -> str:
    """Where pages read from: ``DATABASE_READ_URL`` (a read replica), else the main database."""
    url = os.environ.get("DATABASE_READ_URL") or secret("database_read_url")
    return normalise_database_url(url) if url else resolve_database_url()


def is_embedded_default(url: str) -> bool:
    return url == EMBEDDED_DATABASE_URL


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while an import writes; the timeout rides out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@cache
def get_engine(url: str) -> Engine:
    """One pooled engine per URL for the whole process; connections are checked before use."""
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
