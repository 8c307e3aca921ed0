"""`python -m metrics summary`: the ministry figures of DESIGN §1, grouping, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert

from data_access import schema
from data_access.bulk import bulk_insert
from data_access.db import get_engine
from data_access.migrate import upgrade_to_head
from metrics.__main__ import main
from tests.conftest import PROJECT_ROOT

EARLY, ON_TIME, LATE = 24_597, 51_495, 237


@pytest.fixture
def summary(capsys: pytest.CaptureFixture[str]):
    """Run the command in this process (fast); one test below runs it as a real process."""

    def run(*arguments: str) -> subprocess.CompletedProcess:
        try:
            code = main(["summary", *arguments])
        except SystemExit as stop:
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(arguments, code, captured.out, captured.err)

    return run


def test_summary_runs_as_a_module(ministry_url: str):
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "summary", "--as-of", "2024-12-31",
         "--database-url", ministry_url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["groups"][0]["tasks"]["late"] == LATE


@pytest.fixture(scope="module")
def ministry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A ministry that processed 76,329 documents in 2024: 24,597 early, 51,495 on time, 237
    late (DESIGN §1)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ministry') / 'ministry.sqlite3'}"
    upgrade_to_head(database_url=url)
    issued = date(2024, 1, 2)
    due = issued + timedelta(days=10)
    completions = (
        [due - timedelta(days=3)] * EARLY + [due] * ON_TIME + [due + timedelta(days=2)] * LATE
    )
    rows = [
        {
            "code": f"DOC-{index:06d}",
            "title": f"Document {index}",
            "agency_code": "MIN-X",
            "source_kind": "document",
            "issued_on": issued + timedelta(days=index % 300),
            "due_on": due + timedelta(days=index % 300),
            "completed_on": completed + timedelta(days=index % 300),
            "cancelled": False,
        }
        for index, completed in enumerate(completions)
    ]
    with get_engine(url).begin() as connection:
        connection.execute(
            insert(schema.org_units),
            [{"code": "11", "name_mn": "Улаанбаатар", "name_en": "Ulaanbaatar", "level": 1}],
        )
        connection.execute(
            insert(schema.agencies),
            [{"code": "MIN-X", "name_mn": "Яам", "name_en": "Ministry X", "kind": "ministry"}],
        )
        bulk_insert(connection, table=schema.tasks, frame=pd.DataFrame(rows))
    return url


def test_summary_reproduces_the_ministry_figures(summary, ministry_url: str):
    result = summary("--as-of", "2024-12-31", "--database-url", ministry_url)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    (group,) = printed["groups"]
    tasks = group["tasks"]
    assert (tasks["early"], tasks["on_time"], tasks["late"]) == (EARLY, ON_TIME, LATE)
    assert tasks["completed"] == 76_329
    assert (tasks["overdue"], tasks["open"]) == (0, 0)
    assert tasks["early_share"] == pytest.approx(32.22, abs=0.005)
    assert tasks["on_time_share"] == pytest.approx(67.46, abs=0.005)
    assert tasks["late_share"] == pytest.approx(0.31, abs=0.005)
    on_time = group["indicators"]["on_time_rate"]
    assert on_time["value"] == pytest.approx(99.69, abs=0.005)
    assert on_time["sample"] == 76_329
    assert on_time["status"] == "green"
    assert printed["as_of"] == "2024-12-31"
    assert printed["period"] == {"start": "2024-01-01", "end": "2024-12-31"}


def test_summary_table_format_prints_the_counts(summary, ministry_url: str):
    result = summary("--as-of", "2024-12-31", "--format", "table", "--database-url", ministry_url)
    assert result.returncode == 0, result.stderr
    assert "24597" in result.stdout and "51495" in result.stdout and "237" in result.stdout
    assert "99.69 green" in result.stdout


def test_summary_groups_by_ministry(summary, ministry_url: str):
    result = summary(
        "--as-of", "2024-06-30", "--group-by", "ministry", "--database-url", ministry_url
    )
    assert result.returncode == 0, result.stderr
    (group,) = json.loads(result.stdout)["groups"]
    assert group["group_code"] == "MIN-X"
    assert group["name_en"] == "Ministry X"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--as-of", "2024-02-30"], "not a date"),
        (["--as-of", "yesterday"], "not a date"),
        ([], "--as-of"),
        (["--as-of", "2024-12-31", "--group-by", "planet"], "invalid choice"),
        (
            ["--as-of", "2024-12-31", "--period-start", "2024-06-01", "--period-end", "2024-01-01"],
            "before period start",
        ),
    ],
)
def test_summary_rejects_bad_arguments(summary, arguments: list[str], message: str):
    result = summary(*arguments)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody:secret@127.0.0.1:9/none",
        "sqlite:////nonexistent-folder/missing.sqlite3",
    ],
)
def test_summary_reports_an_unreachable_database(summary, url: str):
    result = summary("--as-of", "2024-12-31", "--database-url", url)
    assert result.returncode == 2
    assert "error: cannot read the database" in result.stderr
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr
