"""The Data page in AppTest: a clerk uploads a messy Excel file, reads what to fix, imports the
valid rows, finds the import in the log, and the other pages show the new figures at once."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import schema, summary
from data_access.db import get_engine, sqlite_file
from data_access.migrate import upgrade_to_head
from tests import tiny_dataset
from tests.conftest import PROJECT_ROOT
from tests.sign_in import sign_in
from tests.test_import_refresh import lost_connection
from tests.test_pages import APP, run_like_streamlit_run

FILES = PROJECT_ROOT / "tests" / "files" / "import"


@pytest.fixture
def url(small_demo_url: str, tmp_path) -> str:
    """A copy of the small demo database: this test writes, the others only read."""
    copy = tmp_path / "data_page.sqlite3"
    shutil.copy(sqlite_file(small_demo_url), copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def tiny_url(tmp_path) -> str:
    """The hand-made tiny dataset, whose codes (AG-A1, S1, GOV-11 …) the fixture files use."""
    url = f"sqlite:///{tmp_path / 'tiny_page.sqlite3'}"
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        tiny_dataset.load(connection)
    return url


def _app(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    run_like_streamlit_run(monkeypatch)
    app = sign_in(AppTest.from_file(APP, default_timeout=120), role="admin")
    app.run()
    return app


@pytest.fixture
def app(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return _app(url, monkeypatch)


@pytest.fixture
def tiny_app(tiny_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return _app(tiny_url, monkeypatch)


def _open(app: AppTest, page: str) -> None:
    app.switch_page(page)
    app.run()
    assert not app.exception, [error.value for error in app.exception]


def _tasks_file() -> bytes:
    """Sixty control cards of 2025, all completed late: the national on-time rate must drop."""
    rows = pd.DataFrame(
        {
            "code": [f"LATE-{number:03d}" for number in range(60)],
            "title": "Хариу хоцорсон",
            "agency_code": "AG-001",
            "source_kind": "citizen_request",
            "issued_on": "2025-03-01",
            "due_on": "2025-03-10",
            "completed_on": "2025-06-30",
        }
    )
    return rows.to_csv(index=False).encode("utf-8")


def test_a_messy_excel_file_says_what_to_fix_and_imports_only_what_is_valid(tiny_app, tiny_url):
    app, url = tiny_app, tiny_url
    _open(app, "pages/data.py")
    assert app.title[0].value == "Өгөгдөл"
    app.selectbox(key="import_table").set_value("tasks")
    app.run()
    app.file_uploader[0].set_value(
        ("tasks_messy.xlsx", (FILES / "tasks_messy.xlsx").read_bytes(), "application/octet-stream")
    )
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    counts = {metric.label: metric.value for metric in app.metric}
    assert (counts["Уншсан мөр"], counts["Зөв мөр"], counts["Татгалзсан мөр"]) == ("4", "2", "2")
    problems = next(frame.value for frame in app.dataframe if "Юуг засах" in frame.value.columns)
    assert problems.iloc[:, 0].tolist() == [4, 4, 5, 5]  # rows as Excel numbers them
    assert "AG-NONE" in problems.iloc[:, 2].tolist()
    assert "Хуанлид ийм өдөр байхгүй." in problems.iloc[:, 3].tolist()
    assert app.get("download_button")  # the problems as CSV (and the templates)
    assert app.button(key="import_go").disabled  # all or nothing by default
    app.checkbox(key="import_skip").check()
    app.run()
    assert not app.button(key="import_go").disabled
    app.button(key="import_go").click()
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    assert any("ОРУУЛААГҮЙ" in warning.value for warning in app.warning)
    with get_engine(url).connect() as connection:
        tasks = schema.tasks
        imported = set(
            connection.execute(select(tasks.c.code).where(tasks.c.code.like("X%"))).scalars()
        )
        log = connection.execute(select(schema.import_log)).mappings().all()
        audited = connection.execute(
            select(schema.audit_log.c.username, schema.audit_log.c.detail).where(
                schema.audit_log.c.action == "import"
            )
        ).all()
    assert imported == {"X1", "X4"}
    # Recorded under the signed-in administrator, in the import log and in the audit log.
    assert [(entry["imported_by"], entry["via"], entry["status"]) for entry in log] == [
        ("admin", "web", "partial")
    ]
    assert [(username, detail.split(":")[0]) for username, detail in audited] == [
        ("admin", "tasks tasks_messy.xlsx")
    ]
    history = next(frame.value for frame in app.dataframe if "SHA-256" in frame.value.columns)
    assert history.iloc[0]["Хэн"] == "admin"


def test_after_an_import_the_other_pages_show_the_new_figures(app):
    _open(app, "pages/overview.py")
    before = {metric.label: metric.value for metric in app.metric}
    _open(app, "pages/data.py")
    app.selectbox(key="import_table").set_value("tasks")
    app.run()
    app.file_uploader[0].set_value(("late.csv", _tasks_file(), "text/csv"))
    app.run()
    assert any("60" in success.value for success in app.success)
    app.button(key="import_go").click()
    app.run()
    assert any("шинэ 60" in success.value for success in app.success)
    _open(app, "pages/overview.py")
    after = {metric.label: metric.value for metric in app.metric}
    on_time = "Хугацаандаа биелэлт"
    assert after[on_time] != before[on_time]


def test_reporting_completeness_and_boundaries_tabs(tiny_app):
    app = tiny_app
    _open(app, "pages/data.py")
    reporting = next(
        frame.value for frame in app.dataframe if "Хоцорсон хоног" in frame.value.columns
    )
    assert len(reporting) > 0
    labels = {metric.label for metric in app.metric}
    assert {"Бүрэн байдал", "Хугацаандаа", "Ирээгүй тайлан"} <= labels
    app.file_uploader[1].set_value(
        ("provinces.geojson", (PROJECT_ROOT / "tests/files/geo/provinces.geojson").read_bytes(),
         "application/geo+json")
    )  # fmt: skip
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    assert app.selectbox(key="boundary_property").value == "pcode"
    matched = next(
        frame.value for frame in app.dataframe if "Засвар, анхааруулга" in frame.value.columns
    )
    assert len(matched) == 5
    app.button(key="boundary_go").click()
    app.run()
    assert any("хадгаллаа" in success.value for success in app.success)


PROBLEM_FILES = [
    ("tasks_duplicates.csv", "tasks"),
    ("tasks_dates.csv", "tasks"),
    ("unknown_column.csv", "tasks"),
    ("extra_values.csv", "tasks"),
    ("undecodable.csv", "tasks"),
    ("empty.csv", "tasks"),
    ("tasks_cp1251.csv", "tasks"),
    ("agencies_cascade.csv", "agencies"),
    ("org_units_logic.csv", "org_units"),
    ("service_stats_logic.csv", "service_stats"),
]


def test_every_kind_of_problem_file_is_explained_without_an_error(tiny_app):
    app = tiny_app
    _open(app, "pages/data.py")
    for name, table in PROBLEM_FILES:
        app.selectbox(key="import_table").set_value(table)
        app.run()
        app.file_uploader[0].set_value((name, (FILES / name).read_bytes(), "text/csv"))
        app.run()
        assert not app.exception, (name, [error.value for error in app.exception])
        shown = [*app.success, *app.error, *app.warning]
        assert shown, name


def test_an_import_whose_summaries_fell_behind_says_so_and_the_pages_show_the_rows(
    app, url, monkeypatch
):
    """The rows commit, the summaries then fail to catch up: the clerk is told, and the
    Overview (read from the rows meanwhile) shows the new figures all the same."""
    _open(app, "pages/overview.py")
    before = {metric.label: metric.value for metric in app.metric}
    monkeypatch.setattr(summary.ImportRefresh, "catch_up", lost_connection)
    _open(app, "pages/data.py")
    app.selectbox(key="import_table").set_value("tasks")
    app.run()
    app.file_uploader[0].set_value(("late.csv", _tasks_file(), "text/csv"))
    app.run()
    app.button(key="import_go").click()
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    assert any("шинэ 60" in success.value for success in app.success)
    assert any("нэгтгэлийг шинэчилж чадсангүй" in warning.value for warning in app.warning)
    with get_engine(url).connect() as connection:
        assert len(connection.execute(select(schema.summary_pending)).all()) == 1
    _open(app, "pages/overview.py")
    after = {metric.label: metric.value for metric in app.metric}
    on_time = "Хугацаандаа биелэлт"
    assert after[on_time] != before[on_time]
