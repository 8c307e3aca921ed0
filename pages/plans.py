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
    format_value,
    language,
    plan_execution,
    plan_items_behind,
    show_explainer,
    status_text,
    style_status_columns,
    t,
)
from pages.downloads import chart, table_downloads
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
table = pd.DataFrame(
    {
        t("col.name"): by_plan[f"name_{language()}"],
        definition.label[language()]: by_plan["plan_execution"].map(
            lambda v: format_value(v, unit="%")
        ),
        t("col.status"): by_plan["plan_execution_status"].map(status_text),
        t("col.items_due"): by_plan["items_due"],
        t("col.in_progress"): by_plan["items_not_due"],
    }
).sort_values(definition.label[language()])
st.dataframe(style_status_columns(table, [t("col.status")]), hide_index=True, width="stretch")
table_downloads(table, title=t("plans.by_plan"), key="plans_by_plan")
show_explainer(frame=by_plan, metric_key="plan_execution", as_of=filters.as_of, key="plan_explain")

st.subheader(t("plans.behind", count=len(behind)))
if behind.empty:
    st.success(t("plans.none_behind"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("col.code"): behind["code"],
                t("col.item"): behind["title"],
                t("col.plan"): behind[f"plan_title_{language()}"],
                t("col.agency"): behind[f"agency_name_{language()}"],
                t("col.due"): behind["due_date"],
                t("col.progress"): behind["progress"].round(1),
                t("col.verified"): behind["verified"].map({True: "✓", False: ""}),
            }
        ),
        hide_index=True,
        width="stretch",
    )
