"""An AppTest for every page on the small demo dataset: it runs, shows figures from the
database, and changing a filter changes a figure."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from data_access import queries
from data_access.db import get_engine
from data_access.scope import FULL_SCOPE
from tests.conftest import PROJECT_ROOT
from tests.sign_in import sign_in

APP = str(PROJECT_ROOT / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/map.py",
    "pages/agencies.py",
    "pages/plans.py",
    "pages/tasks.py",
    "pages/satisfaction_gap.py",
]


@pytest.fixture
def app(small_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", small_demo_url)
    run_like_streamlit_run(monkeypatch)
    return sign_in(AppTest.from_file(APP, default_timeout=120))


def run_like_streamlit_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets ``PagesManager.uses_pages_directory`` before every run, so with a pages/
    folder a switched-to page runs the legacy way, without app.py. ``streamlit run`` clears the
    flag at the first ``st.navigation`` call and keeps it cleared; do the same here."""
    original = PagesManager.__init__

    def init(self, *arguments, **keywords):
        original(self, *arguments, **keywords)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _open(app: AppTest, page: str) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    app.switch_page(page)
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def _figures(app: AppTest) -> list[str]:
    """What the page shows as numbers: metric tiles and every table's content."""
    shown = [f"{metric.label}={metric.value}" for metric in app.metric]
    shown += [frame.value.to_csv() for frame in app.dataframe]
    return shown


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_figures_from_the_database(app: AppTest, page: str):
    _open(app, page)
    assert app.title[0].value
    assert app.dataframe or app.metric
    assert any(any(character.isdigit() for character in figure) for figure in _figures(app))
    assert "Synthetic demo data" in app.warning[0].value or "Жишээ" in app.warning[0].value


@pytest.mark.parametrize(("widget", "value"), [("province_mn", "11"), ("period", "2024")])
@pytest.mark.parametrize("page", PAGES)
def test_changing_a_filter_changes_a_figure(app: AppTest, page: str, widget: str, value: str):
    _open(app, page)
    before = _figures(app)
    app.sidebar.selectbox(key=widget).set_value(value)
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    assert _figures(app) != before


def test_language_switch_translates_the_page_and_keeps_the_filters(app: AppTest):
    _open(app, "pages/overview.py")
    assert app.title[0].value == "Тойм"
    app.sidebar.selectbox(key="province_mn").set_value("65")
    app.run()
    app.sidebar.radio(key="language").set_value("en")
    app.run()
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert app.sidebar.selectbox(key="province_en").label == "Province"
    assert app.sidebar.selectbox(key="province_en").value == "65"
    assert "Synthetic demo data" in app.warning[0].value


def test_english_names_follow_the_language(app: AppTest):
    _open(app, "pages/map.py")
    app.sidebar.radio(key="language").set_value("en")
    app.run()
    names = set(app.dataframe[0].value.iloc[:, 0])
    assert {"Ulaanbaatar", "Khovd", "Govisumber"} <= names


def test_map_drills_down_to_the_districts_of_a_province(app: AppTest, small_demo_url: str):
    _open(app, "pages/map.py")
    assert len(app.dataframe) == 1
    assert len(app.dataframe[0].value) == 22
    app.selectbox(key="map_province").set_value("65")
    app.run()
    assert not app.exception
    with get_engine(small_demo_url).connect() as connection:
        soums = queries.units_under(connection=connection, parent_code="65", scope=FULL_SCOPE)
    districts = app.dataframe[1].value
    assert sorted(districts.iloc[:, 0]) == sorted(soums["name_mn"])


def test_tasks_page_lists_overdue_cards(app: AppTest):
    _open(app, "pages/tasks.py")
    listing = app.dataframe[-1].value
    assert len(listing) > 0
    assert (listing.iloc[:, -1] > 0).all()


@pytest.mark.parametrize("page", ["pages/agencies.py", "pages/map.py"])
def test_language_switch_then_another_page_keeps_filters_and_data(app: AppTest, page: str):
    _open(app, "pages/overview.py")
    app.sidebar.selectbox(key="province_mn").set_value("65")
    app.run()
    app.sidebar.radio(key="language").set_value("en")
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    province = app.sidebar.selectbox(key="province_en")
    assert (province.label, province.value) == ("Province", "65")
    assert any(not frame.value.empty for frame in app.dataframe)
