"""AppTests for digital services, the reality check, ratings & reports and the year-end outlook:
on the small demo dataset (they run and react to filters), on the hand-made reality dataset
(they show the hand-worked figures), and the planted stories of the default demo dataset."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from data_access import outcomes
from data_access.db import get_engine
from data_access.filters import Filters, GroupBy
from data_access.inputs import PARTS, collect_inputs
from data_access.migrate import upgrade_to_head
from data_access.scope import FULL_SCOPE
from metrics import compute, inflation, reality
from metrics.definitions import (
    CONFIDENCE_LEVEL,
    METRICS,
    OVERSTATEMENT_MIN_CHECKS,
    OVERSTATEMENT_POINTS,
    PAPER_GREEN_RULE,
    QUERY_RULES,
)
from metrics.i18n import translate
from tests import reality_dataset
from tests.conftest import PROJECT_ROOT
from tests.sign_in import sign_in
from tests.test_pages import run_like_streamlit_run

APP = str(PROJECT_ROOT / "app.py")
PAGES = [
    "pages/digital_services.py",
    "pages/reality_check.py",
    "pages/integrity.py",
    "pages/outlook.py",
]


@pytest.fixture(scope="module")
def reality_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('reality-app') / 'reality.sqlite3'}"
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        reality_dataset.load(connection)
    return url


def _app(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    run_like_streamlit_run(monkeypatch)
    return sign_in(AppTest.from_file(APP, default_timeout=120))


@pytest.fixture
def demo_app(small_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return _app(small_demo_url, monkeypatch)


@pytest.fixture
def reality_app(reality_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return _app(reality_sqlite_url, monkeypatch)


def _open(app: AppTest, page: str, *, language: str = "mn") -> AppTest:
    app.run()
    assert not app.exception, app.exception
    app.switch_page(page)
    app.run()
    if language != "mn":
        app.sidebar.radio(key="language").set_value(language)
        app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def _figures(app: AppTest) -> list[str]:
    shown = [f"{metric.label}={metric.value}" for metric in app.metric]
    shown += [frame.value.to_csv() for frame in app.dataframe]
    return shown


def _texts(app: AppTest) -> str:
    parts = [element.value for element in (*app.info, *app.warning, *app.markdown, *app.caption)]
    return "\n".join(str(part) for part in parts)


# --- every page on the small demo dataset -------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_figures_from_the_database(demo_app: AppTest, page: str):
    _open(demo_app, page)
    assert demo_app.title[0].value
    assert demo_app.dataframe and demo_app.metric
    assert any(any(character.isdigit() for character in shown) for shown in _figures(demo_app))
    assert "Жишээ" in demo_app.warning[0].value


@pytest.mark.parametrize(("widget", "value"), [("province_mn", "11"), ("period", "2024")])
@pytest.mark.parametrize("page", PAGES)
def test_changing_a_filter_changes_a_figure(demo_app: AppTest, page: str, widget: str, value: str):
    _open(demo_app, page)
    before = _figures(demo_app)
    demo_app.sidebar.selectbox(key=widget).set_value(value)
    demo_app.run()
    assert not demo_app.exception, [exception.value for exception in demo_app.exception]
    assert _figures(demo_app) != before


@pytest.mark.parametrize("page", PAGES)
def test_page_speaks_english(demo_app: AppTest, page: str):
    _open(demo_app, page, language="en")
    assert demo_app.title[0].value in {
        "Digital services",
        "Reality check",
        "Ratings & reports",
        "Year-end outlook",
    }


def test_map_colours_provinces_by_commune_coverage(demo_app: AppTest):
    _open(demo_app, "pages/map.py")
    demo_app.selectbox(key="map_metric").set_value("commune_coverage")
    demo_app.run()
    assert not demo_app.exception
    table = demo_app.dataframe[0].value
    coverage = METRICS["commune_coverage"]
    assert coverage.label["mn"] in table.columns
    assert coverage.sample_label["mn"] in table.columns
    statuses = set(table[translate("col.status", language="mn")])
    assert statuses & {"● ногоон", "▲ шар", "■ улаан"}
    assert table[coverage.label["mn"]].str.endswith("%").all()


# --- the hand-made dataset: the figures worked by hand -----------------------------------------


def test_reality_check_shows_the_paper_green_units_with_evidence(reality_app: AppTest):
    _open(reality_app, "pages/reality_check.py", language="en")
    paper = reality_app.dataframe[0].value
    assert list(paper["Name"]) == ["Paperland", "Paperland Governor's Office", "Paper Agency"]
    assert list(paper["Mismatch (pts)"]) == [173.0, 133.0, 93.0]
    first = paper.iloc[0]
    assert first["Plan execution"] == "100.0 % ● green"
    assert first["On-time rate"] == "100.0 % ● green"
    assert first["Citizen satisfaction"] == "30.0 % ■ red"
    assert first["Online applications"] == "20.0 % ■ red"
    assert first["Commune readiness coverage"] == "50.0 % ■ red"
    watch = reality_app.dataframe[1].value
    assert list(watch["Name"]) == ["Mixedland", "Mixedland Governor's Office"]
    evidence = [expander.label for expander in reality_app.expander]
    assert "Evidence: Paperland (Province), mismatch 173.0 pts" in evidence
    texts = _texts(reality_app)
    assert "Citizen satisfaction: 30.0 % (responses: 30)" in texts
    assert "Status: red." in texts and "Status: green." in texts
    closing = reality_app.info[-1].value
    assert "3 paper-green units" in closing
    assert "Paperland; Paperland Governor's Office; Paper Agency" in closing
    assert [metric.value for metric in reality_app.metric] == ["1", "2", "2"]


def test_overview_links_to_the_reality_check_with_the_count(reality_app: AppTest):
    _open(reality_app, "pages/overview.py", language="en")
    links = reality_app.get("page_link")
    labels = [link.proto.label for link in links]
    assert any("3 paper-green units (1 provinces, 2 agencies)" in label for label in labels)


def test_digital_services_shows_coverage_and_missing_criteria(reality_app: AppTest):
    _open(reality_app, "pages/digital_services.py", language="en")
    coverage = next(
        frame.value for frame in reality_app.dataframe if "Green communes" in frame.value.columns
    )
    rows = coverage.set_index("Name")
    # Slowland 0 of 2, Paperland 1 of 2, Trueland 1 of 1.
    assert rows.loc["Slowland", "Commune readiness coverage"] == "0.0 %"
    assert rows.loc["Paperland", "Commune readiness coverage"] == "50.0 %"
    assert rows.loc["Paperland", "Status"] == "■ red"
    assert rows.loc["Trueland", "Commune readiness coverage"] == "100.0 %"
    assert rows.loc["Trueland", "Status"] == "● green"
    provinces = reality_app.dataframe[0].value.set_index("Name")
    assert provinces.loc["Paperland", "Online applications"] == "20.0 % ■ red"
    assert provinces.loc["Paperland", "Results returned online"] == "10.0 %"


def test_integrity_names_the_overstating_agency(reality_app: AppTest):
    _open(reality_app, "pages/integrity.py", language="en")
    assert any("1 agencies overstate" in warning.value for warning in reality_app.warning)
    assert any("Checked Agency" in warning.value for warning in reality_app.warning)


def test_outlook_lists_the_items_that_will_miss(reality_app: AppTest):
    _open(reality_app, "pages/outlook.py", language="en")
    listing = reality_app.dataframe[-1].value
    assert list(listing["Code"]) == ["IV3", "R3", "R1"]
    assert reality_app.metric[3].value == "3"


# --- the planted stories of the default demo dataset ---------------------------------------------

YEAR_2024 = Filters(
    scope=FULL_SCOPE,
    period_start=date(2024, 1, 1),
    period_end=date(2024, 12, 31),
    as_of=date(2024, 12, 31),
)
LATEST = Filters(
    scope=FULL_SCOPE,
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
    as_of=date(2025, 11, 30),
)


def _units(url: str, filters: Filters):
    cards = {}
    with get_engine(url).connect() as connection:
        for name, group_by, parts in (
            ("provinces", GroupBy.PROVINCE, PARTS),
            ("agencies", GroupBy.AGENCY, ("tasks", "plans", "ratings", "satisfaction", "services")),
        ):
            inputs = collect_inputs(
                connection=connection,
                filters=filters,
                group_by=group_by,
                parts=parts,
                **QUERY_RULES,
            )
            cards[name] = compute.scorecard(as_of=filters.as_of, **inputs)
    return reality.reality_check_units(**cards, rule=PAPER_GREEN_RULE)


@pytest.mark.slow
@pytest.mark.parametrize("filters", [YEAR_2024, LATEST], ids=["2024", "latest"])
def test_reality_check_finds_the_planted_paper_green_units(default_demo_url, filters):
    units = _units(default_demo_url, filters)
    paper = units[units["paper_green"].astype(bool)]
    # Dornogovi and Orkhon, their governors' offices that serve them, and State Registration.
    assert set(paper.loc[paper["kind"] == "province", "group_code"]) == {"44", "61"}
    assert set(paper.loc[paper["kind"] == "agency", "group_code"]) == {
        "AG-003",
        "GOV-44",
        "GOV-61",
    }
    assert list(paper["group_code"][:2]) == ["44", "61"]  # the largest mismatches


@pytest.mark.slow
@pytest.mark.parametrize("filters", [YEAR_2024, LATEST], ids=["2024", "latest"])
def test_verification_finds_the_planted_overstating_agencies(default_demo_url, filters):
    with get_engine(default_demo_url).connect() as connection:
        counts = outcomes.verification_counts(
            connection=connection,
            filters=filters,
            group_by=GroupBy.AGENCY,
            overstatement_points=OVERSTATEMENT_POINTS,
        )
    checked = inflation.verification_gap(
        verification=counts,
        overstatement_points=OVERSTATEMENT_POINTS,
        min_checks=OVERSTATEMENT_MIN_CHECKS,
        confidence=CONFIDENCE_LEVEL,
    )
    assert set(checked.loc[checked["overstates"], "group_code"]) == {
        "AG-009",
        "AG-010",
        "AG-017",
        "AG-022",
        "AG-035",
    }
