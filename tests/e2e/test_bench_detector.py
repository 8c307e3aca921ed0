"""The "page drawn" detector of scripts/bench_browser.py, on the small demo in a real browser:
it waits for the page it was armed for and for every chart of it, and never fires without a
navigation; and the benchmark's websocket client signs in and runs every page. No timings."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import PROJECT_ROOT


def _load_bench():
    spec = importlib.util.spec_from_file_location(
        "bench_browser", PROJECT_ROOT / "scripts" / "bench_browser.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
PAGES = bench.page_names()
LEADER_PAGES = [name for name in PAGES if name != "data"]
# What each page must show once drawn, at least (small demo, default filters, leadership).
AT_LEAST = {
    "overview": {"plotly": 1, "dataframe": 1},
    "map": {"deck": 1},
    "agencies": {"plotly": 1},
    "tasks": {"plotly": 1, "dataframe": 1},
    "digital_services": {"plotly": 1, "deck": 1},
    "press_room": {"plotly": 5},
}
# Checked by Playwright itself once the detector has fired: nothing is left to draw.
NOTHING_LEFT = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const undrawn = [
    ['[data-testid="stPlotlyChart"]', '.main-svg'],
    ['[data-testid="stDeckGlJsonChart"]', 'canvas'],
    ['[data-testid="stDataFrame"]', 'canvas'],
  ].flatMap(([chart, part]) => [...document.querySelectorAll(chart)]
      .filter((element) => element.checkVisibility() && !element.querySelector(part)));
  return {
    state: app.getAttribute('data-test-script-state'),
    stale: document.querySelectorAll('[data-stale="true"]').length,
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
    undrawn: undrawn.length,
  };
}"""


@pytest.fixture(scope="module")
def session(browser, server_url: str):
    """One signed-in leadership session for the module (signs in only if a form is shown)."""
    context = browser.new_context(viewport=bench.VIEWPORT)
    bench.install_probe(context)
    page = context.new_page()
    page.goto(server_url)
    first = bench.wait_until_drawn(page, timeout_ms=60_000)
    landing = bench.sign_in(page, username="leader")
    yield {"page": page, "first": first, "landing": landing}
    context.close()


@pytest.mark.browser
def test_the_first_load_counts_from_the_start_of_navigation(session):
    first = session["first"]
    assert first["ms"] > 0
    assert first["finishedMs"] is not None and first["finishedMs"] <= first["ms"]
    assert first["exceptions"] == 0
    # Signed in now (or there was no form): sign_in does nothing on a page without the form.
    assert bench.sign_in(session["page"], username="leader") is None


@pytest.mark.browser
@pytest.mark.parametrize("name", LEADER_PAGES)
def test_the_detector_fires_for_the_page_it_was_armed_for_once_all_is_drawn(session, name):
    page = session["page"]
    links = bench.nav_links(page)
    label = page.locator(links[name]).inner_text()
    bench.click_and_time(page, selector=links[name])
    result = bench.wait_until_drawn(page, timeout_ms=60_000)
    assert result["path"].rstrip("/").rsplit("/", 1)[-1] == ("" if name == PAGES[0] else name)
    assert result["title"] in label  # the new page's title, not the previous page's
    assert result["exceptions"] == 0
    assert 0 <= result["finishedMs"] <= result["ms"]
    for kind, least in AT_LEAST.get(name, {}).items():
        assert result[kind] >= least, kind
    assert page.evaluate(NOTHING_LEFT) == {
        "state": "notRunning",
        "stale": 0,
        "skeletons": 0,
        "undrawn": 0,
    }


@pytest.mark.browser
def test_the_detector_does_not_fire_without_a_navigation(session):
    page = session["page"]
    page.evaluate("() => window.__bench.expect(performance.now())")
    with pytest.raises(PlaywrightTimeoutError):
        bench.wait_until_drawn(page, timeout_ms=1_500)
    assert "no script_finished" in page.evaluate("() => window.__bench.why()")


@pytest.mark.browser
def test_the_websocket_client_signs_in_and_runs_every_page(server_url, session):
    # `session` first: the server has served a page before the clients come at once.
    load = bench.protocol_load_pass(url=server_url, users=["leader"], sessions=3)
    assert load["errors"] == []
    assert load["page_draws"] == 3 * len(LEADER_PAGES)
    assert set(load["by_page"]) == set(LEADER_PAGES)


@pytest.mark.parametrize(
    ("before", "after_marker"),
    [
        ("# Performance\n\nintro\n", ""),
        ("# Performance\n\n{start}\nold figures\n{end}\n\n## Later section\n", "## Later section"),
    ],
)
def test_the_browser_section_replaces_only_itself(tmp_path, monkeypatch, before, after_marker):
    document = tmp_path / "performance.md"
    document.write_text(
        before.format(start=bench.SECTION_START, end=bench.SECTION_END), encoding="utf-8"
    )
    monkeypatch.setattr(bench, "DOC", document)
    bench.write_section("new figures\n")
    bench.write_section("newer figures\n")
    text = document.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\n")
    assert text.count(bench.SECTION_START) == 1
    assert "newer figures" in text
    assert text.count("figures") == 1
    assert text.rstrip().endswith(after_marker or bench.SECTION_END)
