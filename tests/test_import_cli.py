"""``python -m data_access import``: clear messages, the rejected rows, exit codes, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from data_access import summary
from data_access.__main__ import main
from data_access.db import get_engine
from data_access.migrate import upgrade_to_head
from tests import tiny_dataset
from tests.conftest import PROJECT_ROOT
from tests.test_import_refresh import lost_connection

FILES = PROJECT_ROOT / "tests" / "files" / "import"


@pytest.fixture
def url(tmp_path) -> str:
    database = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade_to_head(database_url=database)
    with get_engine(database).begin() as connection:
        tiny_dataset.load(connection)
    return database


def _import(capsys, url: str, *arguments: str) -> tuple[int, str, str]:
    code = main(["import", *arguments, "--database-url", url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_good_file_is_imported_and_reported(capsys, url):
    code, out, _ = _import(capsys, url, "tasks", str(FILES / "tasks_good.csv"), "--user", "clerk")
    assert code == 0
    assert "Imported tasks_good.csv (CSV, utf-8, comma-separated) into tasks" in out
    assert "3 inserted, 0 updated, 0 unchanged, 0 rejected" in out
    assert "rows committed after" in out


def test_summaries_that_fell_behind_are_a_warning_not_a_failure(capsys, url, monkeypatch):
    monkeypatch.setattr(summary.ImportRefresh, "catch_up", lost_connection)
    code, out, err = _import(capsys, url, "tasks", str(FILES / "tasks_good.csv"))
    assert code == 0  # the rows are in
    assert "3 inserted" in out
    assert "summaries could not be updated" in err
    assert "python -m data_access prepare" in err


def test_a_bad_file_lists_row_column_value_and_reason_and_exits_1(capsys, url, tmp_path):
    errors = tmp_path / "errors.csv"
    code, _, err = _import(
        capsys, url, "tasks", str(FILES / "tasks_messy.xlsx"), "--errors-csv", str(errors)
    )
    assert code == 1
    assert "was NOT imported into tasks; nothing was written" in err
    assert "4 problem(s) in 2 of 4 rows" in err
    lines = err.splitlines()
    assert any("4" in line and "due_on" in line and "2024-02-30" in line for line in lines)
    assert any("AG-NONE" in line and "Unknown code" in line for line in lines)
    assert "--skip-invalid" in err
    assert errors.read_text(encoding="utf-8").startswith("row,column,value,code,reason")


def test_skipping_invalid_rows_exits_3_and_says_what_was_left_out(capsys, url):
    code, out, err = _import(
        capsys, url, "tasks", str(FILES / "tasks_messy.xlsx"), "--skip-invalid"
    )
    assert code == 3
    assert "Imported only the valid rows" in out
    assert "2 inserted" in out and "2 rejected" in out
    assert "NOT imported" in out
    assert "AG-NONE" in err


def test_a_dry_run_writes_nothing(capsys, url):
    code, out, _ = _import(capsys, url, "tasks", str(FILES / "tasks_good.csv"), "--dry-run")
    assert code == 0
    assert "Dry run, nothing written" in out and "3 inserted" in out
    code, out, _ = _import(capsys, url, "tasks", str(FILES / "tasks_good.csv"))
    assert "3 inserted" in out


def test_an_unreadable_file_and_a_size_limit(capsys, url, tmp_path):
    code, _, err = _import(capsys, url, "tasks", str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in err
    code, _, err = _import(
        capsys, url, "tasks", str(FILES / "tasks_good.csv"), "--max-mb", "0.0001"
    )
    assert code == 1 and "limit" in err


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["tasks", "tests/files/import/not_text.csv"], "not a text (CSV) file"),
        (["tasks", "tests/files/import/undecodable.csv"], "Windows-1251"),
        (["tasks", "tests/files/import/empty.csv"], "The file is empty"),
    ],
)
def test_the_real_command_never_shows_a_traceback(url, arguments, expected):
    result = subprocess.run(
        [sys.executable, "-m", "data_access", "import", *arguments, "--database-url", url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unreachable_database_exits_2_without_the_password(capsys):
    code = main(
        [
            "import",
            "tasks",
            str(FILES / "tasks_good.csv"),
            "--database-url",
            "postgresql://someone:hunter2@127.0.0.1:9/none",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "error: database" in captured.err and "hunter2" not in captured.err


def test_the_standard_command_prints_the_generated_section(capsys):
    assert main(["standard"]) == 0
    assert "### `tasks`" in capsys.readouterr().out
