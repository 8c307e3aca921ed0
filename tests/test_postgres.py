"""PostgreSQL for real: migrations, the demo load through COPY, the same figures as SQLite, and a
server outage under a running app."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.db import get_engine
from metrics.__main__ import main as metrics_main
from tests.conftest import PROJECT_ROOT
from tests.sign_in import sign_in
from tests.test_pages import APP, run_like_streamlit_run

pytestmark = pytest.mark.postgres

GROUPINGS = ["none", "province", "agency", "ministry", "plan_kind", "task_group"]


@pytest.fixture(scope="module")
def pg_small_demo_url(pg_cluster) -> str:
    """The small demo dataset loaded into PostgreSQL by the command line (COPY underneath)."""
    url = pg_cluster.create_database("demo_small")
    result = subprocess.run(
        [sys.executable, "-m", "data_access", "demo", "--scale", "small", "--database-url", url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return url


def _summary(capsys, url: str, group_by: str, as_of: str) -> dict:
    code = metrics_main(
        ["summary", "--as-of", as_of, "--group-by", group_by, "--database-url", url]
    )
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_plain_postgresql_urls_work_from_the_command_line(pg_cluster):
    url = pg_cluster.create_database("plain_url").replace("postgresql+psycopg://", "postgresql://")
    result = subprocess.run(
        [sys.executable, "-m", "data_access", "migrate", "--database-url", url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql+psycopg://" in result.stdout


def test_demo_load_is_complete_and_repeatable(pg_small_demo_url, small_demo_url):
    def counts(url: str) -> dict[str, int]:
        with get_engine(url).connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar()
                for table in schema.FACT_TABLES_IN_LOAD_ORDER
            }

    on_postgres = counts(pg_small_demo_url)
    assert on_postgres == counts(small_demo_url)
    assert on_postgres["tasks"] > 10_000
    from data_access.demo import load_demo

    load_demo(database_url=pg_small_demo_url, scale="small")
    assert counts(pg_small_demo_url) == on_postgres


@pytest.mark.parametrize("as_of", ["2024-12-31", "2025-11-30"])
@pytest.mark.parametrize("group_by", GROUPINGS)
def test_every_summary_figure_is_identical_on_both_backends(
    capsys, pg_small_demo_url, small_demo_url, group_by, as_of
):
    on_sqlite = _summary(capsys, small_demo_url, group_by, as_of)
    on_postgres = _summary(capsys, pg_small_demo_url, group_by, as_of)
    assert on_sqlite["groups"], "the comparison would be empty"
    assert on_postgres == on_sqlite


def test_pages_survive_a_database_outage(pg_cluster, pg_small_demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg_small_demo_url)
    run_like_streamlit_run(monkeypatch)
    app = sign_in(AppTest.from_file(APP, default_timeout=120))
    app.run()
    assert not app.exception and not app.error
    pg_cluster.stop()
    try:
        app.sidebar.selectbox(key="province_mn").set_value("83")
        app.run()
        assert not app.exception, [exception.value for exception in app.exception]
        assert app.error, "the page should say the database is unreachable"
        message = app.error[0].value
        assert "could not be reached" in message or "холбогдож чадсангүй" in message
        assert "Traceback" not in message
    finally:
        pg_cluster.start()
    app.run()
    assert not app.exception
    assert not app.error
    assert app.metric, "figures are back once the server is"
