"""Ratings & reports: do the numbers agencies give themselves hold up? Self-ratings at the
ceiling against citizens' verdicts, and reported progress against independent checks."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import (
    CONFIDENCE_LEVEL,
    INFLATION_MIN_RATINGS,
    INFLATION_MIN_RESPONSES,
    NEAR_CEILING_SCORE,
    OVERSTATEMENT_MIN_CHECKS,
    OVERSTATEMENT_POINTS,
)
from metrics.inflation import CITIZENS, RATINGS, inflation_headline
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    format_value,
    language,
    rating_distribution,
    rating_inflation,
    t,
    verification,
)
from pages.downloads import PageTable, chart, shown_table

SIDE_COLOURS = {RATINGS: "#7570b3", CITIZENS: "#d95f02"}
P_VALUE_FORMAT = "0.000"

filters = current_filters()
url = database_url()
st.title(t("page.integrity"))
st.caption(
    t("integrity.caption", start=filters.period_start, end=filters.period_end, as_of=filters.as_of)
)


def _p_value(value: object) -> str:
    if value is None or pd.isna(value):
        return "—"
    return "< 0.001" if float(value) < 0.001 else f"{float(value):.3f}"


# Sections one under the other rather than tabs: a chart in a hidden tab is drawn only when
# opened, so a reader (or a screenshot) of the page would miss it.
st.subheader(t("integrity.ratings_title"))
st.caption(
    t(
        "integrity.ratings_rule",
        ceiling=f"{NEAR_CEILING_SCORE:g}",
        confidence=f"{CONFIDENCE_LEVEL:.0%}",
        ratings=INFLATION_MIN_RATINGS,
        responses=INFLATION_MIN_RESPONSES,
    )
)
grouping = st.radio(
    t("gap.group_by"),
    (GroupBy.AGENCY, GroupBy.PROVINCE),
    format_func=lambda group: t(f"group.{group.value}"),
    horizontal=True,
    key="integrity_group",
)
with data_guard():
    inputs = rating_inflation(url, filters, grouping)
summary = inputs["summary"]
headline = inflation_headline(summary=summary)
tiles = st.columns(3)
tiles[0].metric(
    t("integrity.tested"),
    headline["tested"],
    help=t("integrity.tested_help", groups=headline["groups"]),
)
tiles[1].metric(
    t("integrity.incompatible"), headline["incompatible"], help=t("integrity.incompatible_help")
)
tiles[2].metric(
    t("integrity.ceiling_median"),
    format_value(headline["median_near_ceiling_share"], unit="%"),
    help=t("integrity.ceiling_help", ceiling=f"{NEAR_CEILING_SCORE:g}"),
)

table = (
    PageTable(rows=len(summary))
    .text(t("col.name"), summary[f"name_{language()}"])
    .count(t("integrity.col_ratings"), summary["ratings"])
    .number(t("integrity.col_mean"), summary["self_rating"], unit="")
    .number(t("integrity.col_sd"), summary["self_rating_sd"], unit="")
    .number(t("integrity.col_ceiling"), summary["near_ceiling_share"], unit="%")
    .number(t("integrity.col_satisfaction"), summary["satisfaction"], unit="%")
    .count(t("col.responses"), summary["responses"])
    .count(t("integrity.col_bands"), summary["bands_compared"])
    .column(
        t("integrity.col_p"),
        shown=summary["p_value"].map(_p_value),
        export=summary["p_value"],
        number_format=P_VALUE_FORMAT,
    )
    .flag(t("integrity.col_compatible"), summary["compatible"])
)
shown_table(table, title=t("integrity.ratings_title"), key="integrity_table_1")

st.markdown(f"**{t('integrity.distribution_title')}**")
tested = summary[summary["compatible"].notna()]
choices = tested if not tested.empty else summary
names = dict(zip(choices["group_code"], choices[f"name_{language()}"], strict=True))
chosen = st.selectbox(
    t("integrity.choose"),
    list(names),
    format_func=lambda code: names[code],
    key="integrity_unit",
)
bands = rating_distribution(inputs=inputs, group_code=chosen) if chosen else pd.DataFrame()
if bands.empty:
    st.info(t("integrity.no_distribution"))
else:
    figure = go.Figure()
    for side in (RATINGS, CITIZENS):
        part = bands[bands["side"] == side]
        figure.add_bar(
            x=[
                t(
                    "integrity.band",
                    first=first,
                    last=last,
                    low=f"{low:g}",
                    high=f"{high:g}",
                )
                if first != last
                else t("integrity.band_single", score=first, low=f"{low:g}", high=f"{high:g}")
                for first, last, low, high in zip(
                    part["first_score"],
                    part["last_score"],
                    part["rating_low"],
                    part["rating_high"],
                    strict=True,
                )
            ],
            y=part["share"],
            name=t(f"integrity.side_{side}"),
            marker_color=SIDE_COLOURS[side],
            text=part["count"].round().astype(int),
        )
    figure.update_layout(
        barmode="group",
        yaxis_title="%",
        yaxis_range=[0, 105],
        height=360,
        margin={"t": 20},
        legend_orientation="h",
    )
    chart(figure, title=figure.layout.title.text or t("page.integrity"), key="integrity_1")
    st.caption(t("integrity.distribution_note"))

st.subheader(t("integrity.reports_title"))
st.caption(
    t(
        "integrity.reports_rule",
        points=f"{OVERSTATEMENT_POINTS:g}",
        checks=OVERSTATEMENT_MIN_CHECKS,
    )
)
with data_guard():
    checked = verification(url, filters, GroupBy.AGENCY)
overstating = checked[checked["overstates"]]
if overstating.empty:
    st.success(t("integrity.no_overstaters"))
else:
    st.warning(
        t(
            "integrity.overstaters",
            count=len(overstating),
            names="; ".join(overstating[f"name_{language()}"].astype(str)),
        )
    )

figure = go.Figure()
figure.add_scatter(
    x=[0, 100],
    y=[0, 100],
    mode="lines",
    line={"dash": "dash", "color": "#555"},
    name=t("integrity.equal_line"),
)
for flag, colour, label in (
    (False, "#9e9e9e", "integrity.within"),
    (True, "#d7301f", "integrity.overstating"),
):
    part = checked[checked["overstates"] == flag]
    figure.add_scatter(
        x=part["verified_mean"],
        y=part["reported_mean"],
        mode="markers",
        marker={"color": colour, "size": 6 + part["checked_reports"].clip(upper=20)},
        text=part[f"name_{language()}"],
        hovertemplate="%{text}<br>"
        + t("integrity.hover", reported="%{y:.1f}", verified="%{x:.1f}")
        + "<extra></extra>",
        name=t(label),
    )
figure.update_layout(
    xaxis={"title": t("integrity.col_verified"), "range": [0, 105]},
    yaxis={"title": t("integrity.col_reported"), "range": [0, 105]},
    height=460,
    legend_orientation="h",
)
chart(figure, title=figure.layout.title.text or t("page.integrity"), key="integrity_2")

table = (
    PageTable(rows=len(checked))
    .text(t("col.name"), checked[f"name_{language()}"])
    .count(t("integrity.col_checked"), checked["checked_reports"])
    .number(t("integrity.col_reported"), checked["reported_mean"], unit="%")
    .number(t("integrity.col_verified"), checked["verified_mean"], unit="%")
    .number(t("integrity.col_overstatement"), checked["overstatement"], unit="")
    .interval(
        t("integrity.col_interval"),
        low=checked["overstatement_low"],
        high=checked["overstatement_high"],
        shown=[
            "—" if pd.isna(low) else f"{low:.1f} – {high:.1f}"
            for low, high in zip(
                checked["overstatement_low"], checked["overstatement_high"], strict=True
            )
        ],
    )
    .number(t("integrity.col_overstated_share"), checked["overstated_share"], unit="%")
    .flag(t("integrity.col_overstates"), checked["overstates"], yes=f"⚠ {t('common.yes')}")
)
shown_table(table, title=t("integrity.reports_title"), key="integrity_table_2")
