"""Schema migrations through Alembic (scripts under ``migrations/``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from data_access.db import PROJECT_ROOT, get_engine, sqlite_file

MIGRATIONS_PATH = PROJECT_ROOT / "migrations"


def _alembic_config(*, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_PATH))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(*, database_url: str) -> None:
    """Bring the database at ``database_url`` to the newest schema revision."""
    database_file = sqlite_file(database_url)
    if database_file is not None:
        database_file.parent.mkdir(parents=True, exist_ok=True)
    engine = get_engine(database_url)
    with engine.begin() as connection:
        config = _alembic_config(database_url=database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(*, database_url: str) -> str | None:
    engine = get_engine(database_url)
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
