"""Property-based: whatever bytes or CSV shapes arrive, reading and validating gives rows or a
clear problem (a reason code with its wording), never an exception; the fast ways (pyarrow's
reader, checking in chunks) find exactly what the plain ways find."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_access.imports.reader import TextTable, _grid_by_arrow, _grid_by_pandas, read_table
from data_access.validation import (
    REASONS,
    RULES,
    FileProblemError,
    combined,
    validate,
    validate_in_chunks,
)

TABLES = list(RULES)
LIMIT = 64 * 1024
# Every code the templates' example rows use exists, so rows made of examples can be valid.
KNOWN: dict[str, set[str]] = {}
for _rules in RULES.values():
    for _rule in _rules.columns:
        if _rule.references:
            KNOWN.setdefault(_rule.references, set()).add(_rule.example)


def _read_and_validate(*, content: bytes, table: str) -> None:
    rules = RULES[table]
    try:
        text = read_table(
            content=content,
            expected_columns=[rule.name for rule in rules.columns],
            sheet=table,
            max_bytes=LIMIT,
        )
    except FileProblemError as problem:
        assert problem.code in REASONS
        assert str(problem)
        return
    assert isinstance(text, TextTable)
    assert len(text.cells) == len(text.row_numbers) > 0
    result = validate(
        rules=rules,
        cells=text.cells,
        row_numbers=text.row_numbers,
        known_codes=KNOWN,
        extra_errors=text.row_problems,
    )
    assert set(result.errors["code"]) <= set(REASONS)
    assert result.errors["reason"].map(bool).all()
    assert len(result.rows) + result.rejected_rows == result.rows_read or not result.header_ok
    assert set(result.rows["_row"]) <= set(text.row_numbers) if len(result.rows) else True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=2048), table=st.sampled_from(TABLES))
def test_arbitrary_bytes_give_rows_or_a_clear_problem(content: bytes, table: str):
    _read_and_validate(content=content, table=table)


_PRINTABLE = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
_CELL = st.one_of(
    _PRINTABLE,
    st.text(max_size=3).filter(lambda text: len(text) < 2),
    st.sampled_from(
        ["", " ", "AG-A1", "11", "41", "S1", "2024-03-01", "2024-02-30", "45352", "2024-H1",
         "true", "no", "4", "101", "-3", "85,5", "1e309", "NaN", "online", "directive",
         '"', "a,b", "x\ny", "Өргөдөл"]
    ),
)  # fmt: skip


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """A CSV of any shape: mostly the table's own columns (shuffled, some missing, some
    strangers), ragged rows of plausible and implausible values, any delimiter and encoding."""
    table = draw(st.sampled_from(TABLES))
    names = [rule.name for rule in RULES[table].columns]
    header = draw(st.permutations(names))
    header = (
        header[: draw(st.integers(min_value=0, max_value=len(header)))]
        if draw(st.booleans())
        else header
    )
    header += draw(st.lists(_PRINTABLE, max_size=2)) if draw(st.booleans()) else []
    width = len(header)
    examples = {rule.name: rule.example for rule in RULES[table].columns}
    plausible = st.lists(
        st.tuples(
            *[st.one_of(*[st.just(examples.get(name, ""))] * 8, _CELL) for name in header]
        ).map(list),
        max_size=12,
    )
    ragged = st.lists(st.lists(_CELL, min_size=max(width - 2, 0), max_size=width + 2), max_size=6)
    rows = draw(st.one_of(plausible, ragged))
    # Numbered codes, so that rows made of examples are not all copies of one key.
    code = header.index("code") if "code" in header else None
    for number, row in enumerate(rows):
        if code is not None and code < len(row) and draw(st.booleans()):
            row[code] = f"{row[code]}-{number}"
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for record in [header, *rows]:
        writer.writerow(record)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]))
    return buffer.getvalue().encode(encoding, errors="replace"), table


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=csv_files())
def test_arbitrary_csv_shapes_give_rows_or_a_clear_problem(file: tuple[bytes, str]):
    content, table = file
    _read_and_validate(content=content, table=table)


def _cells(grid: pd.DataFrame) -> list[list[str]]:
    return grid.fillna("").astype(str).to_numpy().tolist()


# Delimiters, quotes, both line ends, blanks and a few letters: every shape CSV text can take.
_CSV_TEXT = st.text(alphabet=st.sampled_from(list("ab1ё ,;\t\"'\n\r")), min_size=1, max_size=60)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_CSV_TEXT, delimiter=st.sampled_from([",", ";", "\t"]))
def test_pyarrows_reader_reads_what_pandas_reads_or_leaves_the_file_to_it(
    text: str, delimiter: str
):
    fast = _grid_by_arrow(text=text, delimiter=delimiter)
    if fast is not None:
        assert _cells(fast) == _cells(_grid_by_pandas(text=text, delimiter=delimiter))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=csv_files(), chunk_rows=st.integers(min_value=1, max_value=4))
def test_checking_in_chunks_finds_what_checking_whole_finds(
    file: tuple[bytes, str], chunk_rows: int
):
    content, table = file
    rules = RULES[table]
    try:
        text = read_table(
            content=content,
            expected_columns=[rule.name for rule in rules.columns],
            sheet=table,
            max_bytes=LIMIT,
        )
    except FileProblemError:
        return
    arguments = {
        "rules": rules,
        "cells": text.cells,
        "row_numbers": text.row_numbers,
        "known_codes": KNOWN,
        "header_row": text.header_row,
        "extra_errors": text.row_problems,
    }
    whole = validate(**arguments)
    in_chunks = combined(list(validate_in_chunks(**arguments, chunk_rows=chunk_rows)))
    pd.testing.assert_frame_equal(in_chunks.errors, whole.errors)
    pd.testing.assert_frame_equal(in_chunks.rows, whole.rows)
