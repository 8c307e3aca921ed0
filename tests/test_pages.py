"""An AppTest for every page on the small demo dataset: it runs, shows figures from the
database, and changing a filter changes a figure."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data_access import queries
from data_access.db import get_engine
from tests.conftest import PROJECT_ROOT

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
    return AppTest.from_file(APP, default_timeout=120)


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


@pytest.mark.parametrize("page", PAGES)
def test_changing_the_province_changes_a_figure(app: AppTest, page: str):
    _open(app, page)
    before = _figures(app)
    app.sidebar.selectbox(key="province").set_value("11")
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    assert _figures(app) != before


@pytest.mark.parametrize("page", PAGES)
def test_changing_the_year_changes_a_figure(app: AppTest, page: str):
    _open(app, page)
    before = _figures(app)
    app.sidebar.selectbox(key="period").set_value("2024")
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    assert _figures(app) != before


def test_language_switch_translates_the_page(app: AppTest):
    _open(app, "pages/overview.py")
    app.sidebar.radio(key="language").set_value("en")
    app.run()
    assert app.title[0].value == "Overview"
    app.sidebar.radio(key="language").set_value("mn")
    app.run()
    assert app.title[0].value == "Тойм"


def test_map_drills_down_to_the_districts_of_a_province(app: AppTest, small_demo_url: str):
    _open(app, "pages/map.py")
    assert len(app.dataframe) == 1
    assert len(app.dataframe[0].value) == 22
    app.selectbox(key="map_province").set_value("65")
    app.run()
    assert not app.exception
    with get_engine(small_demo_url).connect() as connection:
        soums = queries.units_under(connection=connection, parent_code="65")
    districts = app.dataframe[1].value
    assert sorted(districts.iloc[:, 0]) == sorted(soums["name_mn"])


def test_tasks_page_lists_overdue_cards(app: AppTest):
    _open(app, "pages/tasks.py")
    listing = app.dataframe[-1].value
    assert len(listing) > 0
    assert (listing.iloc[:, -1] > 0).all()
