"""Press room in AppTest: ready charts, editable titles, and every download button clickable."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import APP, run_like_streamlit_run


@pytest.fixture
def press_room(small_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", small_demo_url)
    run_like_streamlit_run(monkeypatch)
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("pages/press_room.py")
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def test_press_room_offers_five_stamped_charts(press_room: AppTest):
    titles = [box.value for box in press_room.text_input]
    assert len(titles) == 5
    assert titles[0] == "Гол үзүүлэлтүүд"
    keys = {button.key for button in press_room.get("download_button")}
    for chart in ("headline", "map", "gap", "overdue", "ministries"):
        assert {f"press_download_{chart}_{fmt}" for fmt in ("png", "svg", "pdf")} <= keys
    assert {"press_zip", "press_briefing"} <= keys


def test_every_press_download_button_can_be_clicked(press_room: AppTest):
    for button in press_room.get("download_button"):
        button.click()
        press_room.run()
        assert not press_room.exception, button.key


def test_editing_a_title_keeps_the_page_working(press_room: AppTest):
    press_room.text_input(key="press_title_map").set_value("Аймгийн төлөвлөгөөний биелэлт")
    press_room.text_area(key="press_caption_map").set_value("Эх: ЗГХЭГ")
    press_room.run()
    assert not press_room.exception
    assert press_room.text_input(key="press_title_map").value == "Аймгийн төлөвлөгөөний биелэлт"
