"""Map: provinces coloured by the chosen indicator's status; select one to see its districts.

Units with an uploaded boundary (Data page) are drawn as polygons, the others as markers. Data
older than the staleness limit are marked (⌛, thick dark outline) and never shown green.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from data_access.filters import GroupBy
from metrics import completeness
from metrics.definitions import METRICS, STALE_AFTER_DAYS, STATUS_METRICS, STATUS_STYLES, Status
from pages.common import (
    current_filters,
    data_guard,
    database_url,
    format_value,
    language,
    plain,
    reference_data,
    scorecard_with_freshness,
    show_explainer,
    status_text,
    t,
    unit_shapes,
    units_under,
)
from pages.downloads import DATE_FORMAT, PageTable, shown_table

MAP_METRICS = STATUS_METRICS
SELECTED_KEY = "map_province"
MONGOLIA_VIEW = pdk.ViewState(latitude=46.8, longitude=103.0, zoom=4.1, pitch=0)
OUTLINE = [40, 40, 40]
STALE_OUTLINE = [20, 20, 20]
OUTLINE_PIXELS, STALE_OUTLINE_PIXELS = 1, 4
STALE_MARK = "⌛"

filters = current_filters()
url = database_url()
st.title(t("page.map"))

metric_names = {key: METRICS[key].label[language()] for key in MAP_METRICS}
metric_key = st.selectbox(
    t("map.indicator"), MAP_METRICS, format_func=metric_names.__getitem__, key="map_metric"
)
definition = METRICS[metric_key]


def _map_frame(figures: dict[str, pd.DataFrame], units: pd.DataFrame) -> pd.DataFrame:
    scores = figures["scores"].drop(columns=["name_mn", "name_en"])
    units = units.reindex(columns=[*units.columns.difference(["lat", "lon"]), "lat", "lon"])
    frame = units.merge(scores, left_on="code", right_on="group_code", how="left")
    frame = frame.drop(columns=["group_code"]).merge(
        figures["freshness"], left_on="code", right_on="group_code", how="left"
    )
    frame["name"] = frame[f"name_{language()}"]
    statuses = frame[f"{metric_key}_status"].fillna(Status.GREY.value)
    stale_column = f"{metric_key}_stale"
    stale = frame[stale_column].fillna(False).astype(bool) if stale_column in frame else False
    frame["stale"] = stale
    frame["status_text"] = [
        f"{status_text(status)} {STALE_MARK}" if old else status_text(status)
        for status, old in zip(statuses, frame["stale"], strict=True)
    ]
    frame["colour"] = statuses.map(lambda status: [*STATUS_STYLES[Status(status)].rgb, 220])
    frame["line"] = frame["stale"].map(lambda old: STALE_OUTLINE if old else OUTLINE)
    frame["line_width"] = frame["stale"].map(
        lambda old: STALE_OUTLINE_PIXELS if old else OUTLINE_PIXELS
    )
    frame["value_text"] = frame[metric_key].map(
        lambda value: format_value(value, unit=definition.unit)
    )
    behind = completeness.facts_behind(metric_key)
    newest = frame[behind] if behind in frame else frame["newest"]
    frame["newest_day"] = [None if pd.isna(day) else pd.Timestamp(day).date() for day in newest]
    frame["newest_text"] = [
        "—" if pd.isna(day) else f"{day} {STALE_MARK}" if old else str(day)
        for day, old in zip(newest, frame["stale"], strict=True)
    ]
    sample = frame[f"{metric_key}_sample"].fillna(0).astype(float)
    frame["sample"] = sample
    largest = max(float(sample.max()), 1.0) if len(sample) else 1.0
    frame["radius"] = 18_000 + 32_000 * (sample / largest) ** 0.5
    return frame


_SHOWN = ["code", "name", "value_text", "status_text", "newest_text", "colour", "line"]


def _features(frame: pd.DataFrame, shapes: dict[str, dict]) -> dict:
    """A FeatureCollection of the units with a boundary; what the tooltip shows is both in
    ``properties`` and on the feature itself (deck.gl looks at the picked object)."""
    features = []
    for _, row in frame[frame["code"].isin(shapes)].iterrows():
        shown = {name: row[name] for name in _SHOWN} | {"line_width": int(row["line_width"])}
        features.append(
            {"type": "Feature", "geometry": shapes[row["code"]], "properties": shown, **shown}
        )
    return {"type": "FeatureCollection", "features": features}


def _deck(frame: pd.DataFrame, view: pdk.ViewState, shapes: dict[str, dict]) -> pdk.Deck:
    layers = []
    outlined = _features(frame, shapes)
    if outlined["features"]:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="shapes",
                data=outlined,
                get_fill_color="properties.colour",
                get_line_color="properties.line",
                get_line_width="properties.line_width",
                # Quoted: pydeck turns other strings into accessor expressions.
                line_width_units="'pixels'",
                stroked=True,
                filled=True,
                pickable=True,
            )
        )
    located = frame.dropna(subset=["lat", "lon"])
    markers = located[~located["code"].isin(shapes)]
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            id="units",
            data=markers[[*_SHOWN, "lat", "lon", "radius", "line_width"]],
            get_position="[lon, lat]",
            get_fill_color="colour",
            get_radius="radius",
            get_line_color="line",
            get_line_width="line_width",
            line_width_units="'pixels'",
            stroked=True,
            pickable=True,
        )
    )
    layers.append(
        pdk.Layer(
            "TextLayer",
            id="labels",
            data=located[["name", "lat", "lon"]],
            get_position="[lon, lat]",
            get_text="name",
            get_size=12,
            get_color=[30, 30, 30],
            get_pixel_offset=[0, -18],
            # deck.gl's default atlas is ASCII only; "auto" adds the Cyrillic letters the names
            # use. Quoted, because pydeck turns every other string into an accessor expression.
            character_set="'auto'",
        )
    )
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip={
            "text": "{name}\n"
            + definition.label[language()]
            + ": {value_text}\n{status_text}\n"
            + t("map.latest_data")
            + ": {newest_text}"
        },
    )


def _picked(event: object) -> str | None:
    """The code of the unit clicked on the map: a marker or a polygon."""
    if not event:
        return None
    objects = event.selection.objects
    for picked in (*(objects.get("units") or []), *(objects.get("shapes") or [])):
        code = picked.get("code") or (picked.get("properties") or {}).get("code")
        if code:
            return str(code)
    return None


def _table(frame: pd.DataFrame, *, title: str, key: str) -> None:
    # The colour follows the status; the ⌛ mark is not part of it (it has its own column in
    # the files).
    table = (
        PageTable(rows=len(frame))
        .text(t("col.name"), frame["name"])
        .metric(frame=frame, metric_key=metric_key, status_header=t("col.status"))
        .count(definition.sample_label[language()], frame["sample"])
        .column(
            t("map.latest_data"),
            shown=frame["newest_text"],
            export=frame["newest_day"],
            number_format=DATE_FORMAT,
        )
        .export_only(
            t("export.stale", days=STALE_AFTER_DAYS),
            [t("common.yes") if old else t("common.no") for old in frame["stale"]],
        )
    )
    shown_table(table, title=title, key=key, status_columns=[t("col.status")], height=560)
    if frame["stale"].any():
        st.caption(t("map.stale_marked", days=STALE_AFTER_DAYS))


def _legend() -> None:
    st.caption(
        " · ".join(f"{style.symbol} {style.label[language()]}" for style in STATUS_STYLES.values())
        + " — "
        + t("map.legend", thresholds_metric=definition.label[language()])
    )
    st.caption(t("map.boundaries_note"))


with data_guard():
    provinces = reference_data(url, filters.scope)["provinces"]
    province_figures = scorecard_with_freshness(url, filters, GroupBy.PROVINCE)
    province_shapes = unit_shapes(url, 1, None)

province_scores = province_figures["scores"]
province_frame = _map_frame(province_figures, provinces)
names = dict(zip(province_frame["code"], province_frame["name"], strict=True))

map_column, table_column = st.columns([3, 2])
with map_column:
    event = st.pydeck_chart(
        _deck(province_frame, MONGOLIA_VIEW, province_shapes),
        on_select="rerun",
        selection_mode="single-object",
        key="province_map",
        height=560,
    )
    _legend()
clicked = _picked(event)
if clicked and clicked in names and clicked != st.session_state.get(SELECTED_KEY):
    st.session_state[SELECTED_KEY] = clicked
with table_column:
    _table(
        province_frame,
        title=f"{t('page.map')}: {definition.label[language()]}",
        key="map_provinces",
    )
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
        district_figures = scorecard_with_freshness(
            url, replace(filters, province_code=selected), GroupBy.DISTRICT
        )
        districts = units_under(url, selected, filters.scope)
        district_shapes = unit_shapes(url, 2, selected)
    district_frame = _map_frame(district_figures, districts)
    centre = province_frame.loc[province_frame["code"] == selected].iloc[0]
    located = pd.notna(centre["lat"]) and pd.notna(centre["lon"])
    view = (
        pdk.ViewState(latitude=float(centre["lat"]), longitude=float(centre["lon"]), zoom=6.2)
        if located
        else MONGOLIA_VIEW
    )
    left, right = st.columns([3, 2])
    with left:
        st.pydeck_chart(
            _deck(district_frame, view, district_shapes), height=460, key="district_map"
        )
    with right:
        st.markdown(f"**{plain(names[selected])}**")
        _table(
            district_frame,
            title=f"{names[selected]}: {definition.label[language()]}",
            key="map_districts",
        )
else:
    st.info(t("map.drill_hint"))
