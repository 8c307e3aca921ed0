"""Reading an agency's file (CSV or XLSX) into a table of text cells, or saying clearly why not.

Bad files are the normal case: every way a file can be unreadable ends in a
``FileProblemError`` with a reason code, never in another exception. CSV text is decoded from
UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text") or Windows-1251; the
delimiter (comma, semicolon or tab) is found with ``csv.Sniffer`` and checked against the
expected column names. XLSX files are read with openpyxl.

Row numbers are what a clerk sees in a spreadsheet: the header is usually row 1 (titles above
it are skipped), blank rows are skipped but keep their numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pandas as pd
import pyarrow
from pyarrow import csv as arrow_csv

from data_access.validation import FileProblemError

DEFAULT_MAX_MB = 100
MAX_MB_VARIABLE = "IMPORT_MAX_MB"
DELIMITERS = (",", ";", "\t")
_SNIFF_CHARACTERS = 64_000
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# Text in Windows-1251 is (nearly) all Cyrillic letters and a few typographic signs; random
# bytes decode to a mix of symbols, so a low share means "not really Windows-1251".
_CP1251_PLAUSIBLE_SHARE = 0.95
_CP1251_SIGNS = set("«»–—№…“”„‘’•·\xa0€")
_HEADER_SEARCH_ROWS = 20
# Control characters other than tab and line ends: a file holding any is not text.
_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass(frozen=True)
class TextTable:
    """A file's cells as text: one column per header name (normalised), row numbers as in the
    file, and problems of single rows found while reading (e.g. too many values)."""

    cells: pd.DataFrame
    row_numbers: np.ndarray
    file_format: str
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    row_problems: list[dict[str, object]] = field(default_factory=list)


def max_bytes_configured() -> int:
    """The upload size limit: ``IMPORT_MAX_MB`` in the environment, else 100 MB."""
    configured = os.environ.get(MAX_MB_VARIABLE, "")
    megabytes = float(configured) if configured.replace(".", "", 1).isdigit() else DEFAULT_MAX_MB
    return int(megabytes * 1024 * 1024)


def read_table(
    *, content: bytes, expected_columns: Collection[str], sheet: str, max_bytes: int
) -> TextTable:
    """The text cells of ``content`` (CSV or XLSX, told apart by their first bytes).

    ``expected_columns`` picks the delimiter when the sniffer is unsure; ``sheet`` is the
    preferred worksheet of an XLSX file (else a sheet called "data", else the first).
    """
    if len(content) > max_bytes:
        raise FileProblemError(
            "file_too_large",
            size_mb=_megabytes(len(content)),
            limit_mb=_megabytes(max_bytes),
        )
    if not content.strip():
        raise FileProblemError("file_empty")
    if content.startswith(_XLSX_MAGIC):
        return _read_xlsx(content=content, sheet=sheet, expected_columns=expected_columns)
    if content.startswith(_XLS_MAGIC):
        raise FileProblemError("legacy_xls")
    text, encoding = decode(content)
    return _read_csv(text=text, encoding=encoding, expected_columns=expected_columns)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was written in; FileProblemError when it is not text."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                return _textual(content.decode(encoding)), encoding
            except UnicodeDecodeError as error:
                raise FileProblemError("not_decodable") from error
    try:
        return _textual(content.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1251")
    except UnicodeDecodeError as error:
        raise FileProblemError("not_decodable") from error
    text = _textual(text)
    foreign = [character for character in text if ord(character) > 127]
    cyrillic = sum(
        1
        for character in foreign
        if "\u0400" <= character <= "\u04ff" or character in _CP1251_SIGNS
    )
    if cyrillic < _CP1251_PLAUSIBLE_SHARE * len(foreign):
        raise FileProblemError("not_decodable")
    return text, "windows-1251"


def _textual(text: str) -> str:
    # In UTF-8 these characters are single bytes no other character contains; deleting
    # them from the bytes is several times faster than a regular expression on the text.
    encoded = text.encode("utf-8", errors="surrogatepass")
    if len(encoded.translate(None, _CONTROL)) != len(encoded):
        raise FileProblemError("binary_content")
    return text


def normalise_header(name: object) -> str:
    """``" Agency code "`` → ``agency_code``: clerks type headers by hand."""
    text = str(name).replace("\ufeff", "").strip().strip('"').strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def choose_delimiter(*, text: str, expected_columns: Collection[str]) -> str:
    """Comma, semicolon or tab: the one that splits the header into the most expected column
    names; between equals, the sniffer's choice, then the one giving the most columns."""
    sample = text[:_SNIFF_CHARACTERS]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    header = next((line for line in sample.splitlines() if line.strip()), "")
    expected = set(expected_columns)

    def score(delimiter: str) -> tuple[int, bool, int]:
        names = [normalise_header(name) for name in header.split(delimiter)]
        return sum(name in expected for name in names), delimiter == sniffed, len(names)

    return max(DELIMITERS, key=score)


def _read_csv(*, text: str, encoding: str, expected_columns: Collection[str]) -> TextTable:
    delimiter = choose_delimiter(text=text, expected_columns=expected_columns)
    grid = _grid_by_arrow(text=text, delimiter=delimiter)
    if grid is None:
        grid = _grid_by_pandas(text=text, delimiter=delimiter)
    cells, numbers, problems, header_row = _table(grid=grid, expected_columns=expected_columns)
    return TextTable(
        cells=cells,
        row_numbers=numbers,
        file_format="csv",
        header_row=header_row,
        encoding=encoding,
        delimiter=delimiter,
        row_problems=problems,
    )


def _header_index(*, grid: pd.DataFrame, positions: np.ndarray, expected: Collection[str]) -> int:
    """Which non-blank row is the header: the one naming the most expected columns among the
    first few (clerks put titles above tables), else the first."""
    wanted = set(expected)
    scores = [
        sum(normalise_header(name) in wanted for name in grid.iloc[position])
        for position in positions[:_HEADER_SEARCH_ROWS]
    ]
    best = max(scores)
    return scores.index(best) if best > 0 else 0


def _grid_by_arrow(*, text: str, delimiter: str) -> pd.DataFrame | None:
    """Every record of a regular file (the same number of values on every line, no empty
    line) as text, by pyarrow's reader: several times faster than pandas' on two cores.
    None for any other file, which pandas then reads."""
    # Every column is read as text (a code such as 0042 keeps its zeros); the first line
    # tells how many columns there can be, unless a quoted value spans lines (checked below).
    ends = [end for end in (text.find("\n"), text.find("\r")) if end >= 0]
    widest = text.count(delimiter, 0, min(ends, default=len(text))) + 1
    if widest < 2:
        # With one column, a blank line would be a row of its own here and not in pandas;
        # with more, pyarrow refuses a blank line (too few values) and pandas reads the file.
        return None
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(text.encode()),
            read_options=arrow_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=arrow_csv.ConvertOptions(
                column_types={f"f{index}": pyarrow.string() for index in range(widest)},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pyarrow.ArrowInvalid, ValueError, UnicodeEncodeError):
        return None
    if table.num_columns < 2 or not all(
        pyarrow.types.is_string(column.type) for column in table.columns
    ):
        return None
    return table.to_pandas().set_axis(range(table.num_columns), axis="columns")


def _grid_by_pandas(*, text: str, delimiter: str) -> pd.DataFrame:
    try:
        # pandas' C parser reads a file with short or blank lines several times faster than
        # the csv module; a row with more values than the first one makes it give up, and
        # the csv module, which reads anything, then finds which rows those are.
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, csv.Error, pd.errors.EmptyDataError):
        return _grid_by_csv_module(text=text, delimiter=delimiter)


def _grid_by_csv_module(*, text: str, delimiter: str) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        raise FileProblemError("bad_csv", row=reader.line_num, detail=str(error)) from error
    width = max((len(record) for record in records), default=0)
    return pd.DataFrame([record + [""] * (width - len(record)) for record in records], dtype=object)


def _table(
    *, grid: pd.DataFrame, expected_columns: Collection[str]
) -> tuple[pd.DataFrame, np.ndarray, list[dict[str, object]], int]:
    """Every record of a file (position i = row i + 1) → header names, data cells, row
    numbers and the header's row number, blank rows left out. Values beyond the header's
    columns are reported unless blank (spreadsheets often leave trailing separators)."""
    grid = grid.fillna("").astype(str).set_axis(range(grid.shape[1]), axis="columns")
    filled = pd.DataFrame({column: grid[column].str.strip() != "" for column in grid.columns})
    positions = np.flatnonzero(filled.any(axis="columns").to_numpy()) if len(grid.columns) else []
    if len(positions) == 0:
        raise FileProblemError("file_empty")
    header_at = _header_index(grid=grid, positions=positions, expected=expected_columns)
    header_position, data_positions = positions[header_at], positions[header_at + 1 :]
    names = [normalise_header(name) for name in grid.iloc[header_position]]
    while names and names[-1] == "":
        names.pop()
    if not names:
        raise FileProblemError("no_header", row=int(header_position) + 1)
    if len(data_positions) == 0:
        raise FileProblemError("no_rows", row=int(header_position) + 1)
    width = len(names)
    problems: list[dict[str, object]] = []
    if grid.shape[1] > width:
        overflowing = filled.iloc[data_positions, width:].any(axis="columns")
        for position in overflowing.index[overflowing.to_numpy()]:
            extra = [cell.strip() for cell in grid.iloc[position, width:] if cell.strip()]
            problems.append(
                {
                    "row": int(position) + 1,
                    "column": None,
                    "value": "; ".join(extra),
                    "code": "extra_values",
                    "params": {"count": width + len(extra), "expected": width},
                }
            )
    first, last = int(data_positions[0]), int(data_positions[-1])
    # Without blank rows the data is one stretch of the grid, taken without copying.
    rows = slice(first, last + 1) if last - first + 1 == len(data_positions) else data_positions
    cells = grid.iloc[rows, :width].set_axis(names, axis="columns")
    numbers = data_positions.astype(np.int64) + 1
    return cells.reset_index(drop=True), numbers, problems, int(header_position) + 1


def _read_xlsx(*, content: bytes, sheet: str, expected_columns: Collection[str]) -> TextTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise FileProblemError("bad_xlsx", detail=_first_line(error)) from error
    try:
        names = workbook.sheetnames
        chosen = next((name for name in (sheet, "data") if name in names), names[0])
        worksheet = workbook[chosen]
        worksheet.reset_dimensions()
        rows = [
            [_cell_text(value) for value in values]
            for values in worksheet.iter_rows(values_only=True)
        ]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise FileProblemError("bad_xlsx", detail=_first_line(error)) from error
    finally:
        workbook.close()
    width = max((len(row) for row in rows), default=0)
    grid = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)
    cells, numbers, problems, header_row = _table(grid=grid, expected_columns=expected_columns)
    return TextTable(
        cells=cells,
        row_numbers=numbers,
        file_format="xlsx",
        header_row=header_row,
        sheet=chosen,
        row_problems=problems,
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else error.__class__.__name__


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold (dates as ISO, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()
