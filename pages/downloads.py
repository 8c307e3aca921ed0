"""Download buttons under every chart and table: stamped PNG/SVG/PDF, CSV and XLSX.

Files are made only when a button is clicked (Streamlit's deferred download data), so a page
does not pay for exports nobody asks for.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from pages.common import current_filters, database_url, language, reference_data, t
from pages.exports import (
    IMAGE_MIME,
    XLSX_MIME,
    Stamp,
    figure_bytes,
    table_csv,
    table_xlsx,
)


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


def chart(figure: go.Figure, *, title: str, key: str) -> None:
    """Draw a chart and offer it as a stamped PNG, SVG and PDF."""
    st.plotly_chart(figure, width="stretch", key=f"chart_{key}")
    stamp = stamp_for(title=title)
    columns = st.columns([1, 1, 1, 5])
    for column, image_format in zip(columns, ("png", "svg", "pdf"), strict=False):
        with column:
            st.download_button(
                image_format.upper(),
                data=lambda image_format=image_format: figure_bytes(
                    figure, stamp=stamp, image_format=image_format
                ),
                file_name=f"{file_stem(title=title)}.{image_format}",
                mime=IMAGE_MIME[image_format],
                key=f"download_{key}_{image_format}",
                icon=":material/download:",
                on_click="ignore",
            )


def table_downloads(frame: pd.DataFrame, *, title: str, key: str) -> None:
    """Offer a table as CSV and XLSX, each with the stamp above the rows."""
    stamp = stamp_for(title=title)
    left, right, _ = st.columns([1, 1, 6])
    with left:
        st.download_button(
            "CSV",
            data=lambda: table_csv(frame, stamp=stamp),
            file_name=f"{file_stem(title=title)}.csv",
            mime="text/csv",
            key=f"download_{key}_csv",
            icon=":material/download:",
            on_click="ignore",
        )
    with right:
        st.download_button(
            "XLSX",
            data=lambda: table_xlsx(frame, stamp=stamp),
            file_name=f"{file_stem(title=title)}.xlsx",
            mime=XLSX_MIME,
            key=f"download_{key}_xlsx",
            icon=":material/download:",
            on_click="ignore",
        )


def shown_table(data: pd.DataFrame | Styler, *, title: str, key: str, **display: object) -> None:
    """Show a table and offer it as CSV and XLSX (the values, without the colouring)."""
    st.dataframe(data, **display)
    frame = data.data if isinstance(data, Styler) else data
    table_downloads(frame, title=title, key=key)
