"""Reality check: units green on process (plans, on-time tasks) yet red for citizens (satisfaction,
gap, online services, commune readiness), ranked by the size of the mismatch, with evidence."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.definitions import METRICS, PAPER_GREEN_RULE
from metrics.reality import paper_green_counts
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    explanation,
    language,
    reality_units,
    t,
)
from pages.downloads import ONE_DECIMAL, WHOLE, PageTable, chart, shown_table

RULE = PAPER_GREEN_RULE
EVIDENCE_LIMIT = 12
OUTCOME_COLOURS = ("#7570b3", "#e7298a", "#66a61e", "#a6761d")

filters = current_filters()
url = database_url()
st.title(t("page.reality"))


def _labels(keys: tuple[str, ...]) -> str:
    return ", ".join(METRICS[key].label[language()] for key in keys)


st.caption(
    t(
        "reality.caption",
        required=_labels(RULE.process_required),
        optional=_labels(RULE.process_optional),
        outcomes=_labels(RULE.outcomes),
        share=f"{RULE.min_red_share:g}",
    )
)

with data_guard():
    units = reality_units(url, filters)

paper = units[units["paper_green"].astype(bool)]
watch = units[~units["paper_green"].astype(bool)]
counts = paper_green_counts(units=units)
tiles = st.columns(3)
tiles[0].metric(t("reality.paper_provinces"), counts["province"], help=t("reality.paper_help"))
tiles[1].metric(t("reality.paper_agencies"), counts["agency"], help=t("reality.paper_help"))
tiles[2].metric(t("reality.watch_count"), len(watch), help=t("reality.watch_help"))


def _kind(kind: str) -> str:
    return t(f"reality.kind_{kind}")


def _table(frame: pd.DataFrame) -> PageTable:
    return (
        PageTable(rows=len(frame))
        .text(t("col.name"), frame[f"name_{language()}"])
        .text(t("reality.col_kind"), frame["kind"].map(_kind))
        .column(
            t("reality.col_mismatch"),
            shown=frame["mismatch"].round(1),
            export=frame["mismatch"],
            number_format=ONE_DECIMAL,
        )
        .parts(
            t("reality.col_red"),
            shown=[
                f"{red} / {present}"
                for red, present in zip(
                    frame["red_outcomes"], frame["outcomes_with_data"], strict=True
                )
            ],
            exported={
                t("export.red_outcomes"): frame["red_outcomes"],
                t("export.outcomes_with_data"): frame["outcomes_with_data"],
            },
            number_format=WHOLE,
        )
        .indicators(frame=frame, metric_keys=(*RULE.process, *RULE.outcomes))
    )


def _chart(frame: pd.DataFrame) -> None:
    names = frame[f"name_{language()}"].tolist()
    figure = go.Figure()
    for key, colour in zip(RULE.outcomes, OUTCOME_COLOURS, strict=True):
        figure.add_bar(
            y=names,
            x=frame[f"{key}_shortfall"],
            orientation="h",
            name=METRICS[key].label[language()],
            marker_color=colour,
        )
    figure.update_layout(
        barmode="stack",
        xaxis_title=t("reality.chart_axis"),
        yaxis={"autorange": "reversed"},
        height=160 + 34 * len(frame),
        margin={"t": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "traceorder": "normal"},
    )
    chart(figure, title=figure.layout.title.text or t("page.reality"), key="reality_check_1")


def _evidence(frame: pd.DataFrame) -> None:
    """Both sides of each unit, every colour with its rule, inputs, thresholds and date."""
    for _, row in frame.head(EVIDENCE_LIMIT).iterrows():
        title = t(
            "reality.evidence_title",
            name=row[f"name_{language()}"],
            kind=_kind(row["kind"]),
            mismatch=f"{row['mismatch']:.1f}",
        )
        with st.expander(title):
            process, outcome = st.columns(2)
            for column, heading, keys in (
                (process, "reality.process_side", RULE.process),
                (outcome, "reality.outcome_side", RULE.outcomes),
            ):
                with column:
                    st.markdown(f"**{t(heading)}**")
                    for key in keys:
                        if key not in row.index:
                            continue
                        st.markdown(
                            "- "
                            + explanation(
                                metric_key=key,
                                value=row.get(key),
                                sample=row.get(f"{key}_sample"),
                                as_of=filters.as_of,
                            )
                        )


st.subheader(t("reality.paper_title"))
if paper.empty:
    st.success(t("reality.none"))
else:
    _chart(paper)
    shown_table(_table(paper), title=t("reality.paper_title"), key="reality_check_table_1")
    _evidence(paper)

st.subheader(t("reality.watch_title"))
st.caption(t("reality.watch_help"))
if watch.empty:
    st.success(t("reality.none_watch"))
else:
    shown_table(_table(watch), title=t("reality.watch_title"), key="reality_check_table_2")
    _evidence(watch)

names = "; ".join(paper[f"name_{language()}"].astype(str))
st.info(
    t(
        "reality.closing",
        start=filters.period_start,
        end=filters.period_end,
        as_of=filters.as_of,
        count=len(paper),
        names=names or "—",
    )
)
