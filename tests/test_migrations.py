"""The Alembic revisions create exactly the tables the code describes, and migrate is idempotent."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from data_access import schema
from data_access.db import get_engine
from data_access.migrate import current_revision, upgrade_to_head
from tests.conftest import BACKENDS, PROJECT_ROOT, backend_url


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrated_database_matches_the_schema_module(request, tmp_path_factory, backend):
    url = backend_url(request=request, backend=backend, name="fresh", folder=tmp_path_factory)
    upgrade_to_head(database_url=url)
    upgrade_to_head(database_url=url)
    with get_engine(url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {table.name for table in schema.metadata.sorted_tables} <= tables


def test_migrate_command_is_idempotent_and_creates_the_folder(tmp_path):
    database = tmp_path / "nested" / "db.sqlite3"
    url = f"sqlite:///{database}"
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "data_access", "migrate", "--database-url", url],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "Database ready" in result.stdout
    assert database.is_file()
    assert current_revision(database_url=url) is not None


def test_migrate_command_reports_an_unreachable_server():
    result = subprocess.run(
        [
            sys.executable, "-m", "data_access", "migrate",
            "--database-url", "postgresql://someone:hunter2@127.0.0.1:9/none",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "error: database" in result.stderr
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr
