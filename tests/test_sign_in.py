"""Sign-in through the form, for every demo role: what each role may open and see, lock-out,
disabled accounts, idle expiry, sign-out, press suppression, and a regional office that tries
to reach another province by widget state, session state or URL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import accounts, schema
from data_access.accounts import DEMO_PASSWORD, DEMO_REGIONAL_PROVINCE
from data_access.db import get_engine
from data_access.settings import security_settings
from pages.auth import LAST_SEEN_KEY
from pages.common import FILTERS_KEY, USER_KEY
from tests.sign_in import sign_in
from tests.test_pages import APP, run_like_streamlit_run

ALL_PAGES = {
    "overview", "map", "agencies", "plans", "tasks", "satisfaction_gap", "digital_services",
    "reality_check", "integrity", "outlook", "press_room", "data",
}  # fmt: skip
PRESS_PAGES = {
    "overview", "map", "agencies", "plans", "satisfaction_gap", "digital_services", "press_room",
}  # fmt: skip


@pytest.fixture
def app(small_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", small_demo_url)
    run_like_streamlit_run(monkeypatch)
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["language"] = "en"
    return app


@pytest.fixture
def fresh_demo_url(tmp_path, small_demo_url: str) -> str:
    """A copy of the small demo, for tests that change accounts or fill the audit log."""
    copy = tmp_path / "demo.sqlite3"
    with get_engine(small_demo_url).connect() as source:
        source.exec_driver_sql(f"VACUUM INTO '{copy}'")
    return f"sqlite:///{copy}"


def _submit(app: AppTest, *, username: str, password: str) -> AppTest:
    app.text_input(key="sign_in_username").input(username)
    app.text_input(key="sign_in_password").input(password)
    app.button[0].click()
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def _registered_pages(app: AppTest) -> set[str]:
    """The pages the navigation offers (AppTest.switch_page knows only registered ones)."""
    registered = set()
    for page in ALL_PAGES:
        try:
            app.switch_page(f"pages/{page}.py")
        except ValueError:
            continue
        registered.add(page)
    return registered


def _audit(url: str, username: str) -> list[str]:
    log = schema.audit_log
    with get_engine(url).connect() as connection:
        return list(
            connection.execute(
                select(log.c.action).where(log.c.username == username).order_by(log.c.id)
            ).scalars()
        )


def test_an_anonymous_visitor_sees_the_sign_in_form_and_nothing_else(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Sign in"
    assert not app.metric and not app.dataframe
    assert _registered_pages(app) == set()
    assert "`leader`" in app.info[0].value and DEMO_PASSWORD in app.info[0].value


def test_a_database_without_demo_data_lists_no_demo_account(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    run_like_streamlit_run(monkeypatch)
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception
    assert app.text_input(key="sign_in_password")
    assert not app.info
    _submit(app, username="leader", password=DEMO_PASSWORD)
    assert app.error and not app.metric


@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("leader", ALL_PAGES - {"data"}),
        ("regional", ALL_PAGES - {"data"}),
        ("press", PRESS_PAGES),
        ("admin", ALL_PAGES),
    ],
)
def test_each_demo_role_signs_in_and_gets_its_pages(app, username, pages):
    app.run()
    _submit(app, username=username, password=DEMO_PASSWORD)
    assert app.title[0].value == "Overview"
    assert app.metric, "the overview shows its figures"
    assert any(username in caption.value or "Demo" in caption.value for caption in app.caption)
    assert _registered_pages(app) == pages


def test_a_wrong_password_is_refused_and_audited(app, fresh_demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_demo_url)
    app.run()
    _submit(app, username="leader", password="not the password")
    assert app.error[0].value == "Wrong user name or password."
    assert not app.metric and _registered_pages(app) == set()
    assert _audit(fresh_demo_url, "leader")[-1] == "sign_in_failed"


def test_a_locked_account_is_refused_even_with_the_right_password(app, fresh_demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_demo_url)
    app.run()
    for _ in range(security_settings().lock_after_failures):
        _submit(app, username="regional", password="guessing-again")
    assert "locked" in app.error[0].value
    _submit(app, username="regional", password=DEMO_PASSWORD)
    assert "locked" in app.error[0].value
    assert not app.metric and _registered_pages(app) == set()
    assert _audit(fresh_demo_url, "regional")[-1] == "sign_in_locked"


def test_a_disabled_account_cannot_sign_in(app, fresh_demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_demo_url)
    with get_engine(fresh_demo_url).begin() as connection:
        accounts.disable_user(connection, username="press", now=datetime.now(), actor="test")
    app.run()
    _submit(app, username="press", password=DEMO_PASSWORD)
    assert app.error[0].value == "This account is disabled. Ask an administrator."
    assert _registered_pages(app) == set()


def test_an_idle_session_expires(app, fresh_demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_demo_url)
    app.run()
    _submit(app, username="leader", password=DEMO_PASSWORD)
    idle = timedelta(minutes=security_settings().idle_minutes, seconds=1)
    app.session_state[LAST_SEEN_KEY] = datetime.now() - idle
    app.run()
    assert app.title[0].value == "Sign in"
    assert "ended" in app.info[0].value
    assert FILTERS_KEY not in app.session_state and USER_KEY not in app.session_state
    assert _audit(fresh_demo_url, "leader")[-1] == "session_expired"


def test_signing_out_forgets_the_session(app, fresh_demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_demo_url)
    app.run()
    _submit(app, username="leader", password=DEMO_PASSWORD)
    app.sidebar.button(key="sign_out").click()
    app.run()
    assert app.title[0].value == "Sign in"
    assert _registered_pages(app) == set()
    assert _audit(fresh_demo_url, "leader")[-2:] == ["sign_in", "sign_out"]


def _overview_figures(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_a_regional_office_sees_its_own_province_and_cannot_reach_another(app):
    leader = sign_in(app)
    leader.run()
    leader.sidebar.selectbox(key="province_en").set_value(DEMO_REGIONAL_PROVINCE)
    leader.run()
    own_province = _overview_figures(leader)
    leader.sidebar.selectbox(key="province_en").set_value("11")
    leader.run()
    assert _overview_figures(leader) != own_province, "the comparison must be able to fail"

    regional = sign_in(AppTest.from_file(APP, default_timeout=120), role="regional")
    regional.session_state["language"] = "en"
    regional.run()
    assert regional.sidebar.selectbox(key="province_en").options == ["All", "Arkhangai"]
    assert _overview_figures(regional) == own_province
    # A crafted remembered choice, a crafted widget value and a URL parameter: all ignored.
    regional.session_state["province_code"] = "11"
    regional.query_params["province"] = "11"
    regional.run()
    assert _overview_figures(regional) == own_province
    assert regional.session_state[FILTERS_KEY].scope.province_code == DEMO_REGIONAL_PROVINCE
    regional.sidebar.selectbox(key="province_en").set_value("11")
    regional.run()
    assert _overview_figures(regional) == own_province


def test_press_figures_under_k_observations_are_suppressed(app, monkeypatch):
    press = sign_in(app, role="press")
    press.run()
    shown = _overview_figures(press)
    assert any(any(character.isdigit() for character in value) for value in shown.values())
    assert not any("suppressed" in value for value in shown.values())
    monkeypatch.setenv("OVERSIGHT_PRESS_MIN_OBSERVATIONS", "100000000")
    st.cache_data.clear()  # the figures were cached with the k of the first run
    again = sign_in(AppTest.from_file(APP, default_timeout=120), role="press")
    again.session_state["language"] = "en"
    again.run()
    suppressed = _overview_figures(again)
    assert suppressed and all(
        value.startswith("suppressed (fewer than 100000000)") for value in suppressed.values()
    )
    # The same threshold does nothing to leadership: suppression is for the press only.
    leader = sign_in(AppTest.from_file(APP, default_timeout=120))
    leader.session_state["language"] = "en"
    leader.run()
    assert _overview_figures(leader) == shown
