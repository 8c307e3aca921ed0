"""Hostile input: SQL-injection strings through every filter of every read function and through
an uploaded file, and names carrying HTML or script, which are stored and shown as plain text."""

from __future__ import annotations

import inspect
import re
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import schema
from data_access.db import get_engine
from data_access.filters import GroupBy
from data_access.imports import Status, import_file
from data_access.migrate import upgrade_to_head
from data_access.scope import FULL_SCOPE
from tests import tiny_dataset
from tests.conftest import PROJECT_ROOT
from tests.test_scope import ARGUMENTS, FILTERED, TUV, _comparable, _filters

INJECTIONS = [
    "' OR '1'='1",
    "41' OR 1=1 --",
    "'; DROP TABLE tasks; --",
    '" OR ""="',
    "41; DELETE FROM org_units",
    "%",
    "_",
    "41) OR (1=1",
]
FILTER_FIELDS = ("province_code", "ministry_code", "agency_code")
HOSTILE_NAME = "<script>window.hacked=1</script><img src=x onerror=alert(1)> '; DROP TABLE x; --"


def _row_counts(connection) -> dict[str, int]:
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar()
        for table in schema.FACT_TABLES_IN_LOAD_ORDER
    }


def _results(function, *, connection, filters):
    parameters = inspect.signature(function).parameters
    arguments = {"connection": connection, "filters": filters}
    arguments |= {name: ARGUMENTS[name] for name in parameters if name in ARGUMENTS}
    # One grouping is enough: the filters restrict rows the same way for every grouping.
    for grouping in (GroupBy.PROVINCE,) if "group_by" in parameters else (None,):
        grouped = arguments if grouping is None else {**arguments, "group_by": grouping}
        try:
            yield function(**grouped)
        except ValueError as refused:  # a grouping the function does not offer
            assert "group" in str(refused)


def _answers(function, *, connection, filters) -> list:
    return [
        _comparable(result) for result in _results(function, connection=connection, filters=filters)
    ]


@pytest.mark.parametrize("field", FILTER_FIELDS)
@pytest.mark.parametrize("function", FILTERED)
def test_injection_strings_in_a_filter_match_nothing_and_change_nothing(
    tiny_connection, function, field
):
    """Each string gives exactly what an unknown code gives (nothing, where the filter applies),
    for a regional office and for leadership, where a wildcard or an OR reaching the SQL as
    code would show everything; and no table loses a row."""
    before = _row_counts(tiny_connection)
    for scope in (TUV, FULL_SCOPE):
        unknown = replace(_filters(scope=scope), **{field: "NO-SUCH-CODE"})
        expected = _answers(function, connection=tiny_connection, filters=unknown)
        for text in INJECTIONS:
            filters = replace(_filters(scope=scope), **{field: text})
            answers = _answers(function, connection=tiny_connection, filters=filters)
            assert answers == expected, (scope.role, text)
    assert _row_counts(tiny_connection) == before


def test_an_unknown_province_code_shows_nothing(tiny_connection):
    """What the injection strings are compared with: an unknown code matches no row."""
    from data_access import queries

    filters = replace(_filters(scope=FULL_SCOPE), province_code="NO-SUCH-CODE")
    counts = queries.task_counts(
        connection=tiny_connection,
        filters=filters,
        group_by=GroupBy.NONE,
        due_soon_days=ARGUMENTS["due_soon_days"],
        ageing_buckets=ARGUMENTS["ageing_buckets"],
    )
    assert counts.empty or (counts.select_dtypes("number").fillna(0) == 0).all().all()


@pytest.fixture
def tiny_sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'tiny.sqlite3'}"
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        tiny_dataset.load(connection)
    return url


def test_an_uploaded_file_with_injection_and_html_is_stored_as_text(tiny_sqlite_url):
    rows = pd.DataFrame(
        {
            "code": ["INJ-1", "INJ-2"],
            "title": [HOSTILE_NAME, "'); DELETE FROM tasks; --"],
            "agency_code": ["AG-A1", "AG-A1"],
            "source_kind": ["citizen_request", "citizen_request"],
            "issued_on": ["2024-03-01", "2024-03-01"],
            "due_on": ["2024-03-10", "2024-03-10"],
            "completed_on": ["", ""],
        }
    )
    with get_engine(tiny_sqlite_url).connect() as connection:
        before = _row_counts(connection)
    report = import_file(
        database_url=tiny_sqlite_url,
        table="tasks",
        file_name="'; DROP TABLE import_log; --.csv",
        content=rows.to_csv(index=False).encode(),
        imported_by="<b>admin</b>",
        via="test",
        skip_invalid=False,
        dry_run=False,
        max_bytes=10_000_000,
    )
    assert report.status is Status.IMPORTED, report.errors
    tasks = schema.tasks
    with get_engine(tiny_sqlite_url).connect() as connection:
        titles = dict(
            connection.execute(
                select(tasks.c.code, tasks.c.title).where(tasks.c.code.in_(["INJ-1", "INJ-2"]))
            ).all()
        )
        after = _row_counts(connection)
        logged = connection.execute(select(schema.import_log.c.file_name)).scalars().all()
    assert titles == {"INJ-1": HOSTILE_NAME, "INJ-2": "'); DELETE FROM tasks; --"}
    assert after == {**before, "tasks": before["tasks"] + 2}
    assert logged == ["'; DROP TABLE import_log; --.csv"]


def test_no_page_lets_html_through():
    """Data is only ever shown through Streamlit's escaping elements: no page turns HTML on."""
    sources = [*sorted((PROJECT_ROOT / "pages").glob("*.py")), PROJECT_ROOT / "app.py"]
    offending = [
        f"{path.name}: {match.group(0)}"
        for path in sources
        for match in re.finditer(
            r"unsafe_allow_html\s*=\s*True|st\.html\(|components\.v1|components\.html",
            path.read_text("utf-8"),
        )
    ]
    assert sources and offending == []


def test_a_name_with_html_is_shown_as_the_text_it_is(tiny_sqlite_url, monkeypatch):
    from sqlalchemy import update
    from streamlit.testing.v1 import AppTest

    from tests.sign_in import sign_in
    from tests.test_pages import APP, run_like_streamlit_run

    with get_engine(tiny_sqlite_url).begin() as connection:
        connection.execute(
            update(schema.agencies)
            .where(schema.agencies.c.code == "AG-A1")
            .values(name_en=HOSTILE_NAME, name_mn=HOSTILE_NAME)
        )
    monkeypatch.setenv("DATABASE_URL", tiny_sqlite_url)
    run_like_streamlit_run(monkeypatch)
    app = sign_in(AppTest.from_file(APP, default_timeout=120))
    app.run()
    app.switch_page("pages/agencies.py")
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    shown = [frame.value.to_csv() for frame in app.dataframe]
    assert any(HOSTILE_NAME in table for table in shown)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Tax Authority", "Tax Authority"),
        ("![x](http://example.invalid/t.png)", r"\!\[x\]\(http://example\.invalid/t\.png\)"),
        ("**bold** _it_", r"\*\*bold\*\* \_it\_"),
        ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
        ("# heading", r"\# heading"),
        ("Орхон аймаг", "Орхон аймаг"),
    ],
)
def test_data_put_into_markdown_is_escaped(text, escaped):
    from pages.common import plain

    assert plain(text) == escaped
