"""Agencies: ministries → agencies as a traffic-light treemap, and one agency's scorecard."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import METRICS, STATUS_METRICS, STATUS_STYLES, Status
from pages.common import (
    AGENCY_PARTS,
    OVERALL,
    current_filters,
    data_guard,
    database_url,
    language,
    metric_tile,
    plain,
    reference_data,
    scorecard,
    show_explainer,
    status_text,
    t,
)
from pages.downloads import PageTable, chart, shown_table

AGENCY_METRICS = tuple(key for key in STATUS_METRICS if key != "commune_coverage")

filters = current_filters()
url = database_url()
st.title(t("page.agencies"))

with data_guard():
    agencies = reference_data(url, filters.scope)["agencies"]
    scores = scorecard(url, filters, GroupBy.AGENCY, AGENCY_PARTS)

metric_key = st.selectbox(
    t("agencies.colour_by"),
    ("overall", *AGENCY_METRICS),
    format_func=lambda key: (
        t("col.overall") if key == "overall" else METRICS[key].label[language()]
    ),
    key="agencies_metric",
)
status_column = "overall_status" if metric_key == OVERALL else f"{metric_key}_status"

names = agencies.set_index("code")[f"name_{language()}"]
frame = agencies.merge(
    scores.drop(columns=["name_mn", "name_en"]), left_on="code", right_on="group_code", how="inner"
)
frame["ministry"] = frame["parent_code"].fillna(frame["code"]).map(names)
frame["agency"] = frame[f"name_{language()}"]
frame["status"] = frame[status_column].fillna(Status.GREY.value).map(status_text)
frame["tasks"] = frame["total"].fillna(0).clip(lower=1)

st.subheader(t("agencies.grid"))
treemap = px.treemap(
    frame,
    path=[px.Constant(t("agencies.government")), "ministry", "agency"],
    values="tasks",
    color="status",
    color_discrete_map={
        "(?)": "#ffffff",
        **{status_text(status): style.colour for status, style in STATUS_STYLES.items()},
    },
    hover_data={"status": True, "tasks": True},
)
treemap.update_traces(root_color="#f0f0f0")
treemap.update_layout(height=560, margin={"t": 10, "l": 0, "r": 0, "b": 0})
chart(treemap, title=t("agencies.grid"), key="agencies_treemap")
st.caption(t("agencies.treemap_note"))

st.subheader(t("agencies.table"))
table = (
    PageTable(rows=len(frame))
    .text(t("col.ministry"), frame["ministry"])
    .text(t("col.name"), frame["agency"])
    .status(t("col.overall"), frame["overall_status"])
    .indicators(frame=frame, metric_keys=AGENCY_METRICS)
)
shown_table(
    table, title=t("agencies.table"), key="agencies_table", status_columns=[t("col.overall")]
)
show_explainer(
    frame=frame,
    metric_key=metric_key,
    as_of=filters.as_of,
    key="agencies_explain",
)

st.subheader(t("agencies.scorecard"))
chosen = st.selectbox(
    t("agencies.choose"),
    frame["code"].tolist(),
    format_func=lambda code: str(names.get(code, code)),
    key="agency_scorecard",
)
if chosen:
    row = scores.set_index("group_code").loc[chosen]
    st.markdown(
        f"**{plain(names[chosen])}** — {t('col.overall')}: {status_text(row['overall_status'])}"
    )
    columns = st.columns(len(AGENCY_METRICS) + 1)
    for column, key in zip(columns, (*AGENCY_METRICS, "self_rating"), strict=True):
        with column:
            metric_tile(metric_key=key, row=row, as_of=filters.as_of)
