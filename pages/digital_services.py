"""Digital services: online applications and results, how public-service applications are
resolved, month by month, and whether communes meet the service-centre conditions."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import METRICS, STATUS_STYLES, Status
from metrics.reality import MET_PREFIX, RESOLUTION_CLASSES
from pages.common import (
    commune_matrix,
    current_filters,
    data_guard,
    database_url,
    digital_scorecard,
    format_value,
    language,
    metric_tile,
    missing_criteria,
    monthly_services,
    plain,
    reference_data,
    show_explainer,
    status_text,
    t,
)
from pages.downloads import WHOLE, PageTable, chart, shown_table

RESOLUTION_COLOURS = {
    "resolved_early": "#1b9e77",
    "resolved_on_time": "#7fc97f",
    "resolved_late": "#d95f02",
}
MONGOLIA_VIEW = pdk.ViewState(latitude=46.8, longitude=103.0, zoom=4.1, pitch=0)
COVERAGE = METRICS["commune_coverage"]

filters = current_filters()
url = database_url()
st.title(t("page.digital"))
st.caption(
    t("digital.caption", start=filters.period_start, end=filters.period_end, as_of=filters.as_of)
)

with data_guard():
    national = digital_scorecard(url, filters, GroupBy.NONE)
    by_province = digital_scorecard(url, filters, GroupBy.PROVINCE)
    monthly = monthly_services(url, filters)
    provinces = reference_data(url, filters.scope)["provinces"]

row = national.iloc[0] if not national.empty else pd.Series(dtype=object)
tiles = st.columns(4)
with tiles[0]:
    metric_tile(metric_key="online_share", row=row, as_of=filters.as_of)
with tiles[1]:
    st.metric(
        t("digital.online_results"),
        format_value(row.get("online_results_share"), unit="%"),
        help=t("digital.online_results_help"),
    )
with tiles[2]:
    st.metric(
        t("digital.resolved_in_time"),
        format_value(row.get("resolved_on_time_rate"), unit="%"),
        help=t("digital.resolved_help"),
    )
with tiles[3]:
    metric_tile(metric_key="commune_coverage", row=row, as_of=filters.as_of)


def _criterion(code: str) -> str:
    label = t(f"criterion.{code}")
    return code if label == f"criterion.{code}" else label


def _name(frame: pd.DataFrame) -> pd.Series:
    return frame[f"name_{language()}"]


# --- month by month ---------------------------------------------------------------------------
st.subheader(t("digital.trend"))
left, right = st.columns(2)
with left:
    figure = go.Figure()
    figure.add_scatter(
        x=monthly["month"],
        y=monthly["online_share"],
        name=METRICS["online_share"].label[language()],
        mode="lines+markers",
    )
    figure.add_scatter(
        x=monthly["month"],
        y=monthly["online_results_share"],
        name=t("digital.online_results"),
        mode="lines+markers",
    )
    for threshold in (METRICS["online_share"].green, METRICS["online_share"].yellow):
        figure.add_hline(y=threshold, line_dash="dot", line_color="#555")
    figure.update_layout(
        yaxis_title="%", yaxis_range=[0, 100], height=340, margin={"t": 20}, legend_orientation="h"
    )
    chart(figure, title=figure.layout.title.text or t("page.digital"), key="digital_services_1")
with right:
    figure = go.Figure()
    for name in RESOLUTION_CLASSES:
        figure.add_bar(
            x=monthly["month"],
            y=monthly[f"{name}_share"],
            name=t(f"digital.{name}"),
            marker_color=RESOLUTION_COLOURS[name],
        )
    figure.update_layout(
        barmode="stack",
        yaxis_title="%",
        height=340,
        margin={"t": 20},
        legend={"orientation": "h", "traceorder": "normal"},
    )
    chart(figure, title=figure.layout.title.text or t("page.digital"), key="digital_services_2")
st.caption(t("digital.trend_note"))


# --- by province and by district/soum ------------------------------------------------------
def _service_table(frame: pd.DataFrame) -> PageTable:
    table = (
        PageTable(rows=len(frame))
        .text(t("col.name"), _name(frame))
        .count(t("digital.applications"), frame["applications"].fillna(0))
        .indicators(frame=frame, metric_keys=("online_share",))
        .number(t("digital.online_results"), frame["online_results_share"], unit="%")
    )
    for name in RESOLUTION_CLASSES:
        table.number(t(f"digital.{name}"), frame[f"{name}_share"], unit="%")
    if "commune_coverage" in frame.columns:
        table.indicators(frame=frame, metric_keys=("commune_coverage",))
    return table


def _units(frame: pd.DataFrame) -> pd.DataFrame:
    # National-level facts are not a province; they stay in the national tiles above.
    return frame[~frame["group_code"].astype(str).str.startswith("_")].reset_index(drop=True)


province_rows = _units(by_province)
st.subheader(t("digital.by_province"))
shown_table(
    _service_table(province_rows),
    title=f"{t('page.digital')}: {t('digital.by_province')}",
    key="digital_services_table_1",
)
show_explainer(
    frame=province_rows, metric_key="online_share", as_of=filters.as_of, key="digital_explain"
)

figure = go.Figure()
for name in RESOLUTION_CLASSES:
    figure.add_bar(
        y=_name(province_rows),
        x=province_rows[f"{name}_share"],
        orientation="h",
        name=t(f"digital.{name}"),
        marker_color=RESOLUTION_COLOURS[name],
    )
figure.update_layout(
    barmode="stack",
    title=t("digital.resolution_title"),
    xaxis_title="%",
    yaxis={"autorange": "reversed"},
    height=140 + 24 * len(province_rows),
    margin={"t": 40},
    legend={"orientation": "h", "traceorder": "normal"},
)
chart(figure, title=figure.layout.title.text or t("page.digital"), key="digital_services_3")

province_names = dict(zip(provinces["code"], provinces[f"name_{language()}"], strict=True))
codes = provinces["code"].tolist()
chosen = st.selectbox(
    t("digital.choose_province"),
    codes,
    index=codes.index(filters.province_code) if filters.province_code in codes else 0,
    format_func=lambda code: province_names.get(code, code),
    key="digital_province",
)
with data_guard():
    in_province = replace(filters, province_code=chosen)
    districts = _units(digital_scorecard(url, in_province, GroupBy.DISTRICT))
    communes = commune_matrix(url, in_province)
st.markdown(f"**{t('digital.districts', province=plain(province_names.get(chosen, chosen)))}**")
shown_table(
    _service_table(districts),
    title=t("digital.districts", province=province_names.get(chosen, chosen)),
    key="digital_services_table_2",
)


# --- commune readiness ------------------------------------------------------------------------
st.subheader(t("digital.readiness"))
st.caption(
    t(
        "digital.readiness_rule",
        label=COVERAGE.label[language()],
        formula=COVERAGE.formula[language()],
    )
)


def _coverage_map(frame: pd.DataFrame) -> pdk.Deck:
    statuses = frame["commune_coverage_status"].fillna(Status.GREY.value)
    data = pd.DataFrame(
        {
            "code": frame["code"],
            "name": frame[f"name_{language()}"],
            "lat": frame["lat"],
            "lon": frame["lon"],
            "colour": statuses.map(lambda status: [*STATUS_STYLES[Status(status)].rgb, 220]),
            "status_text": statuses.map(status_text),
            "value_text": frame["commune_coverage"].map(lambda v: format_value(v, unit="%")),
            "green_text": [
                t("digital.green_of", green=int(green), checked=int(checked))
                for green, checked in zip(
                    frame["communes_green"].fillna(0),
                    frame["communes_checked"].fillna(0),
                    strict=True,
                )
            ],
        }
    ).dropna(subset=["lat", "lon"])
    # Marker area grows with the communes checked, as on the Map page: size is sample size.
    checked = frame["communes_checked"].fillna(0).astype(float)
    data["radius"] = 18_000 + 32_000 * (checked / max(float(checked.max()), 1.0)) ** 0.5
    markers = pdk.Layer(
        "ScatterplotLayer",
        id="coverage",
        data=data,
        get_position="[lon, lat]",
        get_fill_color="colour",
        get_radius="radius",
        get_line_color=[40, 40, 40],
        line_width_min_pixels=1,
        stroked=True,
        pickable=True,
    )
    labels = pdk.Layer(
        "TextLayer",
        id="coverage_labels",
        data=data[["name", "lat", "lon"]],
        get_position="[lon, lat]",
        get_text="name",
        get_size=12,
        get_color=[30, 30, 30],
        get_pixel_offset=[0, -18],
        # deck.gl's default atlas is ASCII only; "auto" adds the Cyrillic letters. Quoted, or
        # pydeck would read it as an accessor expression.
        character_set="'auto'",
    )
    return pdk.Deck(
        layers=[markers, labels],
        initial_view_state=MONGOLIA_VIEW,
        map_provider=None,
        tooltip={
            "text": "{name}\n"
            + COVERAGE.label[language()]
            + ": {value_text} ({green_text})\n{status_text}"
        },
    )


coverage = provinces.merge(
    by_province.drop(columns=["name_mn", "name_en"]),
    left_on="code",
    right_on="group_code",
    how="left",
)
map_column, table_column = st.columns([3, 2])
with map_column:
    st.pydeck_chart(_coverage_map(coverage), height=480, key="coverage_map")
    st.caption(
        " · ".join(f"{style.symbol} {style.label[language()]}" for style in STATUS_STYLES.values())
        + " — "
        + t("map.legend", thresholds_metric=COVERAGE.label[language()])
    )
with table_column:
    table = (
        PageTable(rows=len(coverage))
        .text(t("col.name"), coverage[f"name_{language()}"])
        .metric(frame=coverage, metric_key="commune_coverage", status_header=t("col.status"))
        .count(t("digital.communes_green"), coverage["communes_green"].fillna(0))
        .count(t("digital.communes_checked"), coverage["communes_checked"].fillna(0))
    )
    shown_table(
        table,
        title=f"{t('digital.readiness')}: {COVERAGE.label[language()]}",
        key="digital_services_coverage",
        status_columns=[t("col.status")],
        height=480,
    )
show_explainer(
    frame=province_rows, metric_key="commune_coverage", as_of=filters.as_of, key="coverage_explain"
)

st.markdown(f"**{t('digital.missing_title')}**")
with data_guard():
    missing_national = missing_criteria(url, filters, GroupBy.NONE)
    missing_by_province = missing_criteria(url, filters, GroupBy.PROVINCE)
left, right = st.columns([2, 3])
with left:
    ordered = missing_national.sort_values("communes_missing")
    figure = go.Figure(
        go.Bar(
            x=ordered["communes_missing"],
            y=ordered["criterion"].map(_criterion),
            orientation="h",
            text=ordered["missing_share"].map(lambda v: format_value(v, unit="%")),
            marker_color="#d95f02",
        )
    )
    figure.update_layout(
        title=t("digital.missing_national"),
        xaxis_title=t("digital.communes_missing"),
        height=320,
        margin={"t": 40},
    )
    chart(figure, title=figure.layout.title.text or t("page.digital"), key="digital_services_4")
with right:
    per_province = _units(missing_by_province).assign(
        name=lambda frame: _name(frame),
        label=lambda frame: frame["criterion"].map(_criterion),
    )
    missing = per_province.pivot(index="name", columns="label", values="communes_missing")
    checked = per_province.pivot(index="name", columns="label", values="communes_checked")
    grid = PageTable(rows=len(missing)).text(t("col.name"), missing.index)
    for label in missing.columns:
        grid.parts(
            label,
            shown=[
                "—" if pd.isna(gaps) else f"{int(gaps)} / {int(total)}"
                for gaps, total in zip(missing[label], checked[label], strict=True)
            ],
            exported={
                t("digital.communes_missing"): missing[label],
                t("digital.communes_checked"): checked[label],
            },
            number_format=WHOLE,
        )
    shown_table(grid, title=t("digital.missing_title"), key="digital_services_table_3")
    st.caption(t("digital.missing_note"))

st.markdown(
    f"**{t('digital.communes_title', province=plain(province_names.get(chosen, chosen)))}**"
)
if communes.empty:
    st.info(t("digital.no_checks"))
else:
    criteria = [name for name in communes.columns if name.startswith(MET_PREFIX)]
    matrix = (
        PageTable(rows=len(communes))
        .text(t("col.name"), _name(communes))
        .day(t("digital.checked_on"), communes["checked_on"])
        .status(
            t("col.status"),
            communes["green"].map(lambda green: Status.GREEN if green else Status.RED),
        )
    )
    for name in criteria:
        matrix.flag(_criterion(name.removeprefix(MET_PREFIX)), communes[name], yes="✓", no="✗")
    shown_table(
        matrix,
        title=t("digital.communes_title", province=province_names.get(chosen, chosen)),
        key="digital_services_table_4",
        status_columns=[t("col.status")],
    )
    st.caption(t("digital.commune_rule"))
