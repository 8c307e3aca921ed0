"""Administrators' traffic-light thresholds: validated by the metrics layer, stored and audited
by data_access, applied to every scorecard the pages read, changed on the Data page."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.db import get_engine
from data_access.migrate import upgrade_to_head
from data_access.thresholds import reset_thresholds, set_thresholds, threshold_overrides
from metrics.compute import with_thresholds
from metrics.definitions import METRICS, effective_metrics
from tests.conftest import BACKENDS, backend_url
from tests.sign_in import sign_in
from tests.test_pages import APP, run_like_streamlit_run


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"on_time_rate": (80.0, 90.0)}, "wrong order"),  # higher is better: green ≥ yellow
        ({"overdue_share": (20.0, 10.0)}, "wrong order"),  # lower is better: green ≤ yellow
        ({"self_rating": (90.0, 80.0)}, "no traffic light"),
        ({"no_such_metric": (1.0, 0.0)}, "no traffic light"),
    ],
)
def test_a_contradictory_pair_is_refused(overrides, problem):
    with pytest.raises(ValueError, match=problem):
        effective_metrics(overrides=overrides)


def test_no_override_gives_the_defaults():
    assert effective_metrics(overrides={}) == METRICS


def _scorecard(*, value: float, sample: int, stale: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_code": ["A"],
            "on_time_rate": [value],
            "on_time_rate_sample": [sample],
            "on_time_rate_status": ["yellow"],
            "on_time_rate_stale": [stale],
            "overall_status": ["yellow"],
            "red_count": [0],
            "yellow_count": [1],
            "green_count": [0],
            "grey_count": [0],
        }
    )


@pytest.mark.parametrize(
    ("value", "sample", "stale", "green", "yellow", "status"),
    [
        (90.0, 100, False, 95.0, 85.0, "yellow"),  # the defaults
        (90.0, 100, False, 90.0, 80.0, "green"),  # exactly on the new green threshold
        (89.9, 100, False, 90.0, 80.0, "yellow"),
        (79.9, 100, False, 90.0, 80.0, "red"),
        (90.0, 100, True, 90.0, 80.0, "grey"),  # stale data is never green, whatever the bar
        (79.9, 100, True, 90.0, 80.0, "red"),  # but stale red stays red
        (99.0, 9, False, 90.0, 80.0, "grey"),  # below the minimum sample
    ],
)
def test_new_thresholds_recolour_a_scorecard(value, sample, stale, green, yellow, status):
    definitions = effective_metrics(overrides={"on_time_rate": (green, yellow)})
    frame = with_thresholds(
        frame=_scorecard(value=value, sample=sample, stale=stale), definitions=definitions
    )
    assert frame["on_time_rate_status"].tolist() == [status]
    assert frame["overall_status"].tolist() == [status]
    assert frame[f"{status}_count"].tolist() == [1]


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path_factory) -> str:
    url = backend_url(
        request=request, backend=request.param, name="thresholds", folder=tmp_path_factory
    )
    upgrade_to_head(database_url=url)
    return url


def test_thresholds_are_stored_reset_and_audited(empty_url):
    now = datetime(2025, 11, 30, 9, 0)
    with get_engine(empty_url).begin() as connection:
        assert threshold_overrides(connection) == {}
        set_thresholds(
            connection, metric_key="gap", green=30.0, yellow=40.0, actor="chief", now=now
        )
        set_thresholds(
            connection, metric_key="gap", green=33.0, yellow=44.0, actor="chief", now=now
        )
        assert threshold_overrides(connection) == {"gap": (33.0, 44.0)}
        reset_thresholds(connection, metric_key="gap", actor="chief", now=now)
        assert threshold_overrides(connection) == {}
        log = schema.audit_log
        details = connection.execute(
            select(log.c.username, log.c.detail).where(log.c.action == "thresholds")
        ).all()
    assert details == [
        ("chief", "gap: green/yellow default -> 30/40"),
        ("chief", "gap: green/yellow 30/40 -> 33/44"),
        ("chief", "gap: back to the default thresholds"),
    ]


def _admin_app(*, tmp_path, source_url: str, monkeypatch) -> tuple[str, AppTest]:
    """An administrator's AppTest on a copy of the small demo (thresholds are changed)."""
    copy = tmp_path / "demo.sqlite3"
    with get_engine(source_url).connect() as source:
        source.exec_driver_sql(f"VACUUM INTO '{copy}'")
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    run_like_streamlit_run(monkeypatch)
    app = sign_in(AppTest.from_file(APP, default_timeout=120), role="admin")
    app.session_state["language"] = "en"
    app.run()
    return url, app


def test_an_administrator_changes_a_threshold_and_every_page_follows(
    tmp_path, small_demo_url, monkeypatch
):
    url, app = _admin_app(tmp_path=tmp_path, source_url=small_demo_url, monkeypatch=monkeypatch)
    before = [caption.value for caption in app.caption]
    app.switch_page("pages/data.py")
    app.run()
    app.selectbox(key="threshold_metric_en").set_value("on_time_rate")
    app.run()
    # Nothing can be late enough to miss a 0 % bar: every on-time rate with a sample is green.
    app.number_input(key="green_on_time_rate").set_value(0.0)
    app.number_input(key="yellow_on_time_rate").set_value(0.0)
    next(button for button in app.button if button.label == "Save the thresholds").click()
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    assert any("New thresholds" in message.value for message in app.success)
    app.switch_page("pages/overview.py")
    app.run()
    after = [caption.value for caption in app.caption]
    assert after != before
    with get_engine(url).connect() as connection:
        assert threshold_overrides(connection) == {"on_time_rate": (0.0, 0.0)}
        audited = (
            connection.execute(
                select(schema.audit_log.c.username).where(schema.audit_log.c.action == "thresholds")
            )
            .scalars()
            .all()
        )
    assert audited == ["admin"]


def test_a_wrong_order_is_refused_on_the_page_and_nothing_is_stored(
    tmp_path, small_demo_url, monkeypatch
):
    url, app = _admin_app(tmp_path=tmp_path, source_url=small_demo_url, monkeypatch=monkeypatch)
    app.switch_page("pages/data.py")
    app.run()
    app.selectbox(key="threshold_metric_en").set_value("overdue_share")
    app.run()
    app.number_input(key="green_overdue_share").set_value(20.0)
    app.number_input(key="yellow_overdue_share").set_value(10.0)
    next(button for button in app.button if button.label == "Save the thresholds").click()
    app.run()
    assert any("wrong order" in message.value for message in app.error)
    with get_engine(url).connect() as connection:
        assert threshold_overrides(connection) == {}
