"""Plans: execution by plan, plan kind and task group; the items behind schedule."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import METRICS
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    language,
    plan_execution,
    plan_items_behind,
    show_explainer,
    t,
)
from pages.downloads import ONE_DECIMAL, PageTable, chart, shown_table
from pages.figures import status_bar_figure

BEHIND_LIMIT = 200
definition = METRICS["plan_execution"]
filters = current_filters()
url = database_url()
st.title(t("page.plans"))
st.caption(definition.formula[language()])

with data_guard():
    by_kind = plan_execution(url, filters, GroupBy.PLAN_KIND)
    by_plan = plan_execution(url, filters, GroupBy.PLAN)
    by_group = plan_execution(url, filters, GroupBy.TASK_GROUP)
    behind = plan_items_behind(url, filters, BEHIND_LIMIT)


def _label(frame: pd.DataFrame, prefix: str) -> pd.Series:
    codes = frame["group_code"]
    translated = codes.map(lambda code: t(f"{prefix}.{code}"))
    return translated.where(translated != prefix + "." + codes, frame[f"name_{language()}"])


def _bar(frame: pd.DataFrame, labels: pd.Series, title: str, key: str) -> None:
    figure = status_bar_figure(
        frame=frame.assign(label=labels),
        metric_key="plan_execution",
        label_column="label",
        language=language(),
    )
    st.markdown(f"**{title}**")
    chart(figure, title=title, key=key)


left, right = st.columns(2)
with left:
    _bar(by_kind, _label(by_kind, "plan_kind"), t("plans.by_kind"), "plans_kind")
with right:
    _bar(by_group, _label(by_group, "task_group"), t("plans.by_group"), "plans_group")

st.subheader(t("plans.by_plan"))
# Sorted on the number (the shown text would put "100.0 %" before "65.0 %"); gaps last.
ordered = by_plan.sort_values("plan_execution", na_position="last")
table = (
    PageTable(rows=len(ordered))
    .text(t("col.name"), ordered[f"name_{language()}"])
    .metric(frame=ordered, metric_key="plan_execution", status_header=t("col.status"))
    .count(t("col.items_due"), ordered["items_due"])
    .count(t("col.in_progress"), ordered["items_not_due"])
)
shown_table(table, title=t("plans.by_plan"), key="plans_by_plan", status_columns=[t("col.status")])
show_explainer(frame=by_plan, metric_key="plan_execution", as_of=filters.as_of, key="plan_explain")

st.subheader(t("plans.behind", count=len(behind)))
if behind.empty:
    st.success(t("plans.none_behind"))
else:
    items = (
        PageTable(rows=len(behind))
        .text(t("col.code"), behind["code"])
        .text(t("col.item"), behind["title"])
        .text(t("col.plan"), behind[f"plan_title_{language()}"])
        .text(t("col.agency"), behind[f"agency_name_{language()}"])
        .day(t("col.due"), behind["due_date"])
        .column(
            t("col.progress"),
            shown=behind["progress"].round(1),
            export=behind["progress"],
            number_format=ONE_DECIMAL,
        )
        .flag(t("col.verified"), behind["verified"], yes="✓", no="")
    )
    shown_table(items, title=t("plans.behind", count=len(behind)), key="plans_behind_schedule")
