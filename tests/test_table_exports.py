"""Every table a page shows leaves the building as CSV and XLSX holding the same numbers, as
numbers; every chart as stamped images; every export made writes a line in the audit log.

The download buttons make their files only when clicked (deferred data), and AppTest has no
server to run them, so the tests record the ``data`` callable each button is given and call
it: the same bytes a reader's click makes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import pytest
import streamlit
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from data_access import accounts
from data_access.db import get_engine
from data_access.settings import security_settings
from metrics.definitions import METRICS, STATUS_STYLES, Status
from metrics.i18n import translate
from metrics.privacy import SUPPRESSED_COLUMN
from pages.downloads import ONE_DECIMAL, WHOLE, PageTable
from tests.sign_in import DEMO_USERS, sign_in
from tests.test_pages import APP, run_like_streamlit_run

TABLE_PAGES = [
    "pages/overview.py",
    "pages/agencies.py",
    "pages/plans.py",
    "pages/tasks.py",
    "pages/satisfaction_gap.py",
    "pages/map.py",
    "pages/digital_services.py",
    "pages/outlook.py",
    "pages/integrity.py",
    "pages/reality_check.py",
]
# What a press officer may open (app.py): aggregates only.
PRESS_PAGES = [
    "pages/overview.py",
    "pages/map.py",
    "pages/agencies.py",
    "pages/plans.py",
    "pages/satisfaction_gap.py",
    "pages/digital_services.py",
]
LEADING_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?")
NUMBERS = re.compile(r"[+-]?\d+(?:\.\d+)?")
MISSING = "—"
# A figure blanked for the press: the page says so, the files leave the cell empty and say so
# in the status column.
SUPPRESSED_SHOWN = translate(
    "privacy.suppressed", language="mn", k=security_settings().press_min_observations
)
SUPPRESSED_EXPORTED = translate("export.suppressed", language="mn")
GREY = f"{STATUS_STYLES[Status.GREY].symbol} {STATUS_STYLES[Status.GREY].label['mn']}"
YES, NO = translate("common.yes", language="mn"), translate("common.no", language="mn")
SHOWN_AS = {YES: {YES, "✓", f"⚠ {YES}"}, NO: {NO, "✗", ""}}


class Downloads:
    """What each download button was given, by key, in the order the page drew them."""

    def __init__(self) -> None:
        self.makers: dict[str, Callable[[], bytes]] = {}
        self.file_names: dict[str, str] = {}

    def record(self, original: Callable) -> Callable:
        def download_button(label, data=None, *arguments, **keywords):
            key = keywords["key"]
            self.makers[key] = data
            self.file_names[key] = keywords.get("file_name", "")
            return original(label, data, *arguments, **keywords)

        return download_button

    def keys(self, suffix: str) -> list[str]:
        return [key for key in self.makers if key.endswith(f"_{suffix}")]


def record_downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    """From now on, remember what every download button is given."""
    recorder = Downloads()
    monkeypatch.setattr(streamlit, "download_button", recorder.record(streamlit.download_button))
    return recorder


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    return record_downloads(monkeypatch)


@pytest.fixture
def app(
    small_demo_url: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> AppTest:
    """The app, signed in as leadership (or the role given by indirect parametrisation)."""
    monkeypatch.setenv("DATABASE_URL", small_demo_url)
    run_like_streamlit_run(monkeypatch)
    role = getattr(request, "param", "leadership")
    return sign_in(AppTest.from_file(APP, default_timeout=120), role=role)


def _open(
    app: AppTest, page: str, downloads: Downloads, *, choose: tuple[str, str] | None = None
) -> AppTest:
    """Open ``page``; ``choose`` = (select box key, value) picks something on it first."""
    app.run()
    assert not app.exception, app.exception
    app.switch_page(page)
    app.run()
    if choose:
        app.selectbox(key=choose[0]).set_value(choose[1])
    downloads.makers.clear()  # only what the page draws in its last run
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


# --- reading an exported workbook -------------------------------------------------------------
def _sheet_rows(xlsx: bytes) -> tuple[list[str], list[list[object]], list[list[str]]]:
    """Header, rows and each cell's number format, below the stamp block."""
    sheet = load_workbook(io.BytesIO(xlsx)).active
    rows = list(sheet.iter_rows())
    blank = next(index for index, row in enumerate(rows) if row[0].value is None)
    header = [cell.value for cell in rows[blank + 1]]
    body = rows[blank + 2 :]
    for row in body:
        for cell in row:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert cell.data_type == "n", cell.coordinate
    return (
        header,
        [[cell.value for cell in row] for row in body],
        [[cell.number_format for cell in row] for row in body],
    )


def _same_number(shown: float, exported: object, *, decimals: int) -> bool:
    if not isinstance(exported, int | float) or isinstance(exported, bool):
        return False
    return abs(float(exported) - shown) <= 0.5 * 10**-decimals + 1e-9


def _gap(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    # "—", "— ○ no data", a figure suppressed for the press
    return isinstance(value, str) and value.startswith((MISSING, SUPPRESSED_SHOWN))


def _check_cell(shown: object, exported: object, where: str) -> None:
    """One shown cell against the exported cell under the same header."""
    if _gap(shown):
        assert exported is None, where
    elif isinstance(shown, bool):
        assert exported is not None, where
    elif isinstance(shown, int | float):
        assert _same_number(float(shown), exported, decimals=1), (where, shown, exported)
    elif isinstance(shown, date):
        assert isinstance(exported, datetime), where
        assert exported.date() == pd.Timestamp(shown).date(), where
    elif isinstance(exported, datetime):
        # A date the page writes as text, maybe with a mark ("2025-11-02 ⌛").
        assert str(shown).startswith(exported.date().isoformat()), (where, shown)
    elif (match := LEADING_NUMBER.match(str(shown))) and not isinstance(exported, str):
        decimals = len(match.group().split(".")[1]) if "." in match.group() else 0
        assert _same_number(float(match.group()), exported, decimals=decimals), (
            where,
            shown,
            exported,
        )
    elif str(shown).startswith("< ") and isinstance(exported, float):
        assert exported < float(str(shown)[2:]), where
    elif exported == SUPPRESSED_EXPORTED:
        assert shown == GREY, (where, shown)
    elif exported in SHOWN_AS:
        # Yes / no: the page may draw it as a mark (✓, ✗, ⚠); the files say the word.
        assert shown in SHOWN_AS[exported], (where, shown, exported)
    else:
        assert str(exported).removeprefix("'") == str(shown), (where, shown, exported)


def _compare(shown: pd.DataFrame, xlsx: bytes, *, label: str) -> int:
    """Every shown number is a number in the workbook, equal within the shown rounding;
    returns how many numeric cells were compared."""
    header, rows, formats = _sheet_rows(xlsx)
    assert len(rows) == len(shown), label
    compared = 0
    for column in shown.columns:
        if column in header:
            position = header.index(column)
            status_column = translate("export.status_of", language="mn", label=column)
            for index, value in enumerate(shown[column]):
                exported = rows[index][position]
                _check_cell(value, exported, f"{label}: {column} row {index}")
                if isinstance(exported, float):
                    compared += 1
                    assert formats[index][position] in ("0.0", "0.000", "+0.0;-0.0;0.0")
                if status_column not in header:
                    continue
                status = rows[index][header.index(status_column)]
                if str(value).startswith(SUPPRESSED_SHOWN):
                    assert status == SUPPRESSED_EXPORTED, (label, column, index)
                elif not _gap(value):
                    # "65.0 % ● green" = the number, then the status column's text.
                    assert str(value).endswith(status), (label, column, index)
        else:
            # A cell shown as one text ("12 / 30", "62.1–70.4") is its parts, in order.
            parts = [name for name in header if name.startswith(f"{column} — ")]
            assert parts, f"{label}: the files have no column for {column!r}"
            for index, value in enumerate(shown[column]):
                exported = [rows[index][header.index(name)] for name in parts]
                if value in (None, MISSING):
                    assert exported == [None] * len(parts)
                    continue
                numbers = [float(number) for number in NUMBERS.findall(str(value))]
                assert len(numbers) == len(parts), (label, value)
                for number, cell in zip(numbers, exported, strict=True):
                    assert _same_number(number, cell, decimals=1), (label, column, value, cell)
                    compared += 1
    return compared


def _check_csv(made: bytes, xlsx: bytes, *, label: str) -> None:
    """The CSV: the stamp, then the workbook's header and rows; a gap is empty, never "nan"."""
    rows = list(csv.reader(io.StringIO(made.decode("utf-8-sig"))))
    blank = rows.index([])
    assert "2025-11-30" in rows[2][0], label
    header, body, _ = _sheet_rows(xlsx)
    assert rows[blank + 1] == header, label
    assert len(rows) - blank - 2 == len(body), label
    for row, cells in zip(rows[blank + 2 :], body, strict=True):
        for text, cell in zip(row, cells, strict=True):
            if cell is None:
                assert text == "", label
            elif isinstance(cell, int | float):
                assert float(text) == pytest.approx(cell), label


@pytest.mark.parametrize(
    ("page", "choose"),
    [
        *((page, None) for page in TABLE_PAGES),
        pytest.param("pages/map.py", ("map_province", "65"), id="map-districts"),
    ],
)
def test_every_table_downloads_and_the_xlsx_holds_the_numbers_the_page_shows(
    app: AppTest, downloads: Downloads, page: str, choose: tuple[str, str] | None
):
    _open(app, page, downloads, choose=choose)
    tables = [element.value for element in app.dataframe]
    workbooks, sheets = downloads.keys("xlsx"), downloads.keys("csv")
    assert len(tables) >= (2 if choose else 1), page
    # One CSV and one XLSX per table shown, drawn right under it.
    assert len(workbooks) == len(sheets) == len(tables), (page, workbooks)
    compared = 0
    for shown, workbook, sheet in zip(tables, workbooks, sheets, strict=True):
        xlsx = downloads.makers[workbook]()
        compared += _compare(shown, xlsx, label=f"{page} {workbook}")
        _check_csv(downloads.makers[sheet](), xlsx, label=f"{page} {sheet}")
    assert compared > 0, "no number was compared"


@pytest.mark.parametrize("app", ["press"], indirect=True)
@pytest.mark.parametrize("page", PRESS_PAGES)
def test_a_press_officers_files_hold_what_the_page_shows_and_no_suppressed_figure(
    app: AppTest, downloads: Downloads, page: str
):
    _open(app, page, downloads)
    tables = [element.value for element in app.dataframe]
    assert len(downloads.keys("xlsx")) == len(tables) > 0
    for shown, key in zip(tables, downloads.keys("xlsx"), strict=True):
        _compare(shown, downloads.makers[key](), label=f"{page} {key}")


@pytest.mark.parametrize("page", TABLE_PAGES)
def test_every_download_can_be_clicked_and_every_chart_makes_a_stamped_image(
    app: AppTest, downloads: Downloads, page: str
):
    _open(app, page, downloads)
    buttons = app.get("download_button")
    assert {button.key for button in buttons} == set(downloads.makers)
    for button in buttons:
        button.click()
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    # Every plotly chart has its three images (the Map page draws none: its map is WebGL, the
    # Press room has it as a static image); the SVG, being text, shows the stamp.
    charts = len(app.get("plotly_chart"))
    assert [len(downloads.keys(kind)) for kind in ("png", "svg", "pdf")] == [charts] * 3
    as_of = translate("export.as_of", language="mn", as_of="2025-11-30")
    for key in downloads.keys("svg"):
        svg = downloads.makers[key]().decode("utf-8")
        assert svg.startswith("<svg") and as_of in svg, key


@pytest.mark.parametrize(
    ("key", "signature"),
    [
        ("download_tasks_by_province_csv", b"\xef\xbb\xbf"),
        ("download_tasks_by_province_xlsx", b"PK\x03\x04"),
        ("download_tasks_ageing_png", b"\x89PNG"),
    ],
)
def test_making_an_export_writes_one_audit_line_for_the_signed_in_user(
    app: AppTest, downloads: Downloads, small_demo_url: str, key: str, signature: bytes
):
    _open(app, "pages/tasks.py", downloads)
    started = datetime.now()
    file_name = downloads.file_names[key]

    def lines() -> pd.DataFrame:
        with get_engine(small_demo_url).connect() as connection:
            entries = accounts.audit_entries(
                connection, since=started, action="export", username=None, limit=1000
            )
        return entries[entries["detail"] == file_name]

    assert lines().empty, "drawing the button makes no file and writes nothing"
    assert downloads.makers[key]().startswith(signature)
    written = lines()
    assert len(written) == 1
    assert written.iloc[0]["username"] == DEMO_USERS["leadership"].username


# --- PageTable on a hand-made frame -----------------------------------------------------------
def _scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name_mn": ["Ховд", "=cmd", "Увс"],
            "on_time_rate": [72.25, None, 91.0],
            "on_time_rate_status": ["yellow", None, "green"],
            "overdue": [3, None, 0],
            "low": [60.0, None, 85.5],
            "high": [80.0, None, 95.0],
            "flag": [True, None, False],
            "delta": [-2.5, 0.0, 1.25],
            SUPPRESSED_COLUMN: ["", "on_time_rate", ""],
        }
    )


def _page_table() -> PageTable:
    frame = _scores()
    return (
        PageTable(rows=len(frame))
        .text("Нэр", frame["name_mn"])
        .indicators(frame=frame, metric_keys=("on_time_rate",))
        .count("Хэтэрсэн", frame["overdue"])
        .interval("Интервал", low=frame["low"], high=frame["high"], shown=["a", "b", "c"])
        .flag("Ач холбогдолтой", frame["flag"])
        .number("Өөрчлөлт", frame["delta"], unit="pts")
    )


def test_page_table_shows_text_and_exports_numbers_and_statuses_apart():
    table = _page_table()
    label = METRICS["on_time_rate"].label["mn"]
    status = translate("export.status_of", language="mn", label=label)
    yellow, green = (f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label['mn']}" for s in
                     (Status.YELLOW, Status.GREEN))  # fmt: skip
    assert table.shown[label].tolist()[0] == f"72.2 % {yellow}"
    assert table.shown["Өөрчлөлт"].tolist() == ["-2.5", "0.0", "1.2"]
    assert table.shown["Хэтэрсэн"].tolist()[::2] == [3, 0]
    assert table.shown["Ач холбогдолтой"].tolist() == ["тийм", MISSING, "үгүй"]
    exported = table.export
    assert list(exported.columns) == [
        "Нэр",
        label,
        status,
        "Хэтэрсэн",
        "Интервал — доод хязгаар",
        "Интервал — дээд хязгаар",
        "Ач холбогдолтой",
        "Өөрчлөлт",
    ]
    assert exported.iloc[0].tolist() == [
        "Ховд", 72.25, yellow, 3, 60.0, 80.0, "тийм", -2.5,
    ]  # fmt: skip
    assert exported.iloc[1].tolist() == [
        "=cmd", None, translate("export.suppressed", language="mn"), None, None, None, None, 0.0,
    ]  # fmt: skip
    assert exported.iloc[2][status] == green
    assert table.number_formats == {
        label: ONE_DECIMAL,
        "Хэтэрсэн": WHOLE,
        exported.columns[4]: ONE_DECIMAL,
        exported.columns[5]: ONE_DECIMAL,
        "Өөрчлөлт": ONE_DECIMAL,
    }


def test_page_table_refuses_a_column_of_another_length():
    with pytest.raises(ValueError, match="2 cells in a table of 3 rows"):
        PageTable(rows=3).text("Нэр", ["a", "b"])
