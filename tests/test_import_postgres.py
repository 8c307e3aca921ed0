"""PostgreSQL's fast path: per-row foreign-key triggers replaced by set-based checks that lock
the referenced rows; and the ordinary path for a role that may not do that."""

from __future__ import annotations

import pandas as pd
import psycopg
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from data_access import schema
from data_access.db import get_engine
from data_access.imports import Status, import_file
from data_access.imports.writer import MissingReferenceError, write_rows
from data_access.migrate import upgrade_to_head
from data_access.validation import RULES
from tests import tiny_dataset
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.postgres

FILES = PROJECT_ROOT / "tests" / "files" / "import"
ROWS = pd.DataFrame(
    {
        "_row": [2],
        "code": ["Z1"],
        "title": ["Task of a vanished agency"],
        "agency_code": ["AG-GONE"],
        "source_kind": ["directive"],
        "issued_on": ["2024-03-01"],
        "due_on": ["2024-03-10"],
    }
)


@pytest.fixture
def url(pg_cluster, request) -> str:
    database = pg_cluster.create_database(f"imp_pg_{request.node.name[-20:].lower()}")
    upgrade_to_head(database_url=database)
    with get_engine(database).begin() as connection:
        tiny_dataset.load(connection)
    return database


def _write(url: str, *, set_based_checks: bool) -> None:
    with get_engine(url).connect() as connection, connection.begin():
        write_rows(
            connection,
            rules=RULES["tasks"],
            rows=ROWS,
            chunk_rows=10,
            progress=lambda _share: None,
            set_based_checks=set_based_checks,
        )


def test_a_reference_gone_since_validation_fails_the_set_based_check(url):
    with pytest.raises(MissingReferenceError, match="agency_code"):
        _write(url, set_based_checks=True)
    with pytest.raises(IntegrityError):
        _write(url, set_based_checks=False)
    with get_engine(url).connect() as connection:
        assert (
            connection.execute(
                select(schema.tasks.c.code).where(schema.tasks.c.code == "Z1")
            ).first()
            is None
        )


def test_referenced_rows_are_locked_until_the_import_commits(url, pg_cluster):
    """What the skipped triggers guarantee: nobody deletes an agency the import refers to."""
    with get_engine(url).begin() as connection:
        connection.execute(
            insert(schema.agencies).values(code="AG-GONE", name_mn="А", name_en="A", kind="other")
        )
    engine = get_engine(url)
    with engine.connect() as connection, connection.begin():
        write_rows(
            connection,
            rules=RULES["tasks"],
            rows=ROWS,
            chunk_rows=10,
            progress=lambda _share: None,
        )
        database = url.rsplit("/", 1)[1]
        dsn = f"host=127.0.0.1 port={pg_cluster.port} user=postgres dbname={database}"
        with psycopg.connect(dsn) as other:
            other.execute("SET lock_timeout = '300ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("DELETE FROM agencies WHERE code = 'AG-GONE'")


@pytest.fixture
def clerk_url(pg_cluster) -> str:
    """A database owned by an ordinary role, which may not switch off triggers."""
    with psycopg.connect(pg_cluster.admin_dsn, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS imp_clerk")
        admin.execute("DROP ROLE IF EXISTS clerk")
        admin.execute("CREATE ROLE clerk LOGIN")
        admin.execute("CREATE DATABASE imp_clerk OWNER clerk")
    url = f"postgresql+psycopg://clerk@127.0.0.1:{pg_cluster.port}/imp_clerk"
    with psycopg.connect(
        f"host=127.0.0.1 port={pg_cluster.port} user=postgres dbname=imp_clerk", autocommit=True
    ) as owner_db:
        owner_db.execute("GRANT ALL ON SCHEMA public TO clerk")
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        tiny_dataset.load(connection)
    return url


def test_an_ordinary_role_imports_with_the_usual_triggers(clerk_url):
    with get_engine(clerk_url).connect() as connection:
        with pytest.raises(DBAPIError, match="permission denied"):
            connection.exec_driver_sql("SET session_replication_role = replica")
        connection.rollback()
    report = import_file(
        database_url=clerk_url,
        table="tasks",
        file_name="tasks_good.csv",
        content=(FILES / "tasks_good.csv").read_bytes(),
        imported_by="clerk",
        via="cli",
        skip_invalid=False,
        dry_run=False,
        max_bytes=1024 * 1024,
    )
    assert (report.status, report.inserted) == (Status.IMPORTED, 3)
    with pytest.raises(IntegrityError):
        _write(clerk_url, set_based_checks=True)
