"""Plotly figures shared by the pages and the press room, so an exported chart is the chart
on screen. Builders take display-ready frames and the language; no Streamlit, no database."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from metrics.definitions import GAP_NORM_POINTS, METRICS, STATUS_STYLES, Status

STATUS_ORDER = (Status.GREEN, Status.YELLOW, Status.RED, Status.GREY)


def status_label(*, status: str | Status, language: str) -> str:
    """Symbol and word, so a status reads without colour (and in greyscale print)."""
    style = STATUS_STYLES[Status(status)]
    return f"{style.symbol} {style.label[language]}"


def trend_figure(*, series: dict[str, pd.DataFrame], language: str) -> go.Figure:
    """Monthly on-time rate, satisfaction and overdue share (metrics.trend.monthly_trend)."""
    figure = go.Figure()
    figure.add_scatter(
        x=series["timeliness"]["month"],
        y=series["timeliness"]["on_time_rate"],
        name=METRICS["on_time_rate"].label[language],
        mode="lines+markers",
        marker_symbol="circle",
    )
    figure.add_scatter(
        x=series["satisfaction"]["month"],
        y=series["satisfaction"]["satisfaction"],
        name=METRICS["satisfaction"].label[language],
        mode="lines+markers",
        marker_symbol="diamond",
    )
    figure.add_scatter(
        x=[moment.strftime("%Y-%m") for moment in series["overdue"]["date"]],
        y=series["overdue"]["overdue_share"],
        name=METRICS["overdue_share"].label[language],
        mode="lines+markers",
        marker_symbol="square",
    )
    figure.update_layout(yaxis_title="%", yaxis_range=[0, 105], height=380, legend_orientation="h")
    return figure


def gap_figure(
    *, frame: pd.DataFrame, language: str, norm_band_label: str, norm_line_label: str
) -> go.Figure:
    """Self-rating against satisfaction with 95 % intervals and the norm band (gap ≤ norm).

    ``frame``: metrics.compute.satisfaction_gap output with a ``name`` column."""
    both = frame.dropna(subset=["self_rating", "satisfaction"])
    figure = go.Figure()
    figure.add_scatter(
        x=[0, 100, 100, 0],
        y=[GAP_NORM_POINTS, 100 + GAP_NORM_POINTS, 100, 0],
        fill="toself",
        mode="lines",
        fillcolor="rgba(27,158,119,0.10)",
        line={"width": 0},
        name=norm_band_label,
        hoverinfo="skip",
    )
    figure.add_scatter(
        x=[0, 100],
        y=[GAP_NORM_POINTS, 100 + GAP_NORM_POINTS],
        mode="lines",
        line={"dash": "dash", "color": "#1b9e77"},
        name=norm_line_label,
    )
    statuses = both["gap_status"].fillna(Status.GREY.value)
    for status in STATUS_ORDER:
        subset = both[statuses == status.value]
        if subset.empty:
            continue
        style = STATUS_STYLES[status]
        figure.add_scatter(
            x=subset["satisfaction"],
            y=subset["self_rating"],
            mode="markers",
            marker={
                "color": style.colour,
                "size": 11,
                "symbol": _MARKER_SYMBOLS[status],
                "line": {"width": 1, "color": "#333"},
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": subset["satisfaction_high"] - subset["satisfaction"],
                "arrayminus": subset["satisfaction"] - subset["satisfaction_low"],
                "thickness": 1,
            },
            error_y={
                "type": "data",
                "symmetric": False,
                "array": subset["self_rating_high"] - subset["self_rating"],
                "arrayminus": subset["self_rating"] - subset["self_rating_low"],
                "thickness": 1,
            },
            text=subset["name"],
            customdata=subset["gap"].round(1),
            hovertemplate="%{text}<br>%{x:.1f} % · %{y:.1f} · Δ %{customdata}<extra></extra>",
            name=status_label(status=status, language=language),
        )
    figure.update_layout(
        xaxis={"title": METRICS["satisfaction"].label[language] + " (%)", "range": [0, 100]},
        yaxis={"title": METRICS["self_rating"].label[language], "range": [0, 105]},
        height=560,
        legend_orientation="h",
    )
    return figure


_MARKER_SYMBOLS = {
    Status.GREEN: "circle",
    Status.YELLOW: "triangle-up",
    Status.RED: "square",
    Status.GREY: "circle-open",
}


def status_bar_figure(
    *, frame: pd.DataFrame, metric_key: str, label_column: str, language: str
) -> go.Figure:
    """Horizontal bars of one indicator, coloured and labelled by status, threshold lines."""
    definition = METRICS[metric_key]
    ordered = frame.sort_values(metric_key, na_position="first")
    statuses = ordered[f"{metric_key}_status"].fillna(Status.GREY.value)
    figure = go.Figure()
    for status in STATUS_ORDER:
        subset = ordered[statuses == status.value]
        if subset.empty:
            continue
        figure.add_bar(
            x=subset[metric_key],
            y=subset[label_column],
            orientation="h",
            marker_color=STATUS_STYLES[status].colour,
            name=status_label(status=status, language=language),
            text=[f"{value:.1f}" if pd.notna(value) else "—" for value in subset[metric_key]],
            textposition="outside",
        )
    if definition.has_traffic_light:
        for threshold in (definition.green, definition.yellow):
            figure.add_vline(x=threshold, line_dash="dot", line_color="#555")
    figure.update_layout(
        barmode="overlay",
        xaxis={"title": f"{definition.label[language]} ({definition.unit})", "range": [0, 105]},
        yaxis={"categoryorder": "array", "categoryarray": list(ordered[label_column])},
        height=140 + 26 * len(ordered),
        legend_orientation="h",
    )
    return figure


def static_map_figure(*, frame: pd.DataFrame, metric_key: str, language: str) -> go.Figure:
    """Provinces for print: polygons where a boundary was loaded, markers at unit centres
    otherwise, coloured and labelled by status. A WebGL map cannot be exported server-side.

    ``frame``: one row per unit with name, lat, lon, optional geometry (GeoJSON text), the
    indicator and its status."""
    definition = METRICS[metric_key]
    figure = go.Figure()
    statuses = frame[f"{metric_key}_status"].fillna(Status.GREY.value)
    geometries = frame["geometry"] if "geometry" in frame else pd.Series(None, index=frame.index)
    for status, geometry in zip(statuses, geometries, strict=True):
        if isinstance(geometry, str) and geometry:
            for ring in _outer_rings(geometry):
                figure.add_scatter(
                    x=[point[0] for point in ring],
                    y=[point[1] for point in ring],
                    fill="toself",
                    mode="lines",
                    line={"color": "#555", "width": 0.6},
                    fillcolor=STATUS_STYLES[Status(status)].colour,
                    hoverinfo="skip",
                    showlegend=False,
                )
    for status in STATUS_ORDER:
        subset = frame[statuses == status.value]
        if subset.empty:
            continue
        style = STATUS_STYLES[status]
        values = ["—" if pd.isna(value) else f"{value:.0f}" for value in subset[metric_key]]
        figure.add_scatter(
            x=subset["lon"],
            y=subset["lat"],
            mode="markers+text",
            marker={
                "size": 16,
                "color": style.colour,
                "symbol": _MARKER_SYMBOLS[status],
                "line": {"width": 1, "color": "#222"},
            },
            text=[f"{name} {value}" for name, value in zip(subset["name"], values, strict=True)],
            textposition="top center",
            textfont={"size": 10},
            name=status_label(status=status, language=language),
        )
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1.45},
        height=620,
        legend_orientation="h",
        legend_title_text=definition.label[language],
        plot_bgcolor="white",
    )
    return figure


def _outer_rings(geometry_text: str) -> list[list[list[float]]]:
    """Outer rings of a GeoJSON Polygon or MultiPolygon (holes are not drawn for print)."""
    try:
        geometry = json.loads(geometry_text)
    except ValueError:
        return []
    kind = geometry.get("type")
    if kind == "Polygon":
        return geometry["coordinates"][:1]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []
