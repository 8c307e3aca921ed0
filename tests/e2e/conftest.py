"""A real `streamlit run` process and headless Chromium (Debian's, never a downloaded one).

Screenshots of every page land in test-artifacts/; on a failure the test's last screenshot and
the browser console log are kept there too.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from data_access.accounts import DEMO_PASSWORD
from tests.conftest import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def server_url(small_demo_url: str) -> Iterator[str]:
    """The app served by a real Streamlit process on a free port, on the small demo dataset."""
    port = _free_port()
    log = ARTIFACTS / "streamlit-server.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": small_demo_url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log}") from None
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault(_FAILED, False)
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser, server_url: str, request: pytest.FixtureRequest):
    """A fresh tall browser page (Streamlit scrolls inside its own container), with its console
    log kept; on failure its screenshot and log are saved under test-artifacts/."""
    context = browser.new_context(viewport={"width": 1500, "height": 2400}, accept_downloads=True)
    tab = context.new_page()
    console: list[str] = []
    tab.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    tab.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    # The first request of a fresh server goes through the entry point once (see
    # pages/common.current_filters); open it so deep links behave as they do afterwards.
    tab.goto(server_url)
    sign_in(tab)
    tab.console_messages = console
    yield tab
    if request.node.stash.get(_FAILED, False):
        name = request.node.name.replace("/", "_")
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"))
        (ARTIFACTS / f"FAILED-{name}.console.log").write_text("\n".join(console))
    context.close()


def sign_in(page, *, username: str = "leader") -> None:
    """Sign in through the form when the app asks (every new browser session starts signed
    out, and a reload or a typed address starts a new session)."""
    # Either the sign-in form or, for a session signed in already, the sign-out button.
    page.wait_for_selector('input[type="password"], .st-key-sign_out', timeout=60_000)
    password = page.locator('input[type="password"]')
    if password.count() == 0:
        return
    # A script run still going when the form is filled can redraw it empty: wait it out.
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=60_000)
    page.locator('[data-testid="stForm"] input[type="text"]').fill(username)
    password.fill(DEMO_PASSWORD)
    page.locator('[data-testid="stForm"] [kind$="FormSubmit"]').click()
    try:
        password.wait_for(state="detached", timeout=120_000)
    except PlaywrightTimeoutError:
        alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
        raise AssertionError(f"sign-in as {username} did not get through: {alerts}") from None
    page.wait_for_selector("h1", timeout=60_000)


def keep_artifact(path: Path, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    shutil.copy(path, target)
    return target
