"""Overview: headline figures with status, the national trend, the worst units, what changed."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import METRICS, STATUS_METRICS, STATUS_STYLES, Status
from metrics.ranking import rank_worst
from metrics.reality import paper_green_counts
from pages.common import (
    AGENCY_PARTS,
    current_filters,
    data_guard,
    database_url,
    language,
    may_open,
    metric_tile,
    monthly_trend,
    previous_period,
    reality_units,
    scorecard,
    t,
)
from pages.downloads import PageTable, chart, shown_table

HEADLINE = ("plan_execution", "on_time_rate", "overdue_share", "satisfaction", "self_rating", "gap")

filters = current_filters()
url = database_url()
st.title(t("page.overview"))
st.caption(
    t("overview.caption", start=filters.period_start, end=filters.period_end, as_of=filters.as_of)
)

with data_guard():
    national = scorecard(url, filters, GroupBy.NONE)
    before = scorecard(url, previous_period(filters), GroupBy.NONE)
    by_province = scorecard(url, filters, GroupBy.PROVINCE)
    by_agency = scorecard(url, filters, GroupBy.AGENCY, AGENCY_PARTS)
    series = monthly_trend(url, filters)

row = national.iloc[0] if not national.empty else {}
previous = before.iloc[0] if not before.empty else None
columns = st.columns(len(HEADLINE))
for column, metric_key in zip(columns, HEADLINE, strict=True):
    with column:
        metric_tile(metric_key=metric_key, row=row, as_of=filters.as_of, previous=previous)
st.caption(t("overview.delta_note"))

# The reality check reads the same two scorecards, so this count matches its page. It is an
# internal check: shown only to the roles that may open that page.
if may_open("pages/reality_check.py"):
    paper_green = paper_green_counts(units=reality_units(url, filters))
    st.page_link(
        "pages/reality_check.py",
        label=t(
            "reality.overview_link",
            count=paper_green["total"],
            provinces=paper_green["province"],
            agencies=paper_green["agency"],
        ),
        icon="🔍",
    )


def _counts_line(frame, label_key: str) -> str:
    counts = frame["overall_status"].value_counts()
    parts = [
        f"{STATUS_STYLES[status].symbol} {counts.get(status.value, 0)} "
        f"{STATUS_STYLES[status].label[language()]}"
        for status in (Status.RED, Status.YELLOW, Status.GREEN, Status.GREY)
    ]
    return f"**{t(label_key)}:** " + " · ".join(parts)


st.subheader(t("overview.trend"))
trend = go.Figure()
trend.add_scatter(
    x=series["timeliness"]["month"],
    y=series["timeliness"]["on_time_rate"],
    name=METRICS["on_time_rate"].label[language()],
    mode="lines+markers",
)
trend.add_scatter(
    x=series["satisfaction"]["month"],
    y=series["satisfaction"]["satisfaction"],
    name=METRICS["satisfaction"].label[language()],
    mode="lines+markers",
)
trend.add_scatter(
    x=[moment.strftime("%Y-%m") for moment in series["overdue"]["date"]],
    y=series["overdue"]["overdue_share"],
    name=METRICS["overdue_share"].label[language()],
    mode="lines+markers",
)
trend.update_layout(
    yaxis_title="%", yaxis_range=[0, 105], height=360, margin={"t": 20}, legend_orientation="h"
)
chart(trend, title=trend.layout.title.text or t("page.overview"), key="overview_1")

st.subheader(t("overview.worst"))
left, right = st.columns(2)
for column, frame, label_key in (
    (left, by_province, "overview.provinces"),
    (right, by_agency, "overview.agencies"),
):
    with column:
        st.markdown(_counts_line(frame, label_key))
        worst = rank_worst(scorecard=frame, limit=8)
        table = (
            PageTable(rows=len(worst))
            .text(t("col.name"), worst[f"name_{language()}"])
            .status(t("col.overall"), worst["overall_status"])
            .indicators(frame=worst, metric_keys=("plan_execution", "on_time_rate", "satisfaction"))
            .count(t("col.red_count"), worst["red_count"])
        )
        shown_table(
            table,
            title=f"{t('overview.worst')}: {t(label_key)}",
            key=f"overview_worst_{label_key.removeprefix('overview.')}",
            status_columns=[t("col.overall")],
        )
st.caption(
    t(
        "overview.status_rule",
        metrics=", ".join(METRICS[key].label[language()] for key in STATUS_METRICS),
    )
)
