"""Map: provinces coloured by the chosen indicator's status; select one to see its districts."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from data_access.filters import GroupBy
from metrics.definitions import METRICS, STATUS_METRICS, STATUS_STYLES, Status
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    format_value,
    language,
    reference_data,
    scorecard,
    show_explainer,
    status_text,
    style_status_columns,
    t,
    units_under,
)

MAP_METRICS = STATUS_METRICS
SELECTED_KEY = "map_province"
MONGOLIA_VIEW = pdk.ViewState(latitude=46.8, longitude=103.0, zoom=4.1, pitch=0)

filters = current_filters()
url = database_url()
st.title(t("page.map"))

metric_key = st.selectbox(
    t("map.indicator"),
    MAP_METRICS,
    format_func=lambda key: METRICS[key].label[language()],
    key="map_metric",
)
definition = METRICS[metric_key]


def _map_frame(scores: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    values = scores.drop(columns=["name_mn", "name_en"])
    frame = units.merge(values, left_on="code", right_on="group_code", how="left")
    frame["name"] = frame[f"name_{language()}"]
    statuses = frame[f"{metric_key}_status"].fillna(Status.GREY.value)
    frame["status_text"] = statuses.map(status_text)
    frame["colour"] = statuses.map(lambda status: [*STATUS_STYLES[Status(status)].rgb, 220])
    frame["value_text"] = frame[metric_key].map(
        lambda value: format_value(value, unit=definition.unit)
    )
    sample = frame[f"{metric_key}_sample"].fillna(0).astype(float)
    frame["sample"] = sample
    largest = max(float(sample.max()), 1.0)
    frame["radius"] = 18_000 + 32_000 * (sample / largest) ** 0.5
    return frame.dropna(subset=["lat", "lon"])


def _deck(frame: pd.DataFrame, view: pdk.ViewState) -> pdk.Deck:
    markers = pdk.Layer(
        "ScatterplotLayer",
        id="units",
        data=frame[["code", "name", "lat", "lon", "colour", "radius", "value_text", "status_text"]],
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
        id="labels",
        data=frame[["name", "lat", "lon"]],
        get_position="[lon, lat]",
        get_text="name",
        get_size=12,
        get_color=[30, 30, 30],
        get_pixel_offset=[0, -18],
        # deck.gl's default atlas is ASCII only; "auto" adds the Cyrillic letters the names use.
        # Quoted, because pydeck turns every other string into an accessor expression.
        character_set="'auto'",
    )
    return pdk.Deck(
        layers=[markers, labels],
        initial_view_state=view,
        map_provider=None,
        tooltip={
            "text": "{name}\n" + definition.label[language()] + ": {value_text}\n{status_text}"
        },
    )


def _table(frame: pd.DataFrame) -> None:
    table = pd.DataFrame(
        {
            t("col.name"): frame["name"],
            definition.label[language()]: frame["value_text"],
            t("col.status"): frame["status_text"],
            definition.sample_label[language()]: frame["sample"].astype(int),
        }
    )
    st.dataframe(
        style_status_columns(table, [t("col.status")]), hide_index=True, width="stretch", height=560
    )


def _legend() -> None:
    st.caption(
        " · ".join(f"{style.symbol} {style.label[language()]}" for style in STATUS_STYLES.values())
        + " — "
        + t("map.legend", thresholds_metric=definition.label[language()])
    )


with data_guard():
    provinces = reference_data(url)["provinces"]
    province_scores = scorecard(url, filters, GroupBy.PROVINCE)

province_frame = _map_frame(province_scores, provinces)
names = dict(zip(province_frame["code"], province_frame["name"], strict=True))

map_column, table_column = st.columns([3, 2])
with map_column:
    event = st.pydeck_chart(
        _deck(province_frame, MONGOLIA_VIEW),
        on_select="rerun",
        selection_mode="single-object",
        key="province_map",
        height=560,
    )
    _legend()
clicked = (event.selection.objects.get("units") or [{}])[0].get("code") if event else None
if clicked and clicked != st.session_state.get(SELECTED_KEY):
    st.session_state[SELECTED_KEY] = clicked
with table_column:
    _table(province_frame)
show_explainer(frame=province_scores, metric_key=metric_key, as_of=filters.as_of, key="map_explain")

st.subheader(t("map.drill"))
options = ["", *province_frame["code"].tolist()]
selected = st.selectbox(
    t("map.choose_province"),
    options,
    format_func=lambda code: names.get(code, "—"),
    key=SELECTED_KEY,
)
if selected:
    with data_guard():
        district_scores = scorecard(url, replace(filters, province_code=selected), GroupBy.DISTRICT)
        districts = units_under(url, selected)
    district_frame = _map_frame(district_scores, districts)
    centre = province_frame.loc[province_frame["code"] == selected].iloc[0]
    view = pdk.ViewState(latitude=float(centre["lat"]), longitude=float(centre["lon"]), zoom=6.2)
    left, right = st.columns([3, 2])
    with left:
        st.pydeck_chart(_deck(district_frame, view), height=460, key="district_map")
    with right:
        st.markdown(f"**{names[selected]}**")
        _table(district_frame)
else:
    st.info(t("map.drill_hint"))
