"""Press room in AppTest: ready charts, editable titles, and every download button clickable."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from data_access import accounts
from data_access.db import get_engine
from tests.sign_in import DEMO_USERS, sign_in
from tests.test_pages import APP, run_like_streamlit_run
from tests.test_table_exports import Downloads, record_downloads


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    return record_downloads(monkeypatch)


@pytest.fixture
def press_room(
    small_demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: Downloads
) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", small_demo_url)
    run_like_streamlit_run(monkeypatch)
    app = sign_in(AppTest.from_file(APP, default_timeout=120), role="press")
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
        formats = ("png", "svg", "pdf", "csv", "xlsx")
        assert {f"press_download_{chart}_{fmt}" for fmt in formats} <= keys
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


def test_the_zip_and_the_briefing_are_made_on_click_and_audited(
    press_room: AppTest, downloads: Downloads, small_demo_url: str
):
    started = datetime.now()
    archive = zipfile.ZipFile(io.BytesIO(downloads.makers["press_zip"]()))
    names = archive.namelist()
    assert len(names) == 5 * 4
    headline = next(name for name in names if name.startswith("01-") and name.endswith(".csv"))
    rows = list(csv.reader(io.StringIO(archive.read(headline).decode("utf-8-sig"))))
    values = [row[1] for row in rows[rows.index([]) + 2 :]]
    assert len(values) == 5 and all(float(value) >= 0 for value in values)
    assert downloads.makers["press_briefing"]().startswith(b"%PDF-")
    with get_engine(small_demo_url).connect() as connection:
        lines = accounts.audit_entries(
            connection, since=started, action="export", username="press", limit=100
        )
    made = {downloads.file_names["press_zip"], downloads.file_names["press_briefing"]}
    assert made <= set(lines["detail"])
    assert set(lines["username"]) == {DEMO_USERS["press"].username}
