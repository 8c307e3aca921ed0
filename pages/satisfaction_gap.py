"""Satisfaction gap: civil servants' self-rating against citizens' satisfaction, with the norm."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import GAP_NORM_POINTS, METRICS, STATUS_STYLES, Status
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

both = frame.dropna(subset=["self_rating", "satisfaction"]).copy()
both["status"] = both["gap_status"].fillna(Status.GREY.value)
both["name"] = both[f"name_{language()}"]

figure = go.Figure()
band_x = [0, 100, 100, 0]
figure.add_scatter(
    x=band_x,
    y=[GAP_NORM_POINTS, 100 + GAP_NORM_POINTS, 100, 0],
    fill="toself",
    mode="lines",
    fillcolor="rgba(27,158,119,0.10)",
    line={"width": 0},
    name=t("gap.norm_band", norm=f"{GAP_NORM_POINTS:g}"),
    hoverinfo="skip",
)
figure.add_scatter(
    x=[0, 100],
    y=[GAP_NORM_POINTS, 100 + GAP_NORM_POINTS],
    mode="lines",
    line={"dash": "dash", "color": "#1b9e77"},
    name=t("gap.norm_line", norm=f"{GAP_NORM_POINTS:g}"),
)
for status, style in STATUS_STYLES.items():
    subset = both[both["status"] == status.value]
    if subset.empty:
        continue
    figure.add_scatter(
        x=subset["satisfaction"],
        y=subset["self_rating"],
        mode="markers",
        marker={"color": style.colour, "size": 11, "line": {"width": 1, "color": "#333"}},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": subset["satisfaction_high"] - subset["satisfaction"],
            "arrayminus": subset["satisfaction"] - subset["satisfaction_low"],
            "thickness": 1,
        },
        error_y={
            "type": "data",
            "symmetric": False,
            "array": subset["self_rating_high"] - subset["self_rating"],
            "arrayminus": subset["self_rating"] - subset["self_rating_low"],
            "thickness": 1,
        },
        text=subset["name"],
        customdata=subset["gap"].round(1),
        hovertemplate="%{text}<br>"
        + t("gap.hover", satisfaction="%{x:.1f}", rating="%{y:.1f}", gap="%{customdata}")
        + "<extra></extra>",
        name=f"{style.symbol} {style.label[language()]}",
    )
figure.update_layout(
    xaxis={"title": METRICS["satisfaction"].label[language()] + " (%)", "range": [0, 100]},
    yaxis={"title": METRICS["self_rating"].label[language()], "range": [0, 105]},
    height=560,
    legend_orientation="h",
)
st.plotly_chart(figure, width="stretch")
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
show_explainer(frame=ranked, metric_key="gap", as_of=filters.as_of, key="gap_explain")
