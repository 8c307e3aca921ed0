"""Every validation rule, one real file each (tests/files/import), checked against the exact set
of problems the file holds: row number, column and reason. Nothing is written here."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.db import get_engine
from data_access.imports import check_file
from data_access.imports.reader import read_table
from data_access.imports.runner import known_codes
from data_access.migrate import upgrade_to_head
from data_access.validation import (
    REASONS,
    RULES,
    chunk_starts,
    combined,
    reason_text,
    validate,
    validate_in_chunks,
)
from tests import tiny_dataset
from tests.conftest import PROJECT_ROOT

FILES = PROJECT_ROOT / "tests" / "files" / "import"
LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The hand-made tiny dataset (codes 11, 41, 4101, AG-A1, S1, I1–I5 …) in SQLite."""
    url = f"sqlite:///{tmp_path_factory.mktemp('validation') / 'tiny.sqlite3'}"
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        tiny_dataset.load(connection)
    return url


def _check(url: str, name: str, table: str, *, limit: int = LIMIT):
    return check_file(
        database_url=url,
        table=table,
        file_name=name,
        content=(FILES / name).read_bytes(),
        max_bytes=limit,
    )


def _problems(result) -> set[tuple[int | None, str | None, str]]:
    return {
        (None if pd.isna(row) else int(row), column, code)
        for row, column, code in zip(
            result.errors["row"].astype(object),
            result.errors["column"],
            result.errors["code"],
            strict=True,
        )
    }


# file, table, expected problems (row, column, reason code), valid rows
ROW_RULES = [
    pytest.param("tasks_required.csv", "tasks", {(2, "title", "required")}, 0, id="required-value"),
    pytest.param("tasks_too_long.csv", "tasks", {(2, "title", "too_long")}, 0, id="too-long"),
    pytest.param(
        "survey_scores.csv",
        "survey_responses",
        {
            (2, "score", "above_maximum"),
            (3, "score", "below_minimum"),
            (4, "score", "not_integer"),
            (5, "score", "not_integer"),
            (6, "channel", "not_allowed"),
        },
        1,
        id="score-1-to-5-and-types",
    ),
    pytest.param(
        "progress_percentages.csv",
        "progress_reports",
        {
            (2, "percent_complete", "below_minimum"),
            (3, "percent_complete", "above_maximum"),
            (4, "percent_complete", "not_number"),
            (6, "plan_item_code", "unknown_reference"),
        },
        1,
        id="percentages-0-100-decimal-comma-plan-item",
    ),
    pytest.param(
        "ratings_scores.csv",
        "ratings",
        {(2, "self_score", "above_maximum"), (3, "period", "not_a_period")},
        1,
        id="scores-0-100-and-periods",
    ),
    pytest.param(
        "survey_results_share.csv",
        "survey_results",
        {(2, "satisfied_share", "above_maximum"), (3, "respondents", "below_minimum")},
        1,
        id="share-0-1",
    ),
    pytest.param(
        "service_stats_logic.csv",
        "service_stats",
        {
            (2, "online_applications", "above_other"),
            (3, "applications", "below_minimum"),
            (3, "online_applications", "above_other"),
            (3, "online_results", "above_other"),
            (4, "month", "not_a_month"),
            (4, "online_results", "above_other"),
        },
        1,
        id="negative-counts-online-above-applications-month",
    ),
    pytest.param(
        "tasks_dates.csv",
        "tasks",
        {
            (2, "issued_on", "impossible_date"),
            (3, "issued_on", "not_a_date"),
            (5, "issued_on", "date_out_of_range"),
            (6, "issued_on", "not_a_date"),
        },
        1,
        id="dates-iso-excel-serial-impossible",
    ),
    pytest.param(
        "tasks_logic.csv",
        "tasks",
        {(2, "due_on", "before_other"), (3, "completed_on", "before_other")},
        1,
        id="due-and-completed-before-issued",
    ),
    pytest.param(
        "plans_period.csv", "plans", {(2, "period_end", "before_other")}, 1, id="period-end"
    ),
    pytest.param(
        "plan_items_weight.csv",
        "plan_items",
        {(2, "weight", "below_minimum"), (3, "plan_code", "unknown_reference")},
        1,
        id="weight-positive-and-plan",
    ),
    pytest.param(
        "tasks_references.csv",
        "tasks",
        {
            (2, "agency_code", "unknown_reference"),
            (3, "staff_code", "unknown_reference"),
            (4, "org_unit_code", "unknown_reference"),
            (5, "plan_item_code", "unknown_reference"),
        },
        0,
        id="unknown-agency-staff-unit-plan-item",
    ),
    pytest.param(
        "tasks_choices.csv",
        "tasks",
        {(2, "source_kind", "not_allowed"), (4, "cancelled", "not_boolean")},
        1,
        id="choices-and-booleans",
    ),
    pytest.param(
        "readiness_checks.csv",
        "readiness_checks",
        {(3, "criterion", "not_allowed"), (4, "met", "not_boolean")},
        1,
        id="readiness-criteria",
    ),
    pytest.param(
        "tasks_duplicates.csv",
        "tasks",
        {(2, "code", "duplicate_key"), (5, "code", "duplicate_key")},
        2,
        id="duplicate-keys",
    ),
    pytest.param(
        "org_units_logic.csv",
        "org_units",
        {
            (2, "parent_code", "required_when"),
            (3, "code", "prefix"),
            (4, "parent_code", "same_as"),
            (5, "lat", "above_maximum"),
            (6, "level", "above_maximum"),
        },
        0,
        id="units-parent-prefix-level-latitude",
    ),
    pytest.param(
        "agencies_cascade.csv",
        "agencies",
        {
            (4, "kind", "not_allowed"),
            (5, "parent_code", "reference_rejected"),
            (6, "parent_code", "reference_rejected"),
        },
        2,
        id="parent-later-in-file-and-rejected-parents",
    ),
    pytest.param(
        "agencies_blank_code.csv",
        "agencies",
        {(2, "code", "required")},
        1,
        id="a-row-without-code-is-nobody's-parent",
    ),
    pytest.param("extra_values.csv", "tasks", {(2, None, "extra_values")}, 1, id="too-many-values"),
    pytest.param(
        "tasks_messy.xlsx",
        "tasks",
        {
            (4, "agency_code", "unknown_reference"),
            (4, "due_on", "impossible_date"),
            (5, "due_on", "before_other"),
            (5, "title", "required"),
        },
        2,
        id="messy-excel-rows-as-in-excel",
    ),
]


@pytest.mark.parametrize(("name", "table", "expected", "valid"), ROW_RULES)
def test_row_rules(tiny_url, name, table, expected, valid):
    result = _check(tiny_url, name, table)
    assert result.readable
    assert _problems(result) == expected
    assert result.rows_valid == valid
    assert result.rows_rejected == result.rows_read - valid
    # Every problem reads as a sentence with the value that caused it.
    assert result.errors["reason"].str.len().gt(10).all()


HEADER_RULES = [
    pytest.param("missing_column.csv", "tasks", (1, "due_on", "missing_column"), id="missing"),
    pytest.param("unknown_column.csv", "tasks", (1, "priority", "unknown_column"), id="unknown"),
    pytest.param("duplicate_column.csv", "tasks", (1, "code", "duplicate_column"), id="twice"),
    pytest.param(
        "org_units_geometry_column.csv",
        "org_units",
        (1, "geometry", "not_in_files"),
        id="geometry-comes-from-boundaries",
    ),
]


@pytest.mark.parametrize(("name", "table", "expected"), HEADER_RULES)
def test_header_rules_refuse_the_whole_file(tiny_url, name, table, expected):
    result = _check(tiny_url, name, table)
    assert not result.readable
    assert _problems(result) == {expected}
    assert result.rows_valid == 0
    assert not result.importable(skip_invalid=True)


FILE_RULES = [
    pytest.param("empty.csv", "file_empty", None, id="empty"),
    pytest.param("blank_lines.csv", "file_empty", None, id="only-blank-lines"),
    pytest.param("header_only.csv", "no_rows", 1, id="header-only"),
    pytest.param("undecodable.csv", "not_decodable", None, id="undecodable"),
    pytest.param("not_text.csv", "binary_content", None, id="binary"),
    pytest.param("legacy.xls", "legacy_xls", None, id="old-excel"),
    pytest.param("broken.xlsx", "bad_xlsx", None, id="broken-excel"),
]


@pytest.mark.parametrize(("name", "code", "row"), FILE_RULES)
def test_file_rules(tiny_url, name, code, row):
    result = _check(tiny_url, name, "tasks")
    assert _problems(result) == {(row, None, code)}
    assert not result.importable(skip_invalid=True)


def test_files_over_the_size_limit_are_refused(tiny_url):
    result = _check(tiny_url, "tasks_good.csv", "tasks", limit=100)
    assert _problems(result) == {(None, None, "file_too_large")}
    assert "limit" in result.errors["reason"].iloc[0]


READABLE = [
    pytest.param("tasks_good.csv", "csv", "utf-8", ",", 3, id="comma"),
    pytest.param("tasks_semicolon.csv", "csv", "utf-8", ";", 2, id="semicolon-quoted-comma"),
    pytest.param("tasks_tab.tsv", "csv", "utf-8", "\t", 1, id="tab"),
    pytest.param("tasks_utf8_bom.csv", "csv", "utf-8-sig", ",", 1, id="utf8-bom"),
    pytest.param("tasks_cp1251.csv", "csv", "windows-1251", ";", 1, id="windows-1251"),
    pytest.param("tasks_utf16.txt", "csv", "utf-16", "\t", 1, id="excel-unicode-text"),
    pytest.param("tasks_headers_by_hand.csv", "csv", "utf-8", ";", 2, id="hand-typed-headers"),
    pytest.param("tasks_short_rows.csv", "csv", "utf-8", ",", 2, id="short-rows"),
    pytest.param("survey_good.xlsx", "xlsx", None, None, 2, id="excel"),
]


@pytest.mark.parametrize(("name", "file_format", "encoding", "delimiter", "rows"), READABLE)
def test_encodings_delimiters_and_formats_are_detected(
    tiny_url, name, file_format, encoding, delimiter, rows
):
    table = "survey_responses" if name.startswith("survey") else "tasks"
    result = _check(tiny_url, name, table)
    assert result.errors.empty, result.errors[["row", "column", "reason"]].to_dict("records")
    assert (result.file_format, result.encoding, result.delimiter) == (
        file_format,
        encoding,
        delimiter,
    )
    assert result.rows_valid == rows


def test_cyrillic_text_survives_windows_1251_and_utf16(tiny_url):
    russian = _check(tiny_url, "tasks_cp1251.csv", "tasks")
    assert russian.rows["title"].iloc[0] == "Ответ на обращение гражданина"
    mongolian = _check(tiny_url, "tasks_utf16.txt", "tasks")
    assert mongolian.rows["title"].iloc[0] == "Өргөдөл"


def test_values_are_normalised(tiny_url):
    by_hand = _check(tiny_url, "tasks_headers_by_hand.csv", "tasks").rows
    assert by_hand["source_kind"].tolist() == ["citizen_request", "directive"]
    # 2024/3/1, 2024.03.10, the Excel serial 45352 and a midnight time are all dates.
    assert by_hand["issued_on"].tolist() == ["2024-03-01", "2024-03-01"]
    assert by_hand["due_on"].tolist() == ["2024-03-10", "2024-03-10"]
    assert by_hand["_row"].tolist() == [2, 4]  # the blank row 3 keeps its number
    excel = _check(tiny_url, "tasks_messy.xlsx", "tasks").rows
    assert excel["completed_on"].iloc[0] == "2024-03-08"  # the time of day is dropped
    assert excel["cancelled"].tolist() == [False, False]  # blank = the default


def test_every_reason_has_a_wording_with_its_placeholders():
    assert reason_text("above_maximum", {"range": "1–5"}) == "Out of range: must be 1–5."
    for code, text in REASONS.items():
        assert text.endswith("."), code


CHUNKED = [
    pytest.param(name, table, chunk_rows, id=f"{name}-by-{chunk_rows}")
    for name, table in [
        ("tasks_dates.csv", "tasks"),
        ("tasks_duplicates.csv", "tasks"),
        ("tasks_references.csv", "tasks"),
        ("extra_values.csv", "tasks"),
        ("tasks_headers_by_hand.csv", "tasks"),
        ("tasks_messy.xlsx", "tasks"),
        ("service_stats_logic.csv", "service_stats"),
        ("agencies_cascade.csv", "agencies"),
        ("unknown_column.csv", "tasks"),
    ]
    for chunk_rows in (1, 2, 3)
]


@pytest.mark.parametrize(("name", "table", "chunk_rows"), CHUNKED)
def test_checking_in_chunks_finds_what_checking_whole_finds(tiny_url, name, table, chunk_rows):
    """An import checks a file a chunk at a time (writing the chunks checked meanwhile):
    the rows and the errors, duplicates across chunks included, are the same."""
    rules = RULES[table]
    text = read_table(
        content=(FILES / name).read_bytes(),
        expected_columns=[rule.name for rule in rules.columns],
        sheet=table,
        max_bytes=LIMIT,
    )
    with get_engine(tiny_url).connect() as connection:
        known = known_codes(connection, table=table)
    arguments = {
        "rules": rules,
        "cells": text.cells,
        "row_numbers": text.row_numbers,
        "known_codes": known,
        "header_row": text.header_row,
        "extra_errors": text.row_problems,
    }
    whole = validate(**arguments)
    parts = list(validate_in_chunks(**arguments, chunk_rows=chunk_rows))
    in_chunks = combined(parts)
    pd.testing.assert_frame_equal(in_chunks.errors, whole.errors)
    pd.testing.assert_frame_equal(in_chunks.rows, whole.rows)
    assert (in_chunks.rows_read, in_chunks.header_ok) == (whole.rows_read, whole.header_ok)
    self_referencing = any(rule.references == table for rule in rules.columns)
    expected_parts = (
        1
        if self_referencing or not whole.header_ok
        else len(chunk_starts(rows=whole.rows_read, chunk_rows=chunk_rows))
    )
    assert len(parts) == expected_parts
    if not self_referencing and whole.header_ok:
        assert [part.rows_read for part in parts] == chunk_sizes(whole.rows_read, chunk_rows)


def chunk_sizes(rows: int, chunk_rows: int) -> list[int]:
    """Counted by hand: a first chunk of a tenth (at least one row), then ``chunk_rows``."""
    first = max(chunk_rows // 10, 1)
    sizes = [min(first, rows)]
    while sum(sizes) < rows:
        sizes.append(min(chunk_rows, rows - sum(sizes)))
    return sizes


@pytest.mark.parametrize(
    ("rows", "chunk_rows", "starts"),
    [
        (0, 50_000, [0]),
        (1, 50_000, [0]),
        (5_000, 50_000, [0]),
        (5_001, 50_000, [0, 5_000]),
        (55_000, 50_000, [0, 5_000]),
        (55_001, 50_000, [0, 5_000, 55_000]),
        (200_000, 50_000, [0, 5_000, 55_000, 105_000, 155_000]),
        (5, 2, [0, 1, 3]),
        (3, 1, [0, 1, 2]),
    ],
)
def test_the_first_chunk_is_small_so_that_writing_starts_early(rows, chunk_rows, starts):
    assert chunk_starts(rows=rows, chunk_rows=chunk_rows) == starts
