"""Tasks: control cards early / on time / late, open overdue with ageing, due soon, a paged list."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import (
    OVERDUE_AGEING_BUCKETS,
    STATUS_STYLES,
    ageing_column,
)
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    language,
    metric_tile,
    overdue_page,
    show_explainer,
    t,
    timeliness,
)
from pages.downloads import PageTable, chart, shown_table

PAGE_SIZE = 50
filters = current_filters()
url = database_url()
st.title(t("page.tasks"))

with data_guard():
    national = timeliness(url, filters, GroupBy.NONE)
    by_province = timeliness(url, filters, GroupBy.PROVINCE)

row = national.iloc[0] if not national.empty else pd.Series(dtype=object)
counts = {
    key: int(row.get(key, 0))
    for key in ("early", "on_time", "late", "overdue", "due_soon", "on_track")
}

tiles = st.columns(4)
with tiles[0]:
    metric_tile(metric_key="on_time_rate", row=row, as_of=filters.as_of)
with tiles[1]:
    metric_tile(metric_key="overdue_share", row=row, as_of=filters.as_of)
with tiles[2]:
    st.metric(t("tasks.overdue"), f"{counts['overdue']:,}")
with tiles[3]:
    st.metric(t("tasks.due_soon"), f"{counts['due_soon']:,}")

left, right = st.columns(2)
with left:
    completed = pd.DataFrame(
        {
            "class": [t("tasks.early"), t("tasks.on_time"), t("tasks.late")],
            "count": [counts["early"], counts["on_time"], counts["late"]],
        }
    )
    figure = px.bar(
        completed,
        x="class",
        y="count",
        text="count",
        title=t("tasks.completed_title"),
        color="class",
        color_discrete_sequence=["#1b9e77", "#7570b3", "#d7301f"],
        labels={"class": "", "count": t("col.tasks")},
    )
    figure.update_layout(showlegend=False, height=340)
    chart(figure, title=t("tasks.completed_title"), key="tasks_completed")
with right:
    ageing = pd.DataFrame(
        {
            "bucket": [t("tasks.days", range=name) for name, _, _ in OVERDUE_AGEING_BUCKETS],
            "count": [
                int(row.get(ageing_column(name), 0)) for name, _, _ in OVERDUE_AGEING_BUCKETS
            ],
        }
    )
    figure = px.bar(
        ageing,
        x="bucket",
        y="count",
        text="count",
        title=t("tasks.ageing_title"),
        labels={"bucket": "", "count": t("col.tasks")},
        color_discrete_sequence=["#d7301f"],
    )
    figure.update_layout(height=340)
    chart(figure, title=t("tasks.ageing_title"), key="tasks_ageing")

st.subheader(t("tasks.by_province"))
table = (
    PageTable(rows=len(by_province))
    .text(t("col.name"), by_province[f"name_{language()}"])
    .metric(frame=by_province, metric_key="on_time_rate", status_header=t("col.status"))
    .metric(frame=by_province, metric_key="overdue_share", status_header=t("col.overdue_status"))
    .count(t("tasks.overdue"), by_province["overdue"])
    .count(t("tasks.due_soon"), by_province["due_soon"])
    .count(t("col.completed"), by_province["completed"])
)
shown_table(
    table,
    title=t("tasks.by_province"),
    key="tasks_by_province",
    status_columns=[t("col.status"), t("col.overdue_status")],
)
show_explainer(
    frame=by_province, metric_key="on_time_rate", as_of=filters.as_of, key="tasks_explain"
)

st.subheader(t("tasks.list_title"))
total_pages = max(1, -(-counts["overdue"] // PAGE_SIZE))
page_number = st.number_input(
    t("tasks.page", pages=total_pages),
    min_value=1,
    max_value=total_pages,
    value=1,
    key="tasks_page",
)
with data_guard():
    rows, total = overdue_page(url, filters, PAGE_SIZE, (int(page_number) - 1) * PAGE_SIZE)
st.caption(t("tasks.list_caption", total=total, as_of=filters.as_of))
if not rows.empty:
    listing = (
        PageTable(rows=len(rows))
        .text(t("col.code"), rows["code"])
        .text(t("col.item"), rows["title"])
        .text(t("col.agency"), rows[f"agency_name_{language()}"])
        .text(t("col.unit"), rows[f"unit_name_{language()}"])
        .day(t("col.issued"), rows["issued_on"])
        .day(t("col.due"), rows["due_on"])
        .count(t("col.days_overdue"), rows["days_overdue"])
    )
    shown_table(
        listing,
        title=t("tasks.list_export_title", page=int(page_number), pages=total_pages),
        key="tasks_overdue_list",
    )
st.caption(" · ".join(f"{s.symbol} {s.label[language()]}" for s in STATUS_STYLES.values()))
