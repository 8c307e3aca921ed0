"""What every page shares: translation, the sidebar filters, cached data loaders, status display.

Caching lives here, at the edge: loaders are keyed by the database URL and the filters, so a new
filter value queries once and a rerun with the same filters reads the cache.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access import queries, thresholds
from data_access.accounts import User
from data_access.db import get_engine, resolve_database_url, resolve_read_database_url
from data_access.filters import Filters, GroupBy
from data_access.inputs import PARTS, collect_inputs
from data_access.scope import Scope
from data_access.settings import security_settings
from data_access.setup import needs_demo_data, prepare
from metrics import compute, privacy, trend
from metrics.definitions import (
    METRICS,
    QUERY_RULES,
    SATISFIED_MIN_SCORE,
    STATUS_METRICS,
    STATUS_STYLES,
    MetricDefinition,
    Status,
    effective_metrics,
)
from metrics.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from metrics.status import explain

CACHE_SECONDS = 600
OVERALL = "overall"
FILTERS_KEY = "filters"
USER_KEY = "signed_in_user"
OPEN_PAGES_KEY = "open_pages"


def language() -> str:
    chosen = st.session_state.get("language", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    return translate(key, language=language(), **values)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$])")


def plain(text: object) -> str:
    """Data (names, titles) to put inside Markdown: shown as the characters it holds, never
    read as formatting, links or images."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def name_of(row: pd.Series | dict, *, prefix: str = "name") -> str:
    return str(row[f"{prefix}_{language()}"])


def database_url() -> str:
    """Where the pages read (a read replica when one is configured)."""
    return resolve_read_database_url()


def write_database_url() -> str:
    return resolve_database_url()


class DatabaseUnavailableError(RuntimeError):
    """The database could not answer; the page says so instead of showing a traceback."""


def _run(url: str, reader: Callable, **arguments: object):
    try:
        with get_engine(url).connect() as connection:
            return reader(connection=connection, **arguments)
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error


@contextmanager
def data_guard() -> Iterator[None]:
    """Turn a database failure into a clear message; the next rerun tries again."""
    try:
        yield
    except DatabaseUnavailableError as error:
        st.error(t("error.database", detail=str(error)))
        st.stop()


@st.cache_resource(show_spinner=False)
def _prepared_urls() -> set[str]:
    """Databases this process has already migrated (shared by every session)."""
    return set()


def ensure_prepared(url: str) -> None:
    """Migrate the database once per process; fill an empty embedded default, with progress."""
    done = _prepared_urls()
    if url in done:
        return
    # Sessions reaching a fresh process together would run Alembic at once: one at a time.
    with _PREPARING:
        if url not in done:
            _prepare(url)
            done.add(url)


_PREPARING = threading.Lock()


def _prepare(url: str) -> None:
    try:
        if needs_demo_data(database_url=url):
            with st.status(t("setup.preparing"), expanded=True) as status:
                bar = st.progress(0.0)
                prepare(
                    database_url=url,
                    progress=lambda share, message: bar.progress(share, message),
                )
                status.update(label=t("setup.ready"), state="complete", expanded=False)
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def reference_data(url: str, scope: Scope) -> dict[str, object]:
    return {
        "provinces": _run(url, queries.provinces, scope=scope),
        "agencies": _run(url, queries.agencies, scope=scope),
        "dataset": _run(url, queries.dataset_info),
        "date_range": _run(url, queries.task_date_range, scope=scope),
    }


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def dataset(url: str) -> dict[str, str]:
    """What dataset is loaded (no performance data: readable before sign-in)."""
    return _run(url, queries.dataset_info)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def units_under(url: str, parent_code: str, scope: Scope) -> pd.DataFrame:
    return _run(url, queries.units_under, parent_code=parent_code, scope=scope)


def _inputs(
    url: str, filters: Filters, group_by: GroupBy, parts: tuple[str, ...]
) -> dict[str, object]:
    return _run(url, collect_inputs, filters=filters, group_by=group_by, parts=parts, **QUERY_RULES)


ALL_PARTS = PARTS
AGENCY_PARTS = ("tasks", "plans", "ratings", "satisfaction", "services")


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def metric_definitions(url: str) -> dict[str, MetricDefinition]:
    """The metrics with the thresholds an administrator set (the defaults otherwise)."""
    return effective_metrics(overrides=_run(url, thresholds.threshold_overrides))


def _coloured(frame: pd.DataFrame, *, url: str) -> pd.DataFrame:
    return compute.with_thresholds(frame=frame, definitions=metric_definitions(url))


def _published(frame: pd.DataFrame, *, scope: Scope) -> pd.DataFrame:
    """Press officers see aggregates only: a figure resting on fewer than k observations is
    blanked (metrics.privacy), for every page and export that reads it."""
    if not scope.aggregates_only:
        return frame
    return privacy.suppress_small_cells(frame=frame, k=security_settings().press_min_observations)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def scorecard(
    url: str, filters: Filters, group_by: GroupBy, parts: tuple[str, ...] = ALL_PARTS
) -> pd.DataFrame:
    """Every indicator with its status for each group (see metrics.compute.scorecard)."""
    scores = compute.scorecard(as_of=filters.as_of, **_inputs(url, filters, group_by, parts))
    return _published(_coloured(scores, url=url), scope=filters.scope)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def timeliness(url: str, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    tasks = _inputs(url, filters, group_by, ("tasks",))["tasks"]
    return _published(_coloured(compute.task_timeliness(tasks=tasks), url=url), scope=filters.scope)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def plan_execution(url: str, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    plans = _inputs(url, filters, group_by, ("plans",))["plans"]
    return _published(_coloured(compute.plan_execution(plans=plans), url=url), scope=filters.scope)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def gap(url: str, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    inputs = _inputs(url, filters, group_by, ("ratings", "satisfaction"))
    gaps = compute.satisfaction_gap(ratings=inputs["ratings"], satisfaction=inputs["satisfaction"])
    return _published(_coloured(gaps, url=url), scope=filters.scope)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def monthly_trend(url: str, filters: Filters) -> dict[str, pd.DataFrame]:
    completions = _run(url, queries.monthly_task_completions, filters=filters)
    responses = _run(
        url, queries.monthly_satisfaction, filters=filters, satisfied_min_score=SATISFIED_MIN_SCORE
    )
    month_ends = trend.month_ends(start=filters.period_start, end=filters.effective_end)
    open_tasks = _run(url, queries.open_tasks_at_dates, filters=filters, dates=month_ends)
    series = trend.monthly_trend(
        completions=completions, responses=responses, open_tasks=open_tasks
    )
    if not filters.scope.aggregates_only:
        return series
    return privacy.suppress_small_trend_cells(
        trend=series, k=security_settings().press_min_observations
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def plan_items_behind(url: str, filters: Filters, limit: int) -> pd.DataFrame:
    return _run(url, queries.plan_items_behind, filters=filters, limit=limit)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def overdue_page(url: str, filters: Filters, limit: int, offset: int) -> tuple[pd.DataFrame, int]:
    rows = _run(url, queries.overdue_tasks, filters=filters, limit=limit, offset=offset)
    return rows, _run(url, queries.overdue_task_total, filters=filters)


def current_filters() -> Filters:
    filters = st.session_state.get(FILTERS_KEY)
    if filters is None or st.session_state.get(USER_KEY) is None:
        # On a fresh server's very first request Streamlit's legacy pages/-folder mode can run a
        # page without app.py; the entry point signs the reader in and sets the filters.
        st.switch_page("app.py")
    return filters


def may_open(page: str) -> bool:
    """Whether the reader's role may open ``page`` (a link to it would otherwise fail)."""
    return page in st.session_state.get(OPEN_PAGES_KEY, ())


def signed_in_user() -> User:
    """The reader (app.py lets no page run without one)."""
    current_filters()
    return st.session_state[USER_KEY]


def previous_period(filters: Filters) -> Filters:
    """The same period one year earlier, for "what changed"."""
    return replace(
        filters,
        period_start=_year_earlier(filters.period_start),
        period_end=_year_earlier(filters.period_end),
        as_of=_year_earlier(filters.as_of),
    )


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def status_text(status: str | Status) -> str:
    style = STATUS_STYLES[Status(status)]
    return f"{style.symbol} {style.label[language()]}"


def format_value(value: object, *, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = float(value)
    return f"{number:.1f} %" if unit == "%" else f"{number:.1f}"


def shown_value(*, row: pd.Series, metric_key: str) -> str:
    """A figure as text; one blanked for the press (too few observations) says so."""
    if privacy.is_suppressed(row=row, metric_key=metric_key):
        return t("privacy.suppressed", k=security_settings().press_min_observations)
    return format_value(row.get(metric_key), unit=METRICS[metric_key].unit)


def shown_values(*, frame: pd.DataFrame, metric_key: str) -> list[str]:
    """``shown_value`` of every row of ``frame``, column by column (a row at a time, pandas
    spends about a millisecond per row of a wide scorecard)."""
    blanked = t("privacy.suppressed", k=security_settings().press_min_observations)
    unit = METRICS[metric_key].unit
    values = frame[metric_key].tolist() if metric_key in frame.columns else [None] * len(frame)
    return [
        blanked if suppressed else format_value(value, unit=unit)
        for value, suppressed in zip(
            values, privacy.suppressed_flags(frame=frame, metric_key=metric_key), strict=True
        )
    ]


def statuses_of(*, frame: pd.DataFrame, metric_key: str) -> list[str]:
    """Each row's status of ``metric_key``; grey where it has none."""
    column = f"{metric_key}_status"
    if column not in frame.columns:
        return [Status.GREY.value] * len(frame)
    return [
        status if isinstance(status, str) else Status.GREY.value
        for status in frame[column].tolist()
    ]


def with_indicator_columns(
    *, table: pd.DataFrame, frame: pd.DataFrame, metric_keys: tuple[str, ...]
) -> pd.DataFrame:
    """Add one column per indicator to a display table: value, symbol and status word."""
    for key in metric_keys:
        definition = METRICS[key]
        table[definition.label[language()]] = [
            f"{value} {status_text(status)}"
            for value, status in zip(
                shown_values(frame=frame, metric_key=key),
                statuses_of(frame=frame, metric_key=key),
                strict=True,
            )
        ]
    return table


def explanation(*, metric_key: str, value: object, sample: object, as_of: date) -> str:
    definition = metric_definitions(database_url())[metric_key]
    number = None if value is None or pd.isna(value) else float(value)
    size = None if sample is None or pd.isna(sample) else float(sample)
    return explain(definition=definition, value=number, sample=size, as_of=as_of).text(
        language=language()
    )


def metric_tile(
    *, metric_key: str, row: pd.Series, as_of: date, previous: pd.Series | None = None
) -> None:
    """A headline figure: value, status symbol and word, change, and why it has its colour."""
    definition = METRICS[metric_key]
    value = row.get(metric_key)
    status = row.get(f"{metric_key}_status", Status.GREY)
    delta = None
    if previous is not None and value is not None and not pd.isna(value):
        before = previous.get(metric_key)
        if before is not None and not pd.isna(before):
            delta = f"{float(value) - float(before):+.1f} {t('unit.points')}"
    st.metric(
        label=f"{definition.label[language()]}",
        value=shown_value(row=row, metric_key=metric_key),
        delta=delta,
        delta_color="normal" if definition.direction.value == "higher" else "inverse",
        help=explanation(
            metric_key=metric_key,
            value=value,
            sample=row.get(f"{metric_key}_sample"),
            as_of=as_of,
        ),
    )
    if definition.has_traffic_light:
        st.caption(status_text(status))


def style_status_columns(frame: pd.DataFrame, columns: list[str]):
    """Colour the status columns of a table (the text already carries symbol and word)."""
    colours = {status_text(status): style.colour for status, style in STATUS_STYLES.items()}

    def paint(cell: object) -> str:
        colour = colours.get(str(cell))
        return f"background-color: {colour}; color: white" if colour else ""

    return frame.style.map(paint, subset=columns)


def show_explainer(*, frame: pd.DataFrame, metric_key: str, as_of: date, key: str) -> None:
    """An expander where any row's colour explains itself: rule, inputs, thresholds, date."""
    if frame.empty:
        return
    with st.expander(t("explain.title")):
        names = frame[f"name_{language()}"].astype(str).tolist()
        chosen = st.selectbox(t("explain.pick"), names, key=key)
        row = frame.iloc[names.index(chosen)]
        if metric_key == OVERALL:
            st.write(t("explain.overall", status=status_text(row["overall_status"])))
            shown = [key for key in STATUS_METRICS if f"{key}_status" in row.index]
        else:
            shown = [metric_key]
        for key in shown:
            st.write(
                f"**{METRICS[key].label[language()]}** — {status_text(row[f'{key}_status'])}. "
                + explanation(
                    metric_key=key,
                    value=row.get(key),
                    sample=row.get(f"{key}_sample"),
                    as_of=as_of,
                )
            )


# --------------------------------------------------------------------------------------------
# Digital services, the reality check, ratings & reports and the year-end outlook (issue 7).
# Imported here rather than at the top so features that append loaders never edit one line.
from data_access import outcomes  # noqa: E402
from data_access.inputs import applicable_parts  # noqa: E402
from metrics import inflation, outlook, reality  # noqa: E402
from metrics.definitions import (  # noqa: E402
    COMPLETE_PERCENT,
    CONFIDENCE_LEVEL,
    INFLATION_MIN_RATINGS,
    INFLATION_MIN_RESPONSES,
    NEAR_CEILING_SCORE,
    OUTLOOK_MIN_ELAPSED_DAYS,
    OVERSTATEMENT_MIN_CHECKS,
    OVERSTATEMENT_POINTS,
    PAPER_GREEN_RULE,
    RATING_BAND_EDGES,
    READINESS_CRITERIA,
    SURVEY_SCORES,
)

DIGITAL_PARTS = ("services", "readiness")


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def digital_scorecard(url: str, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    """Online share and commune coverage with their statuses, plus how applications were
    resolved (see metrics.reality.with_resolution_shares)."""
    parts = applicable_parts(group_by=group_by, parts=DIGITAL_PARTS)
    return reality.with_resolution_shares(frame=scorecard(url, filters, group_by, parts))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def monthly_services(url: str, filters: Filters) -> pd.DataFrame:
    monthly = _run(url, outcomes.monthly_service_counts, filters=filters)
    return reality.monthly_services(monthly=monthly)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def missing_criteria(url: str, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    by_criterion = _run(url, outcomes.readiness_by_criterion, filters=filters, group_by=group_by)
    return reality.missing_criteria(by_criterion=by_criterion)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def commune_matrix(url: str, filters: Filters) -> pd.DataFrame:
    criteria = _run(url, outcomes.commune_criteria, filters=filters)
    return reality.commune_matrix(criteria=criteria, order=READINESS_CRITERIA)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def reality_units(url: str, filters: Filters) -> pd.DataFrame:
    """Provinces and agencies green on process and red on outcomes (metrics.reality)."""
    return reality.reality_check_units(
        provinces=scorecard(url, filters, GroupBy.PROVINCE),
        agencies=scorecard(url, filters, GroupBy.AGENCY, AGENCY_PARTS),
        rule=PAPER_GREEN_RULE,
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def rating_inflation(url: str, filters: Filters, group_by: GroupBy) -> dict[str, pd.DataFrame]:
    """``summary`` (metrics.inflation.rating_inflation) and the band counts behind it,
    ``ratings`` and ``citizens``, for the distribution chart."""
    ratings = _run(
        url,
        outcomes.rating_bands,
        filters=filters,
        group_by=group_by,
        band_edges=RATING_BAND_EDGES,
        near_ceiling_score=NEAR_CEILING_SCORE,
    )
    citizens = _run(
        url, outcomes.citizen_scores, filters=filters, group_by=group_by, scores=SURVEY_SCORES
    )
    summary = inflation.rating_inflation(
        ratings=ratings,
        citizens=citizens,
        scores=SURVEY_SCORES,
        band_edges=RATING_BAND_EDGES,
        satisfied_min_score=SATISFIED_MIN_SCORE,
        confidence=CONFIDENCE_LEVEL,
        min_ratings=INFLATION_MIN_RATINGS,
        min_responses=INFLATION_MIN_RESPONSES,
    )
    return {"summary": summary, "ratings": ratings, "citizens": citizens}


def rating_distribution(*, inputs: dict[str, pd.DataFrame], group_code: str) -> pd.DataFrame:
    return inflation.distribution(
        ratings=inputs["ratings"],
        citizens=inputs["citizens"],
        group_code=group_code,
        scores=SURVEY_SCORES,
        band_edges=RATING_BAND_EDGES,
        satisfied_min_score=SATISFIED_MIN_SCORE,
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def verification(url: str, filters: Filters, group_by: GroupBy) -> pd.DataFrame:
    counts = _run(
        url,
        outcomes.verification_counts,
        filters=filters,
        group_by=group_by,
        overstatement_points=OVERSTATEMENT_POINTS,
    )
    return inflation.verification_gap(
        verification=counts,
        overstatement_points=OVERSTATEMENT_POINTS,
        min_checks=OVERSTATEMENT_MIN_CHECKS,
        confidence=CONFIDENCE_LEVEL,
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def plan_outlook(url: str, filters: Filters) -> dict[str, object]:
    """``plans`` (projection per plan), ``overall`` (all plans pooled) and ``series`` (each
    plan's month-end execution, for the chart)."""
    dates = trend.month_ends(start=filters.period_start, end=filters.effective_end)
    series = _run(
        url, outcomes.plan_progress_at_dates, filters=filters, group_by=GroupBy.PLAN, dates=dates
    )
    settings = {
        "period_start": filters.period_start,
        "period_end": filters.period_end,
        "confidence": CONFIDENCE_LEVEL,
    }
    return {
        "plans": outlook.plan_projections(series=series, **settings),
        "overall": outlook.overall_projection(series=series, **settings),
        "series": compute.plan_execution(plans=series) if not series.empty else series,
    }


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def items_at_risk(url: str, filters: Filters) -> pd.DataFrame:
    items = _run(url, outcomes.open_plan_items, filters=filters, complete_percent=COMPLETE_PERCENT)
    return outlook.items_at_risk(
        items=items,
        period_start=filters.period_start,
        as_of=filters.as_of,
        min_elapsed_days=OUTLOOK_MIN_ELAPSED_DAYS,
        complete_percent=COMPLETE_PERCENT,
    )


def show_definition_explainer(
    *, frame: pd.DataFrame, definition: MetricDefinition, as_of: date, key: str
) -> None:
    """``show_explainer`` for a definition outside METRICS: values in ``<definition.key>`` and
    ``<definition.key>_sample``."""
    if frame.empty:
        return
    with st.expander(t("explain.title")):
        names = frame[f"name_{language()}"].astype(str).tolist()
        chosen = st.selectbox(t("explain.pick"), names, key=key)
        row = frame.iloc[names.index(chosen)]
        value, sample = row.get(definition.key), row.get(f"{definition.key}_sample")
        st.write(
            explain(
                definition=definition,
                value=None if value is None or pd.isna(value) else float(value),
                sample=None if sample is None or pd.isna(sample) else float(sample),
                as_of=as_of,
            ).text(language=language())
        )


# --------------------------------------------------------------------------------------------
# The Data page, boundaries on the map and stale data (issue 4). Imported here, as above.
from data_access import freshness, geo  # noqa: E402
from data_access.imports import recent_imports  # noqa: E402
from metrics import completeness  # noqa: E402
from metrics.definitions import STALE_AFTER_DAYS  # noqa: E402


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def scorecard_with_freshness(
    url: str, filters: Filters, group_by: GroupBy, parts: tuple[str, ...] = ALL_PARTS
) -> dict[str, pd.DataFrame]:
    """``scores``: the scorecard in which stale data is never green (``<key>_stale`` flags);
    ``freshness``: per group the newest fact's date, its age and the stale kinds of facts."""
    latest = _run(url, freshness.latest_fact_dates, filters=filters, group_by=group_by)
    rules = {"as_of": filters.as_of, "stale_after_days": STALE_AFTER_DAYS}
    scores = compute.scorecard(
        as_of=filters.as_of,
        stale_groups=completeness.stale_groups(latest=latest, **rules),
        **_inputs(url, filters, group_by, parts),
    )
    return {
        "scores": _published(_coloured(scores, url=url), scope=filters.scope),
        "freshness": completeness.freshness_table(latest=latest, **rules),
    }


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def unit_shapes(url: str, level: int, parent_code: str | None) -> dict[str, dict]:
    """Stored boundaries (GeoJSON geometry by unit code) of one level, or of one province."""
    return _run(url, geo.unit_geometries, level=level, parent_code=parent_code)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def all_units(url: str) -> pd.DataFrame:
    return _run(url, geo.all_units)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def reporting(url: str, filters: Filters, period: completeness.ReportingPeriod) -> pd.DataFrame:
    """Every agency's reporting status for ``period`` (see metrics.completeness)."""
    agencies = _run(
        url,
        freshness.reporting_inputs,
        period_start=period.start,
        period_end=period.end,
        as_of=filters.as_of,
        filters=filters,
    )
    return completeness.reporting_table(agencies=agencies, period=period, as_of=filters.as_of)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def import_history(url: str, limit: int) -> pd.DataFrame:
    return _run(url, recent_imports, limit=limit)


def refresh_figures() -> None:
    """After an import: every cached figure is read again from the database."""
    st.cache_data.clear()
