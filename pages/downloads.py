"""Download buttons under every chart and table: stamped PNG/SVG/PDF, CSV and XLSX.

Files are made only when a button is clicked (Streamlit's deferred download data), so a page
does not pay for exports nobody asks for; making one writes a line in the audit log.

A table is built once as a ``PageTable``: the page shows it formatted for reading, and the same
rows leave the building with numbers as numbers and every status in a text column of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import accounts
from data_access.accounts import AuditAction
from data_access.db import get_engine
from metrics.definitions import METRICS, Status
from metrics.privacy import suppressed_flags
from pages.common import (
    USER_KEY,
    current_filters,
    database_url,
    format_value,
    language,
    reference_data,
    shown_values,
    status_text,
    style_status_columns,
    t,
    with_indicator_columns,
    write_database_url,
)
from pages.exports import (
    IMAGE_MIME,
    XLSX_MIME,
    ImageFormat,
    Stamp,
    figure_bytes,
    is_missing,
    table_csv,
    table_xlsx,
)

IMAGE_FORMATS: tuple[ImageFormat, ...] = ("png", "svg", "pdf")
# How numbers read in Excel: the page shows one decimal for percents, points and rates.
ONE_DECIMAL = "0.0"
SIGNED_ONE_DECIMAL = "+0.0;-0.0;0.0"
WHOLE = "0"
DATE_FORMAT = "yyyy-mm-dd"
MISSING = "—"


# --- what a file says about itself ------------------------------------------------------------
def _name(codes: pd.DataFrame, code: str | None) -> str:
    if not code:
        return t("filter.all")
    match = codes.loc[codes["code"] == code, f"name_{language()}"]
    return str(match.iloc[0]) if not match.empty else code


def stamp_for(*, title: str) -> Stamp:
    """The stamp for the current filters and language: title, filters, as-of date, source."""
    filters = current_filters()
    reference = reference_data(database_url(), filters.scope)
    source = t("export.source")
    if reference["dataset"].get("dataset") == "synthetic_demo":
        source = f"{source} — {t('export.synthetic')}"
    return Stamp(
        title=title,
        filters_line=t(
            "export.filters",
            start=filters.period_start,
            end=filters.period_end,
            province=_name(reference["provinces"], filters.province_code),
            ministry=_name(reference["agencies"], filters.ministry_code),
            agency=_name(reference["agencies"], filters.agency_code),
        ),
        as_of_line=t("export.as_of", as_of=filters.as_of),
        source_line=source,
    )


def file_stem(*, title: str) -> str:
    """A file name from a title: letters (Cyrillic too), digits and dashes, with the as-of."""
    slug = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-").lower()
    return f"{slug[:60] or 'export'}-{current_filters().as_of}"


# --- audit ------------------------------------------------------------------------------------
def audited(make: Callable[[], bytes], *, file_name: str) -> Callable[[], bytes]:
    """``make`` that also writes one ``export`` line in the audit log when the file is made.

    Streamlit runs a download's callable on a worker thread, outside the session (its
    session_state is not there), so who is asking and where the log lives are read now, in the
    page run, and handed in."""
    user = st.session_state.get(USER_KEY)
    username = getattr(user, "username", None)
    url = write_database_url()

    def made() -> bytes:
        data = make()
        # Should the line not be written, the reader gets an error, not an unaudited file.
        with get_engine(url).begin() as connection:
            accounts.record(
                connection,
                username=username,
                action=AuditAction.EXPORT,
                detail=file_name,
                now=datetime.now(),
            )
        return data

    return made


def download(
    label: str, *, make: Callable[[], bytes], file_name: str, mime: str, key: str, **look: object
) -> None:
    """One audited download button whose file is made on click."""
    st.download_button(
        label,
        data=audited(make, file_name=file_name),
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        **look,
    )


# --- charts -----------------------------------------------------------------------------------
def image_buttons(figure: go.Figure, *, stamp: Stamp, stem: str, key: str) -> None:
    """PNG, SVG and PDF buttons for a stamped figure; button keys ``<key>_<format>``."""
    columns = st.columns([1, 1, 1, 5])
    for column, image_format in zip(columns, IMAGE_FORMATS, strict=False):
        with column:
            download(
                image_format.upper(),
                make=lambda image_format=image_format: figure_bytes(
                    figure, stamp=stamp, image_format=image_format
                ),
                file_name=f"{stem}.{image_format}",
                mime=IMAGE_MIME[image_format],
                key=f"{key}_{image_format}",
                icon=":material/download:",
            )


def chart(figure: go.Figure, *, title: str, key: str) -> None:
    """Draw a chart and offer it as a stamped PNG, SVG and PDF."""
    st.plotly_chart(figure, width="stretch", key=f"chart_{key}")
    image_buttons(
        figure, stamp=stamp_for(title=title), stem=file_stem(title=title), key=f"download_{key}"
    )


# --- tables -----------------------------------------------------------------------------------
def _numbers(values: Iterable[object]) -> list[float | None]:
    return [None if is_missing(value) else float(value) for value in values]


def _whole(values: Iterable[object]) -> list[int | None]:
    return [None if is_missing(value) else round(float(value)) for value in values]


def _statuses(statuses: Iterable[object]) -> list[str]:
    return [status_text(Status.GREY if is_missing(status) else status) for status in statuses]


class PageTable:
    """One table two ways, built column by column from the same rows.

    ``shown`` is what the page displays ("65.0 % ● green", "—" for a gap). ``export`` is what
    CSV and XLSX carry: numbers as floats and ints (``number_formats`` says how Excel shows
    them), each status as a text column of its own, an empty cell where a value is missing."""

    def __init__(self, *, rows: int) -> None:
        self.rows = rows
        self._shown: dict[str, pd.Series] = {}
        self._export: dict[str, list[object]] = {}
        self.number_formats: dict[str, str] = {}

    @property
    def shown(self) -> pd.DataFrame:
        return pd.DataFrame(self._shown, index=pd.RangeIndex(self.rows))

    @property
    def export(self) -> pd.DataFrame:
        # object columns: an int column with a gap stays ints and None, not floats and NaN.
        return pd.DataFrame(
            {header: pd.Series(cells, dtype=object) for header, cells in self._export.items()},
            index=pd.RangeIndex(self.rows),
        )

    def _cells(self, values: Iterable[object]) -> list[object]:
        cells = [None if is_missing(value) else value for value in values]
        if len(cells) != self.rows:
            raise ValueError(f"a column of {len(cells)} cells in a table of {self.rows} rows")
        return cells

    def column(
        self,
        header: str,
        *,
        shown: Iterable[object],
        export: Iterable[object] | None = None,
        number_format: str | None = None,
        shown_dtype: str | None = None,
    ) -> PageTable:
        """A column shown as ``shown`` and exported as ``export`` (the same when None)."""
        shown_cells = self._cells(shown)
        self._shown[header] = pd.Series(shown_cells, dtype=shown_dtype)
        self._export[header] = shown_cells if export is None else self._cells(export)
        if number_format:
            self.number_formats[header] = number_format
        return self

    def export_only(
        self, header: str, values: Iterable[object], *, number_format: str | None = None
    ) -> PageTable:
        """A column in the files only: the numbers behind a cell the page shows as text."""
        self._export[header] = self._cells(values)
        if number_format:
            self.number_formats[header] = number_format
        return self

    def text(self, header: str, values: Iterable[object]) -> PageTable:
        """Names, codes, titles: the same on the page and in the file (a gap shows "—")."""
        cells = self._cells(values)
        return self.column(
            header, shown=[MISSING if cell is None else cell for cell in cells], export=cells
        )

    def number(self, header: str, values: Iterable[object], *, unit: str) -> PageTable:
        """A percent, points or mean: shown "65.0 %", exported 65.04 with one decimal showing."""
        numbers = _numbers(values)
        return self.column(
            header,
            shown=[format_value(number, unit=unit) for number in numbers],
            export=numbers,
            number_format=ONE_DECIMAL,
        )

    def count(self, header: str, values: Iterable[object]) -> PageTable:
        """Whole numbers (tasks, responses, days): ints on both sides."""
        counts = _whole(values)
        return self.column(
            header, shown=counts, export=counts, number_format=WHOLE, shown_dtype="Int64"
        )

    def day(self, header: str, values: Iterable[object]) -> PageTable:
        """A date: shown as the page always did, a real date cell in Excel."""
        days = [None if is_missing(value) else pd.Timestamp(value).date() for value in values]
        return self.column(
            header, shown=self._cells(values), export=days, number_format=DATE_FORMAT
        )

    def status(self, header: str, statuses: Iterable[object]) -> PageTable:
        """A traffic light: symbol and word on both sides ("● green"); no data is grey."""
        return self.column(header, shown=_statuses(statuses))

    def parts(
        self,
        header: str,
        *,
        shown: Iterable[object],
        exported: Mapping[str, Iterable[object]],
        number_format: str,
    ) -> PageTable:
        """A cell the page shows as one text ("12 / 30") and the files as its numbers, one
        column per part (``exported``: part name -> values), headed "<header> — <part>"."""
        self._shown[header] = pd.Series(self._cells(shown), dtype=object)
        convert = _whole if number_format == WHOLE else _numbers
        for part, values in exported.items():
            self.export_only(
                t("export.part", label=header, part=part),
                convert(values),
                number_format=number_format,
            )
        return self

    def interval(
        self, header: str, *, low: Iterable[object], high: Iterable[object], shown: Iterable[str]
    ) -> PageTable:
        """A range the page writes as "62.1–70.4": in the files its two ends, as numbers."""
        return self.parts(
            header,
            shown=shown,
            exported={t("export.low"): low, t("export.high"): high},
            number_format=ONE_DECIMAL,
        )

    def flag(
        self, header: str, flags: Iterable[object], *, yes: str | None = None, no: str | None = None
    ) -> PageTable:
        """Yes / no / unknown: on the page ``yes`` and ``no`` (by default the words) or "—"; in
        the file the words, an empty cell when unknown."""
        known = [None if is_missing(flag) else bool(flag) for flag in flags]
        yes_word, no_word = t("common.yes"), t("common.no")
        shown_yes = yes_word if yes is None else yes
        shown_no = no_word if no is None else no
        return self.column(
            header,
            shown=[MISSING if flag is None else shown_yes if flag else shown_no for flag in known],
            export=[None if flag is None else yes_word if flag else no_word for flag in known],
        )

    def metric(
        self, *, frame: pd.DataFrame, metric_key: str, status_header: str | None = None
    ) -> PageTable:
        """An indicator's value under its label ("65.0 %"; a figure blanked for the press says
        so, see pages.common.shown_value), exported as the number; with ``status_header``, its
        traffic light in a column of its own."""
        self.column(
            METRICS[metric_key].label[language()],
            shown=shown_values(frame=frame, metric_key=metric_key),
            export=_numbers(frame[metric_key]),
            number_format=ONE_DECIMAL,
        )
        if status_header is None:
            return self
        statuses = _statuses(frame[f"{metric_key}_status"])
        return self.column(
            status_header,
            shown=statuses,
            export=_published_statuses(frame=frame, metric_key=metric_key, statuses=statuses),
        )

    def indicators(self, *, frame: pd.DataFrame, metric_keys: Sequence[str]) -> PageTable:
        """One column per indicator, shown as the page shows it ("65.0 % ● green", see
        pages.common.with_indicator_columns) and exported as the number plus a
        "<label> — status" text column."""
        shown = with_indicator_columns(
            table=pd.DataFrame(index=range(len(frame))), frame=frame, metric_keys=tuple(metric_keys)
        )
        for key in metric_keys:
            label = METRICS[key].label[language()]
            self.column(
                label, shown=shown[label], export=_numbers(frame[key]), number_format=ONE_DECIMAL
            )
            self.export_only(
                t("export.status_of", label=label),
                _published_statuses(
                    frame=frame, metric_key=key, statuses=_statuses(frame[f"{key}_status"])
                ),
            )
        return self


def _published_statuses(*, frame: pd.DataFrame, metric_key: str, statuses: list[str]) -> list[str]:
    """Status words for the files: a figure blanked for the press (too few observations) says
    so rather than "no data"."""
    return [
        t("export.suppressed") if suppressed else status
        for suppressed, status in zip(
            suppressed_flags(frame=frame, metric_key=metric_key), statuses, strict=True
        )
    ]


def table_buttons(table: PageTable, *, stamp: Stamp, stem: str, key: str) -> None:
    """CSV and XLSX buttons for a table, each with the stamp above the rows; button keys
    ``<key>_csv`` and ``<key>_xlsx``."""
    frame, formats = table.export, dict(table.number_formats)
    left, right, _ = st.columns([1, 1, 6])
    with left:
        download(
            "CSV",
            make=lambda: table_csv(frame, stamp=stamp),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            icon=":material/download:",
        )
    with right:
        download(
            "XLSX",
            make=lambda: table_xlsx(frame, stamp=stamp, number_formats=formats),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}_xlsx",
            icon=":material/download:",
        )


def shown_table(
    table: PageTable,
    *,
    title: str,
    key: str,
    status_columns: Sequence[str] = (),
    height: int | None = None,
) -> None:
    """Show a table (``status_columns`` painted in their colour) and offer it as CSV and XLSX;
    button keys ``download_<key>_csv`` and ``download_<key>_xlsx``."""
    shown = table.shown
    st.dataframe(
        style_status_columns(shown, list(status_columns)) if status_columns else shown,
        hide_index=True,
        width="stretch",
        height=height if height is not None else "auto",
    )
    table_buttons(
        table, stamp=stamp_for(title=title), stem=file_stem(title=title), key=f"download_{key}"
    )
