"""Exports: valid files that say what they are, when and where from; no formula injection."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook

from pages.exports import Stamp, figure_bytes, neutralise, table_csv, table_xlsx

STAMP = Stamp(
    title="Хугацаандаа биелэлт аймгаар",
    filters_line="Хугацаа 2025 · Аймаг: Бүгд",
    as_of_line="Өгөгдлийн огноо 2025-11-30",
    source_line="Эх сурвалж: нэгдсэн сан",
)
FRAME = pd.DataFrame(
    {
        "Нэр": ["Улаанбаатар", '=HYPERLINK("http://evil")', "-1+2", "@SUM(A1)", "Ховд"],
        "Хувь": [92.15, 80.0, 77.5, 60.25, None],
        "Тоо": [19109, 2262, 2004, 12, 0],
    }
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("Улаанбаатар", "Улаанбаатар"),
        ("a=b", "a=b"),
        (-2, -2),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def _figure() -> go.Figure:
    return go.Figure(go.Bar(x=["Улаанбаатар", "Ховд"], y=[92.1, 78.9], name="Хувь"))


@pytest.fixture(scope="module")
def images() -> dict[str, bytes]:
    return {
        fmt: figure_bytes(_figure(), stamp=STAMP, image_format=fmt) for fmt in ("png", "svg", "pdf")
    }


def test_png_is_a_real_image(images):
    png = images["png"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (2400, 1400)


def test_svg_carries_title_filters_as_of_and_source(images):
    svg = images["svg"].decode("utf-8")
    assert svg.startswith("<svg")
    for line in STAMP.lines():
        assert line in svg


def test_pdf_is_one_page_with_the_stamp(images):
    pdf = images["pdf"]
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert len(pdf) > 5_000


def test_csv_has_the_header_block_and_neutralised_cells():
    text = table_csv(FRAME, stamp=STAMP).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[:4]] == STAMP.lines()
    assert rows[5] == ["Нэр", "Хувь", "Тоо"]
    assert rows[6] == ["Улаанбаатар", "92.15", "19109"]
    assert rows[7][0].startswith("'=")
    assert rows[8][0] == "'-1+2"
    assert rows[9][0] == "'@SUM(A1)"
    assert rows[10] == ["Ховд", "", "0"]


def test_xlsx_keeps_numbers_as_numbers():
    sheet = load_workbook(io.BytesIO(table_xlsx(FRAME, stamp=STAMP))).active
    assert [sheet.cell(row=index, column=1).value for index in range(1, 5)] == STAMP.lines()
    assert [cell.value for cell in sheet[6]] == ["Нэр", "Хувь", "Тоо"]
    assert [cell.value for cell in sheet[7]] == ["Улаанбаатар", 92.15, 19109]
    assert isinstance(sheet["B7"].value, float) and isinstance(sheet["C7"].value, int)
    assert sheet["A8"].value.startswith("'=") and sheet["A8"].data_type == "s"
    assert sheet["B11"].value is None


SIGNED = pd.DataFrame(
    {
        "Текст": ["=1+1", "-cmd", "@x", "+x"],
        "Өөрчлөлт": [-2.5, -0.04, 0.0, 3.25],
        "Тоо": pd.Series([-3, None, 4, pd.NA], dtype=object),
        "Огноо": [pd.Timestamp("2025-11-30"), pd.NaT, None, pd.Timestamp("2025-01-02")],
    }
)


def test_xlsx_keeps_negative_numbers_as_numbers_and_neutralises_only_text():
    xlsx = table_xlsx(SIGNED, stamp=STAMP, number_formats={"Өөрчлөлт": "+0.0;-0.0;0.0"})
    sheet = load_workbook(io.BytesIO(xlsx)).active
    texts = [sheet.cell(row=row, column=1) for row in range(7, 11)]
    assert [cell.value for cell in texts] == ["'=1+1", "'-cmd", "'@x", "'+x"]
    assert all(cell.data_type == "s" for cell in texts)
    changes = [sheet.cell(row=row, column=2) for row in range(7, 11)]
    assert [cell.value for cell in changes] == [-2.5, -0.04, 0.0, 3.25]
    assert all(cell.data_type == "n" for cell in changes)
    assert {cell.number_format for cell in changes} == {"+0.0;-0.0;0.0"}
    counts = [sheet.cell(row=row, column=3).value for row in range(7, 11)]
    assert counts == [-3, None, 4, None]
    assert sheet["D7"].value.date().isoformat() == "2025-11-30"
    assert sheet["D8"].value is None and sheet["D9"].value is None


def test_csv_keeps_negative_numbers_and_leaves_gaps_empty():
    text = table_csv(SIGNED, stamp=STAMP).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[6:]
    assert rows == [
        ["'=1+1", "-2.5", "-3", "2025-11-30"],
        ["'-cmd", "-0.04", "", ""],
        ["'@x", "0.0", "4", ""],
        ["'+x", "3.25", "", "2025-01-02"],
    ]
