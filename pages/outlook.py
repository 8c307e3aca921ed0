"""Year-end outlook: where each plan's execution is heading by the period end, with an
interval, and the plan items that will miss their due date at the pace so far."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.definitions import (
    METRICS,
    OUTLOOK_MIN_ELAPSED_DAYS,
    PROJECTED_EXECUTION,
    STATUS_STYLES,
    Status,
)
from metrics.outlook import at_risk_by_group
from metrics.status import explain
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    format_value,
    items_at_risk,
    language,
    plan_outlook,
    show_definition_explainer,
    status_text,
    t,
)
from pages.downloads import (
    DATE_FORMAT,
    ONE_DECIMAL,
    SIGNED_ONE_DECIMAL,
    WHOLE,
    PageTable,
    chart,
    shown_table,
)

RISK_PAGE = 200
definition = PROJECTED_EXECUTION
filters = current_filters()
url = database_url()
st.title(t("page.outlook"))
st.caption(definition.formula[language()])

with data_guard():
    outlook = plan_outlook(url, filters)
    at_risk = items_at_risk(url, filters)
plans, overall, series = outlook["plans"], outlook["overall"], outlook["series"]
risk_counts = at_risk_by_group(at_risk=at_risk, column="plan_code")


def _interval(low: object, high: object) -> str:
    if low is None or pd.isna(low):
        return "—"
    return f"{float(low):.1f} – {float(high):.1f} %"


def _why(row: pd.Series) -> str:
    value, sample = row.get(definition.key), row.get(f"{definition.key}_sample")
    return explain(
        definition=definition,
        value=None if value is None or pd.isna(value) else float(value),
        sample=None if sample is None or pd.isna(sample) else float(sample),
        as_of=filters.as_of,
    ).text(language=language())


tiles = st.columns(4)
tiles[0].metric(
    METRICS["plan_execution"].label[language()],
    format_value(overall.get("observed"), unit="%"),
    help=t("outlook.observed_help"),
)
tiles[1].metric(
    definition.label[language()],
    format_value(overall.get(definition.key), unit="%"),
    help=_why(overall),
)
tiles[1].caption(
    status_text(overall[f"{definition.key}_status"])
    + " · "
    + _interval(overall.get("projected_execution_low"), overall.get("projected_execution_high"))
)
tiles[2].metric(t("outlook.plans"), len(plans))
tiles[3].metric(
    t("outlook.items_at_risk"),
    len(at_risk),
    help=t("outlook.at_risk_help", days=OUTLOOK_MIN_ELAPSED_DAYS),
)

st.subheader(t("outlook.by_plan"))
if not plans.empty and plans["closed"].all():
    st.info(t("outlook.closed"))
table = (
    PageTable(rows=len(plans))
    .text(t("col.plan"), plans[f"name_{language()}"])
    .count(t("outlook.col_items"), plans["items"])
    .number(t("outlook.col_now"), plans["observed"], unit="%")
    .number(definition.label[language()], plans[definition.key], unit="%")
    .interval(
        t("outlook.col_interval"),
        low=plans["projected_execution_low"],
        high=plans["projected_execution_high"],
        shown=[
            _interval(low, high)
            for low, high in zip(
                plans["projected_execution_low"], plans["projected_execution_high"], strict=True
            )
        ],
    )
    .status(t("col.status"), plans[f"{definition.key}_status"])
    .column(
        t("outlook.col_trend"),
        shown=plans["trend_per_month"].map(lambda v: "—" if pd.isna(v) else f"{v:+.1f}"),
        export=plans["trend_per_month"],
        number_format=SIGNED_ONE_DECIMAL,
    )
    .count(
        t("outlook.col_at_risk"),
        plans["group_code"].map(risk_counts.set_index("plan_code")["items_at_risk"]).fillna(0),
    )
)
shown_table(
    table, title=t("outlook.by_plan"), key="outlook_table_1", status_columns=[t("col.status")]
)
show_definition_explainer(
    frame=plans, definition=definition, as_of=filters.as_of, key="outlook_explain"
)

st.subheader(t("outlook.chart_title"))
names = dict(zip(plans["group_code"], plans[f"name_{language()}"], strict=True))
chosen = st.selectbox(
    t("col.plan"), list(names), format_func=lambda code: names[code], key="outlook_plan"
)
if chosen:
    points = series[series["group_code"] == chosen]
    row = plans[plans["group_code"] == chosen].iloc[0]
    style = STATUS_STYLES[Status(row[f"{definition.key}_status"])]
    figure = go.Figure()
    figure.add_scatter(
        x=points["date"],
        y=points["plan_execution"],
        mode="lines+markers",
        name=t("outlook.series"),
    )
    if not pd.isna(row[definition.key]) and not row["closed"]:
        low, high = row["projected_execution_low"], row["projected_execution_high"]
        figure.add_scatter(
            x=[row["observed_on"], filters.period_end],
            y=[row["observed"], row[definition.key]],
            mode="lines+markers",
            line={"dash": "dash", "color": style.colour},
            marker={"symbol": ["circle", "diamond"], "size": [6, 12]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [0, 0 if pd.isna(high) else high - row[definition.key]],
                "arrayminus": [0, 0 if pd.isna(low) else row[definition.key] - low],
            },
            name=t(
                "outlook.projection_legend",
                value=format_value(row[definition.key], unit="%"),
                status=status_text(row[f"{definition.key}_status"]),
            ),
        )
    for threshold in (definition.green, definition.yellow):
        figure.add_hline(y=threshold, line_dash="dot", line_color="#555")
    figure.update_layout(
        yaxis_title="%", yaxis_range=[0, 105], height=380, margin={"t": 20}, legend_orientation="h"
    )
    chart(figure, title=figure.layout.title.text or t("page.outlook"), key="outlook_1")
    st.caption(t("outlook.chart_note"))

st.subheader(t("outlook.risk_title", count=len(at_risk)))
st.caption(t("outlook.at_risk_help", days=OUTLOOK_MIN_ELAPSED_DAYS))
if at_risk.empty:
    st.success(t("outlook.none_at_risk"))
else:
    page = at_risk.head(RISK_PAGE)
    items = (
        PageTable(rows=len(page))
        .text(t("col.code"), page["code"])
        .text(t("col.item"), page["title"])
        .text(t("col.plan"), page[f"plan_title_{language()}"])
        .text(t("col.agency"), page[f"agency_name_{language()}"])
        .day(t("col.due"), page["due_date"])
        .column(
            t("col.progress"),
            shown=page["progress"].round(1),
            export=page["progress"],
            number_format=ONE_DECIMAL,
        )
        .column(
            t("outlook.col_pace"),
            shown=page["pace_per_month"].map(lambda v: "—" if pd.isna(v) else f"{v:.1f}"),
            export=page["pace_per_month"],
            number_format=ONE_DECIMAL,
        )
        .number(t("outlook.col_projected_at_due"), page["projected_at_due"], unit="%")
        .column(
            t("outlook.col_finish"),
            shown=page["finish_on"].map(lambda v: t("outlook.never") if pd.isna(v) else str(v)),
            export=[
                t("outlook.never") if pd.isna(v) else pd.Timestamp(v).date()
                for v in page["finish_on"]
            ],
            number_format=DATE_FORMAT,
        )
        .column(
            t("outlook.col_days_late"),
            shown=page["days_late"].map(lambda v: "—" if pd.isna(v) else f"{int(v)}"),
            export=[None if pd.isna(v) else int(v) for v in page["days_late"]],
            number_format=WHOLE,
        )
    )
    shown_table(items, title=t("outlook.risk_title", count=len(at_risk)), key="outlook_at_risk")
    if len(at_risk) > RISK_PAGE:
        st.caption(t("outlook.first_page", shown=RISK_PAGE, total=len(at_risk)))
