"""Press room: ready, stamped charts with editable titles and captions, a ZIP of all of them,
and the leadership briefing as a PDF."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import GAP_NORM_POINTS, METRICS, STATUS_STYLES, Status
from metrics.ranking import rank_worst
from pages.briefing import BriefingSection, briefing_pdf
from pages.common import (
    AGENCY_PARTS,
    current_filters,
    data_guard,
    database_url,
    gap,
    language,
    monthly_trend,
    plan_execution,
    reference_data,
    scorecard,
    shown_value,
    status_text,
    t,
    with_indicator_columns,
)
from pages.downloads import (
    ONE_DECIMAL,
    PageTable,
    download,
    file_stem,
    image_buttons,
    stamp_for,
    table_buttons,
)
from pages.exports import Stamp, figure_bytes, table_csv
from pages.figures import gap_figure, static_map_figure, status_bar_figure, trend_figure

HEADLINE = ("plan_execution", "on_time_rate", "overdue_share", "satisfaction", "gap")
MAP_METRIC = "plan_execution"


@dataclass(frozen=True)
class PressChart:
    key: str
    title: str
    figure: go.Figure
    table: PageTable


def _wrapped(label: str, width: int = 16) -> str:
    """Break a long label over lines so neighbouring tiles do not overlap."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def _headline_figure(row: pd.Series) -> go.Figure:
    figure = go.Figure()
    for index, key in enumerate(HEADLINE):
        definition = METRICS[key]
        status = Status(row.get(f"{key}_status", Status.GREY.value))
        value = row.get(key)
        figure.add_trace(
            go.Indicator(
                mode="number",
                value=None if pd.isna(value) else float(value),
                number={
                    "suffix": " %" if definition.unit == "%" else "",
                    "valueformat": ".1f",
                    "font": {"color": STATUS_STYLES[status].colour, "size": 44},
                },
                title={
                    "text": f"{_wrapped(definition.label[language()])}"
                    f"<br><sub>{status_text(status)}</sub>",
                    "font": {"size": 13},
                },
                domain={"row": 0, "column": index},
            )
        )
    figure.update_layout(grid={"rows": 1, "columns": len(HEADLINE)}, height=260)
    return figure


def _headline_table(row: pd.Series) -> PageTable:
    """Name, value, status: the briefing reads the rows in this order."""
    values = [row.get(key) for key in HEADLINE]
    return (
        PageTable(rows=len(HEADLINE))
        .text(t("col.name"), [METRICS[key].label[language()] for key in HEADLINE])
        .column(
            t("press.value"),
            shown=[shown_value(row=row, metric_key=key) for key in HEADLINE],
            export=[None if pd.isna(value) else float(value) for value in values],
            number_format=ONE_DECIMAL,
        )
        .status(t("col.status"), [row.get(f"{key}_status") for key in HEADLINE])
    )


def _province_frame(scores: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    values = scores.drop(columns=["name_mn", "name_en"])
    frame = provinces.merge(values, left_on="code", right_on="group_code", how="left")
    return frame.assign(name=frame[f"name_{language()}"])


def _charts() -> list[PressChart]:
    filters = current_filters()
    url = database_url()
    with data_guard():
        national = scorecard(url, filters, GroupBy.NONE)
        by_province = scorecard(url, filters, GroupBy.PROVINCE)
        by_ministry = plan_execution(url, filters, GroupBy.MINISTRY)
        gaps = gap(url, filters, GroupBy.PROVINCE)
        series = monthly_trend(url, filters)
        provinces = reference_data(url, filters.scope)["provinces"]
    row = national.iloc[0] if not national.empty else pd.Series(dtype=object)
    province_frame = _province_frame(by_province, provinces)
    map_table = (
        PageTable(rows=len(province_frame))
        .text(t("col.name"), province_frame["name"])
        .indicators(frame=province_frame, metric_keys=(MAP_METRIC,))
    )
    ministries = by_ministry[~by_ministry["group_code"].str.startswith("_")].assign(
        label=lambda frame: frame[f"name_{language()}"]
    )
    gap_frame = gaps[~gaps["group_code"].str.startswith("_")]
    overdue = series["overdue"].assign(month=lambda frame: frame["date"].astype(str))
    return [
        PressChart("headline", t("press.headline"), _headline_figure(row), _headline_table(row)),
        PressChart(
            "map",
            t("press.map", metric=METRICS[MAP_METRIC].label[language()]),
            static_map_figure(frame=province_frame, metric_key=MAP_METRIC, language=language()),
            map_table,
        ),
        PressChart(
            "gap",
            t("press.gap"),
            gap_figure(
                frame=gap_frame.assign(name=gap_frame[f"name_{language()}"]),
                language=language(),
                norm_band_label=t("gap.norm_band", norm=f"{GAP_NORM_POINTS:g}"),
                norm_line_label=t("gap.norm_line", norm=f"{GAP_NORM_POINTS:g}"),
            ),
            PageTable(rows=len(gap_frame))
            .text(t("col.code"), gap_frame["group_code"])
            .text(t("col.name"), gap_frame[f"name_{language()}"])
            .metric(frame=gap_frame, metric_key="self_rating")
            .metric(frame=gap_frame, metric_key="satisfaction")
            .indicators(frame=gap_frame, metric_keys=("gap",)),
        ),
        PressChart(
            "overdue",
            t("press.overdue"),
            trend_figure(series=series, language=language()),
            PageTable(rows=len(overdue))
            .text(t("press.month"), overdue["month"])
            .count(t("press.open"), overdue["open"])
            .count(t("tasks.overdue"), overdue["overdue"])
            .number(METRICS["overdue_share"].label[language()], overdue["overdue_share"], unit="%"),
        ),
        PressChart(
            "ministries",
            t("press.ministries"),
            status_bar_figure(
                frame=ministries,
                metric_key="plan_execution",
                label_column="label",
                language=language(),
            ),
            PageTable(rows=len(ministries))
            .text(t("col.code"), ministries["group_code"])
            .text(t("col.ministry"), ministries["label"])
            .indicators(frame=ministries, metric_keys=("plan_execution",))
            .count(t("col.items_due"), ministries["items_due"]),
        ),
    ]


def _zip(charts: list[PressChart], stamps: dict[str, Stamp], stems: dict[str, str]) -> bytes:
    """Every chart as PNG, SVG and PDF plus its data as CSV. Runs when the button is clicked,
    outside the page's session: everything it needs is handed in."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, press_chart in enumerate(charts, start=1):
            stamp = stamps[press_chart.key]
            stem = f"{number:02d}-{stems[press_chart.key]}"
            for image_format in ("png", "svg", "pdf"):
                archive.writestr(
                    f"{stem}.{image_format}",
                    figure_bytes(press_chart.figure, stamp=stamp, image_format=image_format),
                )
            archive.writestr(f"{stem}.csv", table_csv(press_chart.table.export, stamp=stamp))
    return buffer.getvalue()


def _worst_tables() -> list[pd.DataFrame]:
    filters = current_filters()
    url = database_url()
    tables = []
    for frame in (
        scorecard(url, filters, GroupBy.PROVINCE),
        scorecard(url, filters, GroupBy.AGENCY, AGENCY_PARTS),
    ):
        worst = rank_worst(scorecard=frame, limit=10)
        table = pd.DataFrame({t("col.name"): worst[f"name_{language()}"]})
        table[t("col.overall")] = worst["overall_status"].map(status_text)
        tables.append(
            with_indicator_columns(
                table=table,
                frame=worst,
                metric_keys=("plan_execution", "on_time_rate", "satisfaction"),
            )
        )
    return tables


def _briefing_plan(charts: list[PressChart], stamps: dict[str, Stamp]) -> list[dict]:
    """What the briefing says, decided in the page run (texts need the session's language)."""
    provinces, agencies = _worst_tables()
    headline = next(chart for chart in charts if chart.key == "headline").table.shown
    return [
        {
            "heading": t("press.headline"),
            "paragraphs": [
                f"{name}: {value} — {status}"
                for name, value, status in headline.itertuples(index=False)
            ],
            "chart": "headline",
        },
        {"heading": stamps["map"].title, "chart": "map"},
        {"heading": t("briefing.worst_provinces"), "table": provinces},
        {"heading": t("briefing.worst_agencies"), "table": agencies},
        {"heading": stamps["overdue"].title, "chart": "overdue"},
        {"heading": stamps["gap"].title, "chart": "gap"},
    ]


def _briefing(
    *, charts: list[PressChart], stamps: dict[str, Stamp], plan: list[dict], stamp: Stamp
) -> bytes:
    """The briefing PDF; runs on click, outside the session, from what the page prepared."""
    figures = {press_chart.key: press_chart.figure for press_chart in charts}
    sections = [
        BriefingSection(
            heading=part["heading"],
            paragraphs=part.get("paragraphs", ()),
            image_png=figure_bytes(
                figures[part["chart"]], stamp=stamps[part["chart"]], image_format="png"
            )
            if "chart" in part
            else None,
            table=part.get("table"),
        )
        for part in plan
    ]
    return briefing_pdf(title=stamp.title, stamp=stamp, sections=sections)


st.title(t("page.press"))
st.caption(t("press.intro"))
charts = _charts()
stamps: dict[str, Stamp] = {}
stems: dict[str, str] = {}
for press_chart in charts:
    st.subheader(press_chart.title)
    title = st.text_input(t("press.title"), press_chart.title, key=f"press_title_{press_chart.key}")
    caption = st.text_area(
        t("press.caption"), "", key=f"press_caption_{press_chart.key}", height=68
    )
    stamp = replace(stamp_for(title=title), caption=caption)
    stamps[press_chart.key] = stamp
    stems[press_chart.key] = file_stem(title=title)
    st.plotly_chart(press_chart.figure, width="stretch", key=f"press_chart_{press_chart.key}")
    image_buttons(
        press_chart.figure,
        stamp=stamp,
        stem=stems[press_chart.key],
        key=f"press_download_{press_chart.key}",
    )
    table_buttons(
        press_chart.table,
        stamp=stamp,
        stem=stems[press_chart.key],
        key=f"press_download_{press_chart.key}",
    )
    st.divider()

left, right = st.columns(2)
with left:
    download(
        t("press.zip"),
        make=lambda: _zip(charts, stamps, stems),
        file_name=f"{file_stem(title=t('page.press'))}.zip",
        mime="application/zip",
        key="press_zip",
        type="primary",
        icon=":material/folder_zip:",
    )
with right:
    briefing_plan = _briefing_plan(charts, stamps)
    briefing_stamp = stamp_for(title=t("briefing.title"))
    download(
        t("press.briefing"),
        make=lambda: _briefing(
            charts=charts, stamps=stamps, plan=briefing_plan, stamp=briefing_stamp
        ),
        file_name=f"{file_stem(title=t('briefing.title'))}.pdf",
        mime="application/pdf",
        key="press_briefing",
        type="primary",
        icon=":material/picture_as_pdf:",
    )
