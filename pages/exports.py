"""Figures and tables that leave the building: stamped chart images (kaleido), CSV and XLSX
with a header block, cells neutralised against spreadsheet formula injection.

No Streamlit here, so every export can be tested (and used by scripts) on its own.
"""

from __future__ import annotations

import atexit
import csv
import io
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

ImageFormat = Literal["png", "svg", "pdf"]
IMAGE_MIME: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
IMAGE_WIDTH, IMAGE_HEIGHT, IMAGE_SCALE = 1200, 700, 2
STAMP_TOP, STAMP_BOTTOM = 110, 150
SHEET_TITLE = "Data"

_kaleido_lock = threading.Lock()
_kaleido_started = False


@dataclass(frozen=True, kw_only=True)
class Stamp:
    """What every exported figure says about itself: what, under which filters, as of when,
    from where."""

    title: str
    filters_line: str
    as_of_line: str
    source_line: str
    caption: str = ""

    def lines(self) -> list[str]:
        lines = [self.title, self.filters_line, self.as_of_line, self.source_line]
        return [*lines, self.caption] if self.caption else lines


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _ensure_kaleido() -> None:
    """Start kaleido's Chromium once per process: an image then takes ~0.3 s, not ~3.5 s."""
    global _kaleido_started
    with _kaleido_lock:
        if _kaleido_started:
            return
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _kaleido_started = True


def stamped_figure(figure: go.Figure, *, stamp: Stamp) -> go.Figure:
    """A copy of ``figure`` with the title, a filters subtitle, the as-of date and the source
    drawn into the image, and the legend shown."""
    stamped = go.Figure(figure)
    stamped.update_layout(
        title={
            "text": f"<b>{stamp.title}</b><br><sup>{stamp.filters_line}</sup>",
            "x": 0.01,
            "xanchor": "left",
        },
        showlegend=True,
        margin={"t": STAMP_TOP, "b": STAMP_BOTTOM, "l": 70, "r": 40},
        template="plotly_white",
        paper_bgcolor="white",
        font={"family": "DejaVu Sans, Noto Sans, Liberation Sans, sans-serif"},
    )
    stamped.add_annotation(
        text="<br>".join(
            line for line in (stamp.caption, stamp.as_of_line, stamp.source_line) if line
        ),
        xref="paper",
        yref="paper",
        x=0,
        # Below the axis labels, in the margin: paper units are the plot area's height.
        y=-(STAMP_BOTTOM - 62) / (IMAGE_HEIGHT - STAMP_TOP - STAMP_BOTTOM),
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font={"size": 11, "color": "#444"},
    )
    return stamped


def figure_bytes(figure: go.Figure, *, stamp: Stamp, image_format: ImageFormat) -> bytes:
    """The stamped figure as PNG, SVG or PDF bytes."""
    _ensure_kaleido()
    with warnings.catch_warnings():
        # plotly hands kaleido options that a running kaleido server does not need.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return stamped_figure(figure, stamp=stamp).to_image(
            format=image_format, width=IMAGE_WIDTH, height=IMAGE_HEIGHT, scale=IMAGE_SCALE
        )


def is_missing(value: object) -> bool:
    """None, NaN, NaT, pd.NA: a gap, which a file shows as an empty cell."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers are values, not gaps
        return False


def _cell(value: object) -> object:
    """A frame value as a file cell: missing is empty (never "nan"), numpy scalars are plain
    numbers, timestamps are dates, and only text is neutralised: -2.5 stays a number."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return neutralise(value)


def table_csv(frame: pd.DataFrame, *, stamp: Stamp) -> bytes:
    """CSV (UTF-8 with BOM, so Excel reads Cyrillic) with the stamp as the first lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in stamp.lines():
        writer.writerow([neutralise(line)])
    writer.writerow([])
    writer.writerow([neutralise(str(column)) for column in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow(["" if (cell := _cell(value)) is None else cell for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def table_xlsx(
    frame: pd.DataFrame, *, stamp: Stamp, number_formats: Mapping[str, str] | None = None
) -> bytes:
    """An Excel workbook: the stamp in the first rows, then the table. Numbers stay numbers;
    ``number_formats`` (column -> Excel format such as ``0.0``) says how a column reads."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for line in stamp.lines():
        sheet.append([neutralise(line)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([neutralise(str(column)) for column in frame.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(value) for value in row])
    formats = number_formats or {}
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        # Wide enough for the header, so a reader sees what each column is.
        sheet.column_dimensions[letter].width = min(max(10, len(str(column)) + 2), 50)
        if column in formats:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                if cell.data_type == "n":
                    cell.number_format = formats[column]
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
