"""Satisfaction gap: civil servants' self-rating against citizens' satisfaction, with the norm."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import GAP_NORM_POINTS, METRICS, Status
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    format_value,
    gap,
    language,
    metric_tile,
    show_explainer,
    status_text,
    style_status_columns,
    t,
)
from pages.downloads import chart, table_downloads
from pages.figures import gap_figure

filters = current_filters()
url = database_url()
st.title(t("page.gap"))
st.caption(t("gap.caption", norm=f"{GAP_NORM_POINTS:g}"))

grouping = st.radio(
    t("gap.group_by"),
    (GroupBy.AGENCY, GroupBy.PROVINCE),
    format_func=lambda group: t(f"group.{group.value}"),
    horizontal=True,
    key="gap_group",
)
with data_guard():
    national = gap(url, filters, GroupBy.NONE)
    frame = gap(url, filters, grouping)

row = national.iloc[0] if not national.empty else pd.Series(dtype=object)
tiles = st.columns(3)
for column, key in zip(tiles, ("self_rating", "satisfaction", "gap"), strict=True):
    with column:
        metric_tile(metric_key=key, row=row, as_of=filters.as_of)

figure = gap_figure(
    frame=frame.assign(name=frame[f"name_{language()}"]),
    language=language(),
    norm_band_label=t("gap.norm_band", norm=f"{GAP_NORM_POINTS:g}"),
    norm_line_label=t("gap.norm_line", norm=f"{GAP_NORM_POINTS:g}"),
)
chart(figure, title=t("gap.chart_title", group=t(f"group.{grouping.value}")), key="gap")
st.caption(t("gap.reading"))

st.subheader(t("gap.ranking"))
ranked = frame.sort_values("gap", ascending=False, na_position="last")
table = pd.DataFrame(
    {
        t("col.name"): ranked[f"name_{language()}"],
        METRICS["self_rating"].label[language()]: ranked["self_rating"].map(
            lambda v: format_value(v, unit="pts")
        ),
        METRICS["satisfaction"].label[language()]: ranked["satisfaction"].map(
            lambda v: format_value(v, unit="%")
        ),
        t("gap.interval"): [
            "—" if pd.isna(low) else f"{low:.1f}–{high:.1f}"
            for low, high in zip(
                ranked["satisfaction_low"], ranked["satisfaction_high"], strict=True
            )
        ],
        METRICS["gap"].label[language()]: ranked["gap"].map(lambda v: format_value(v, unit="pts")),
        t("col.status"): ranked["gap_status"].fillna(Status.GREY.value).map(status_text),
        t("gap.significant"): ranked["gap_significantly_above_norm"].map(
            lambda flag: "—" if pd.isna(flag) else (t("common.yes") if flag else t("common.no"))
        ),
        t("col.responses"): ranked["responses"].fillna(0).round().astype(int),
    }
)
st.dataframe(style_status_columns(table, [t("col.status")]), hide_index=True, width="stretch")
table_downloads(table, title=t("gap.ranking"), key="gap_ranking")
show_explainer(frame=ranked, metric_key="gap", as_of=filters.as_of, key="gap_explain")
