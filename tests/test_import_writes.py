"""Imports write all or nothing, on SQLite and PostgreSQL: the double import changes nothing,
an invalid file or a failure midway leaves the database as it was, and the log says who did
what. The interrupted-import test kills a real command-line import halfway through."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from data_access import schema
from data_access.db import get_engine
from data_access.imports import Status, import_file
from data_access.imports.writer import TransactionThread
from data_access.migrate import upgrade_to_head
from tests import tiny_dataset
from tests.conftest import BACKENDS, PROJECT_ROOT, backend_url

FILES = PROJECT_ROOT / "tests" / "files" / "import"
LIMIT = 200 * 1024 * 1024
DATA_TABLES = [*schema.FACT_TABLES_IN_LOAD_ORDER, schema.agency_updates]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh database with the tiny dataset, one per test (imports write)."""
    # One database per test and parameters; PostgreSQL names stop at 63 characters.
    digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:10]
    name = f"imp_{digest}"
    database = backend_url(
        request=request, backend=request.param, name=name, folder=tmp_path_factory
    )
    upgrade_to_head(database_url=database)
    with get_engine(database).begin() as connection:
        tiny_dataset.load(connection)
    return database


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every data table, in key order: what "unchanged" is checked against."""
    rows = {}
    with get_engine(url).connect() as connection:
        for table in DATA_TABLES:
            key = list(table.primary_key.columns)
            rows[table.name] = [
                tuple(row) for row in connection.execute(select(table).order_by(*key))
            ]
    return rows


def log_entries(url: str) -> pd.DataFrame:
    with get_engine(url).connect() as connection:
        log = schema.import_log
        return pd.DataFrame(connection.execute(select(log).order_by(log.c.id)).mappings().all())


def run(url: str, name: str, table: str = "tasks", **options) -> object:
    settings = {
        "imported_by": "tester",
        "via": "cli",
        "skip_invalid": False,
        "dry_run": False,
        "max_bytes": LIMIT,
    } | options
    content = options.pop("content", None) or (FILES / name).read_bytes()
    settings.pop("content", None)
    return import_file(database_url=url, table=table, file_name=name, content=content, **settings)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(url):
    first = run(url, "tasks_good.csv")
    assert (first.status, first.inserted, first.updated, first.unchanged) == (
        Status.IMPORTED,
        3,
        0,
        0,
    )
    after_first = snapshot(url)
    second = run(url, "tasks_good.csv")
    assert (second.status, second.inserted, second.updated, second.unchanged) == (
        Status.IMPORTED,
        0,
        0,
        3,
    )
    assert snapshot(url) == after_first
    log = log_entries(url)
    assert log["file_sha256"].nunique() == 1 and len(log) == 2
    assert log["rows_inserted"].tolist() == [3, 0]
    assert log["rows_unchanged"].tolist() == [0, 3]


def test_changed_rows_are_updated_and_columns_left_out_keep_their_values(url):
    content = (
        b"code,title,agency_code,source_kind,issued_on,due_on,completed_on\n"
        b"T1,A new title,AG-A1,directive,2024-01-10,2024-01-20,2024-01-15\n"
        b"T11,Cancelled task,AG-A1,directive,2024-03-01,2024-03-10,\n"
        b"T99,Brand new,AG-A1,document,2024-06-01,2024-06-05,\n"
    )
    report = run(url, "update.csv", content=content)
    assert (report.inserted, report.updated, report.unchanged) == (1, 2, 0)
    tasks = schema.tasks
    with get_engine(url).connect() as connection:
        rows = {
            row.code: row
            for row in connection.execute(
                select(tasks).where(tasks.c.code.in_(["T1", "T11", "T99"]))
            )
        }
    assert rows["T1"].title == "A new title"
    assert rows["T1"].task_group == "economy"  # not in the file: kept
    assert rows["T1"].staff_code == "S1"
    assert rows["T11"].cancelled is True  # not in the file: kept
    assert rows["T99"].cancelled is False  # not in the file: the default for a new row


def test_a_file_with_an_invalid_row_writes_nothing(url):
    before = snapshot(url)
    report = run(url, "tasks_logic.csv")
    assert report.status is Status.REJECTED
    assert report.inserted == 0
    assert snapshot(url) == before
    entry = log_entries(url).iloc[-1]
    assert (entry["status"], entry["rows_read"], entry["rows_rejected"]) == ("rejected", 3, 2)
    assert "before_other" in entry["message"]


def test_skipping_invalid_rows_imports_the_rest_and_says_so(url):
    report = run(url, "tasks_logic.csv", skip_invalid=True)
    assert report.status is Status.PARTIAL
    assert (report.inserted, report.check.rows_rejected) == (1, 2)
    assert set(report.errors["row"]) == {2, 3}
    with get_engine(url).connect() as connection:
        codes = set(connection.execute(select(schema.tasks.c.code)).scalars())
    assert "N3" in codes and not {"N1", "N2"} & codes
    assert log_entries(url)["status"].tolist() == ["partial"]


def test_a_dry_run_counts_and_writes_nothing(url):
    before = snapshot(url)
    report = run(url, "tasks_good.csv", dry_run=True)
    assert (report.status, report.inserted) == (Status.DRY_RUN, 3)
    assert snapshot(url) == before
    assert log_entries(url).empty


def test_the_log_records_who_what_when_and_the_agencies_updated(url):
    report = run(url, "tasks_good.csv", imported_by="  Clerk of Tuv ", via="web")
    entry = log_entries(url).iloc[0]
    assert entry["imported_by"] == "Clerk of Tuv"
    assert (entry["via"], entry["file_name"], entry["table_name"]) == (
        "web",
        "tasks_good.csv",
        "tasks",
    )
    assert entry["file_sha256"] == report.check.sha256 and len(entry["file_sha256"]) == 64
    assert entry["file_bytes"] == (FILES / "tasks_good.csv").stat().st_size
    assert entry["duration_seconds"] > 0
    with get_engine(url).connect() as connection:
        updates = connection.execute(
            select(schema.agency_updates.c.agency_code, schema.agency_updates.c.rows_changed)
        ).all()
    assert sorted(updates) == [("AG-A1", 1), ("GOV-11", 1), ("GOV-41", 1)]


def test_progress_reports_belong_to_the_agency_of_their_plan_item(url):
    content = b"plan_item_code,reported_on,percent_complete\nI3,2024-10-31,75\nI1,2024-10-31,100\n"
    run(url, "progress.csv", table="progress_reports", content=content)
    with get_engine(url).connect() as connection:
        agencies = set(connection.execute(select(schema.agency_updates.c.agency_code)).scalars())
    assert agencies == {"AG-A1", "GOV-11"}


def test_a_parent_further_down_the_file_is_found_whatever_the_chunks(url):
    content = (
        "code,name_mn,name_en,kind,parent_code\n"
        "AG-NEW,Шинэ,New agency,agency,MIN-NEW\n"
        "MIN-NEW,Шинэ яам,New ministry,ministry,\n"
    ).encode()
    report = run(url, "agencies.csv", table="agencies", content=content, chunk_rows=1)
    assert (report.status, report.inserted) == (Status.IMPORTED, 2)


def test_a_failure_midway_leaves_the_database_as_it_was(url):
    before = snapshot(url)
    written = []

    def fail_after_two_chunks(share: float, message: str) -> None:
        written.extend([message] if message.startswith("Writing") else [])
        if len(written) == 2:  # two chunks written… then the crash
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        run(url, "tasks_good.csv", chunk_rows=1, progress=fail_after_two_chunks)
    assert snapshot(url) == before
    assert log_entries(url).empty


def _stored_tasks(url: str, codes: list[str]) -> dict[str, object]:
    tasks = schema.tasks
    with get_engine(url).connect() as connection:
        query = select(tasks).where(tasks.c.code.in_(codes))
        return {row.code: row for row in connection.execute(query)}


def test_new_and_stored_rows_in_and_across_chunks_are_counted_and_written(url):
    """New rows go straight in; a chunk holding a stored key is compared and upserted."""
    stored = _stored_tasks(url, ["T1", "T2", "T11"])

    def line(code: str, title: str, like: str | None = None) -> str:
        row = stored[like or code]
        return f"{code},{title},{row.agency_code},{row.source_kind},{row.issued_on},{row.due_on}"

    lines = [
        "code,title,agency_code,source_kind,issued_on,due_on",
        line("M1", "New one", like="T2"),  # chunk 1: all new
        line("M2", "New two", like="T11"),
        line("M3", "New three", like="T1"),  # chunk 2: new and changed
        line("T1", "A new title"),
        line("T2", stored["T2"].title),  # chunk 3: all unchanged
        line("T11", stored["T11"].title),
        line("M4", "New four", like="T1"),  # chunk 4: all new
    ]
    content = ("\n".join(lines) + "\n").encode()
    report = run(url, "mixed.csv", content=content, chunk_rows=2)
    assert (report.status, report.inserted, report.updated, report.unchanged) == (
        Status.IMPORTED,
        4,
        1,
        2,
    )
    after = _stored_tasks(url, ["M1", "M2", "M3", "M4", "T1", "T11"])
    assert {code: row.cancelled for code, row in after.items()} == {
        "M1": False,  # the column is not in the file: a new row gets its default…
        "M2": False,
        "M3": False,
        "M4": False,
        "T1": stored["T1"].cancelled,  # … and a stored row keeps its value
        "T11": True,
    }
    assert after["T1"].title == "A new title" and after["T1"].staff_code == "S1"
    assert after["M2"].agency_code == stored["T11"].agency_code
    with get_engine(url).connect() as connection:
        changed = dict(
            connection.execute(
                select(schema.agency_updates.c.agency_code, schema.agency_updates.c.rows_changed)
            ).all()
        )
    expected: dict[str, int] = {}
    for like in ("T2", "T11", "T1", "T1", "T1"):  # M1, M2, M3, T1 and M4 changed
        agency = stored[like].agency_code
        expected[agency] = expected.get(agency, 0) + 1
    assert changed == expected
    after_first = snapshot(url)
    again = run(url, "mixed.csv", content=content, chunk_rows=2)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 7)
    assert snapshot(url) == after_first


def test_work_after_a_failure_is_skipped_and_nothing_commits(url):
    before = snapshot(url)
    tasks = schema.tasks
    with TransactionThread(database_url=url) as transaction:
        deleted = transaction.submit(lambda c: c.execute(delete(tasks).where(tasks.c.code == "T1")))
        failing = transaction.submit(lambda c: c.exec_driver_sql("SELECT * FROM no_such_table"))
        skipped = transaction.submit(lambda c: c.execute(delete(tasks)))
        with pytest.raises(DBAPIError):
            transaction.close(commit=True)
    assert deleted.result().rowcount == 1
    assert skipped.exception() is failing.exception()
    assert snapshot(url) == before


def test_work_still_queued_when_a_transaction_is_abandoned_is_skipped(url):
    """Ctrl-C or an error while rows are queued: the queued writes do not run at all."""
    before = snapshot(url)
    started = threading.Event()
    release = threading.Event()

    def slow(_connection: object) -> None:
        started.set()
        release.wait(10)

    with TransactionThread(database_url=url) as transaction:
        transaction.submit(slow)
        queued = transaction.submit(lambda c: c.execute(delete(schema.tasks)))
        started.wait(10)
        threading.Timer(0.2, release.set).start()
        transaction.close(commit=False)
    assert "abandoned" in str(queued.exception())
    assert snapshot(url) == before


def test_leaving_a_transaction_thread_without_closing_it_rolls_back(url):
    before = snapshot(url)
    with TransactionThread(database_url=url) as transaction:
        assert transaction.submit(lambda c: c.execute(delete(schema.tasks))).result().rowcount
    assert snapshot(url) == before


def _many_tasks(rows: int) -> bytes:
    """A large, valid control-card file naming the tiny dataset's agencies and units."""
    numbers = np.arange(rows)
    issued = pd.Timestamp("2024-01-01") + pd.to_timedelta(numbers % 300, unit="D")
    frame = pd.DataFrame(
        {
            "code": [f"K{number:07d}" for number in numbers],
            "title": "Imported task",
            "agency_code": np.array(["AG-A1", "GOV-11", "GOV-41"])[numbers % 3],
            "staff_code": np.array(["S1", "S2", "S3"])[numbers % 3],
            "org_unit_code": np.array(["41", "1101", "4101"])[numbers % 3],
            "source_kind": "directive",
            "issued_on": issued.strftime("%Y-%m-%d"),
            "due_on": (issued + pd.Timedelta(days=20)).strftime("%Y-%m-%d"),
        }
    )
    return frame.to_csv(index=False).encode()


def _wait_for_the_server_to_drop(url: str) -> None:
    """After the client is killed, PostgreSQL ends its transaction; wait until it has."""
    if not url.startswith("postgresql"):
        return
    deadline = time.monotonic() + 60
    with get_engine(url).connect() as connection:
        while time.monotonic() < deadline:
            busy = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).scalar_one()
            connection.rollback()
            if busy == 0:
                return
            time.sleep(0.2)
    raise AssertionError("the killed import's server process did not end")


@pytest.mark.parametrize("kill_at", ["first chunk", "halfway"])
def test_a_killed_import_leaves_the_database_as_it_was(url, tmp_path: Path, kill_at: str):
    """Kill -9 the command-line import while it writes: nothing of it may remain."""
    big = tmp_path / "tasks.csv"
    big.write_bytes(_many_tasks(300_000))
    before = snapshot(url)
    process = subprocess.Popen(
        [sys.executable, "-m", "data_access", "import", "tasks", str(big), "--database-url", url],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            share = int(line[1:4]) if line.startswith("[") and line[1:4].strip().isdigit() else 0
            # "Writing" comes after each chunk written (5 % for reading, the rest for writing).
            if "Writing" in line and (kill_at == "first chunk" or share >= 50):
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, "".join(seen)
    _wait_for_the_server_to_drop(url)
    assert snapshot(url) == before
    assert log_entries(url).empty
    # The database is fine afterwards: the same file imports completely.
    report = run(url, "tasks.csv", content=big.read_bytes())
    assert (report.status, report.inserted) == (Status.IMPORTED, 300_000)
