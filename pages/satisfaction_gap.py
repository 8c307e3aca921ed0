"""Satisfaction gap: civil servants' self-rating against citizens' satisfaction, with the norm."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import GAP_NORM_POINTS
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    gap,
    language,
    metric_tile,
    show_explainer,
    t,
)
from pages.downloads import PageTable, chart, shown_table
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
table = (
    PageTable(rows=len(ranked))
    .text(t("col.name"), ranked[f"name_{language()}"])
    .metric(frame=ranked, metric_key="self_rating")
    .metric(frame=ranked, metric_key="satisfaction")
    .interval(
        t("gap.interval"),
        low=ranked["satisfaction_low"],
        high=ranked["satisfaction_high"],
        shown=[
            "—" if pd.isna(low) else f"{low:.1f}–{high:.1f}"
            for low, high in zip(
                ranked["satisfaction_low"], ranked["satisfaction_high"], strict=True
            )
        ],
    )
    .metric(frame=ranked, metric_key="gap", status_header=t("col.status"))
    .flag(t("gap.significant"), ranked["gap_significantly_above_norm"])
    .count(t("col.responses"), ranked["responses"].fillna(0))
)
shown_table(table, title=t("gap.ranking"), key="gap_ranking", status_columns=[t("col.status")])
show_explainer(frame=ranked, metric_key="gap", as_of=filters.as_of, key="gap_explain")
