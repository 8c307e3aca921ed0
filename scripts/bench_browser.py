"""Benchmark in a real browser: time until every page is drawn, server memory, 20 sessions.

    .venv/bin/python scripts/bench_browser.py [--scale national] [--backend sqlite]
        [--database-url URL] [--rebuild] [--sessions 20] [--load-clients websocket]
        [--no-docs | --docs-only]

Builds (or reuses) the demo dataset of ``--scale`` in bench-results/ (or, for ``--backend
postgresql``, in a throwaway PostgreSQL cluster), starts ``streamlit run app.py`` on a free port
and drives Debian's headless Chromium through Playwright:

1. one session signs in (when the app shows a sign-in form) and opens every page of app.py's
   PAGES through the sidebar, twice: cold (the first visit since the server started, Streamlit's
   data cache empty) and warm (the second visit). Pages the first account may not open are
   opened by the next account of ``--users`` in a session of its own.
2. the resident memory of the Streamlit process (and its children) is sampled from /proc during
   the whole run; the kernel's own high-water mark (VmHWM) is kept as well.
3. ``--sessions`` sessions then sign in at once and each open every page it may, starting at
   different pages; errors and times are collected. By default they are websocket clients
   speaking Streamlit's protocol, timed until the server's ``script_finished``: 20 Chromium
   pages drawing plotly and deck.gl in software on the same 2 cores measure mostly the browser
   (``--load-clients browser`` or ``both`` runs them anyway, timed until drawn).

"Drawn" (see PROBE below) means, after the navigation started: the server sent
``script_finished`` (successfully) for a run of the page, Streamlit shows the app connected and
not running, no element is stale or still a loading skeleton, the page has its title, and every
visible chart shows what it draws (plotly's ``.main-svg``, deck.gl's canvas, the data grid's
canvas); the moment is the start of the stretch in which this stays true for SETTLE_MS.
Times are the browser's own clock (performance.now()), from the click on the sidebar link, the
click on the sign-in button, or the start of navigation for the first page without sign-in.

Writes bench-results/bench-browser.json (one entry per backend and scale, earlier entries kept)
and the browser section of docs/performance.md, between its markers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench-results"
RESULTS_FILE = RESULTS / "bench-browser.json"
DOC = ROOT / "docs" / "performance.md"
SECTION_START = "<!-- bench-browser:start (written by scripts/bench_browser.py) -->"
SECTION_END = "<!-- bench-browser:end -->"

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
VIEWPORT = {"width": 1500, "height": 1000}
DEMO_PASSWORD = "oversight-demo"  # the demo accounts' password (data_access.accounts)
DEFAULT_USERS = ("leader", "admin")

TARGET_DRAWN_MS = 2500
TARGET_MEMORY_MB = 600
SETTLE_MS = 150
PAGE_TIMEOUT_MS = 90_000
LOAD_TIMEOUT_MS = 240_000
MEMORY_SAMPLE_SECONDS = 0.1

# Installed in every page before Streamlit's own code runs. It watches the websocket for
# ForwardMsg.script_finished (field 6, an enum) and page_not_found (field 15), and checks the
# drawn condition on every DOM mutation and every 50 ms; `expect(t0)` arms it for a navigation
# that starts at t0 and `window.__bench.result` then holds the outcome.
PROBE = """
(() => {
  if (window.__bench) return;
  const SETTLE_MS = %(settle)d;
  const CHARTS = [
    ['[data-testid="stPlotlyChart"]', '.main-svg', 'plotly'],
    ['[data-testid="stDeckGlJsonChart"]', 'canvas', 'deck'],
    ['[data-testid="stDataFrame"]', 'canvas', 'dataframe'],
  ];
  const bench = {finished: [], notFound: 0, since: null, firstTrue: null, result: null};
  window.__bench = bench;

  const varint = (bytes, at) => {
    let value = 0, scale = 1, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * scale; scale *= 128; }
    while (byte & 0x80 && at < bytes.length);
    return [value, at];
  };
  const inspect = (data) => {
    if (!(data instanceof ArrayBuffer)) return;
    const bytes = new Uint8Array(data);
    let at = 0;
    while (at < bytes.length) {
      let key, value;
      [key, at] = varint(bytes, at);
      const number = Math.floor(key / 8), wire = key %% 8;
      if (wire === 0) {
        [value, at] = varint(bytes, at);
        if (number === 6) bench.finished.push({at: performance.now(), status: value});
      } else if (wire === 2) {
        [value, at] = varint(bytes, at);
        if (number === 15) bench.notFound += 1;
        at += value;
      } else if (wire === 1) { at += 8; } else if (wire === 5) { at += 4; } else { return; }
    }
    check();
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => inspect(event.data));
    }
  };

  const visible = (element) => element.checkVisibility ? element.checkVisibility()
                                                       : element.offsetParent !== null;
  const counts = () => {
    const found = {};
    for (const [container, , name] of CHARTS) {
      found[name] = [...document.querySelectorAll(container)].filter(visible).length;
    }
    found.uploader = document.querySelectorAll('[data-testid="stFileUploader"]').length;
    found.exceptions = document.querySelectorAll('[data-testid="stException"]').length;
    return found;
  };
  // Why the page does not count as drawn yet ('' once it does).
  const pending = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return 'no app';
    const state = app.getAttribute('data-test-script-state');
    if (state !== 'notRunning') return `script ${state}`;
    const connection = app.getAttribute('data-test-connection-state');
    if (connection !== 'CONNECTED') return `connection ${connection}`;
    if (document.querySelector('[data-stale="true"]')) return 'stale elements';
    if (document.querySelector('[data-testid="stSkeleton"]')) return 'skeletons';
    // A page that failed shows its exception instead of its title: drawn, with the error.
    const failed = document.querySelector('[data-testid="stException"]');
    if (!failed && !document.querySelector('[data-testid="stMain"] h1')) return 'no title';
    for (const [container, part, name] of CHARTS) {
      for (const chart of document.querySelectorAll(container)) {
        if (!visible(chart)) continue;
        const inner = chart.querySelector(part);
        if (!inner || !inner.clientWidth || !inner.clientHeight) return `${name} not drawn`;
      }
    }
    return '';
  };
  const drawn = () => pending() === '';
  // A run that finished (0) or stopped on an error (1) since the navigation; 2 = stopped for a
  // rerun, 3 = a fragment's run.
  const finishedSince = () => bench.finished.some(
    (message) => message.at >= bench.since && (message.status === 0 || message.status === 1));
  // Called on every DOM mutation, every 50 ms and by every poll from Python: a background
  // page's timers may be throttled, so settling never rests on a timer alone.
  const check = () => {
    if (bench.since === null || bench.result !== null) return;
    const now = performance.now();
    if (!finishedSince() || !drawn()) { bench.firstTrue = null; return; }
    if (bench.firstTrue === null) {
      bench.firstTrue = now;
      setTimeout(check, SETTLE_MS + 1);
    } else if (now - bench.firstTrue >= SETTLE_MS) {
      finish();
    }
  };
  const finish = () => {
    const finished = bench.finished.filter((m) => m.at >= bench.since);
    const done = finished.filter((m) => m.status === 0 || m.status === 1);
    const heading = document.querySelector('[data-testid="stMain"] h1');
    bench.result = {
      ms: bench.firstTrue - bench.since,
      path: location.pathname,
      title: heading ? heading.innerText : '',
      finishedMs: done.length ? done[0].at - bench.since : null,
      // The longest pause of the page's 50 ms timer: a starved or throttled browser shows here.
      timerGapMs: bench.timerGap,
      compileErrors: finished.filter((m) => m.status === 1).length,
      notFound: bench.notFound,
      visibility: document.visibilityState,
      ...counts(),
    };
  };
  bench.poll = () => { check(); return bench.result; };
  bench.why = () => (finishedSince() ? pending() || 'settling' : 'no script_finished yet');
  bench.expect = (since) => {
    bench.since = since; bench.firstTrue = null; bench.result = null; bench.notFound = 0;
    bench.timerGap = 0;
    check();
  };
  const observe = () => new MutationObserver(check).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-test-script-state', 'data-test-connection-state', 'data-stale',
                      'class', 'style', 'hidden', 'width', 'height'],
  });
  if (document.documentElement) observe(); else addEventListener('DOMContentLoaded', observe);
  let tick = null;
  setInterval(() => {
    const now = performance.now();
    if (tick !== null) bench.timerGap = Math.max(bench.timerGap, now - tick);
    tick = now;
    check();
  }, 50);
  bench.expect(0);  // the first page load counts from the start of navigation
})();
""" % {"settle": SETTLE_MS}  # noqa: UP031 (the JavaScript is full of braces)

# Arms the probe and clicks, in one turn of the page's event loop, so t0 is the click.
CLICK = """
(selector) => {
  const target = document.querySelector(selector);
  if (!target) return null;
  const since = performance.now();
  window.__bench.expect(since);
  target.click();
  return since;
}
"""
SUBMIT = '[data-testid="stFormSubmitButton"] button'


# --- the pages -----------------------------------------------------------------------------------
def page_names() -> list[str]:
    """The pages of app.py, in order; the first is the default page (served at "/")."""
    return re.findall(r'\("pages/(\w+)\.py"', (ROOT / "app.py").read_text("utf-8"))


# --- the drawn detector (also used by tests/e2e/test_bench_detector.py) --------------------------
def install_probe(context) -> None:
    """Install the drawn detector in every page of a Playwright (sync) browser context."""
    context.add_init_script(PROBE)


def wait_until_drawn(page, *, timeout_ms: float = PAGE_TIMEOUT_MS) -> dict:
    """Wait (sync API) until the navigation armed last is drawn; its result (``ms`` from the
    navigation's start, the page title and path, chart counts). Raises Playwright's
    TimeoutError when it is not drawn in time."""
    page.wait_for_function(
        "() => window.__bench && window.__bench.poll()", timeout=timeout_ms, polling=50
    )
    return page.evaluate("() => window.__bench.result")


def click_and_time(page, *, selector: str) -> float:
    """Click ``selector`` with the detector armed at the click; the click's time (ms)."""
    since = page.evaluate(CLICK, selector)
    if since is None:
        raise LookupError(f"nothing to click at {selector}")
    return since


def sign_in_form_shown(page) -> bool:
    return page.locator('input[type="password"]').count() > 0


def sign_in(page, *, username: str, password: str = DEMO_PASSWORD) -> dict | None:
    """Fill and send the sign-in form when the app shows one (after the first page is drawn);
    the drawn result of the page that follows, or None when there is no form."""
    if not sign_in_form_shown(page):
        return None
    page.locator('input[type="text"]').first.fill(username)
    page.locator('input[type="password"]').first.fill(password)
    click_and_time(page, selector=SUBMIT)
    result = wait_until_drawn(page)
    if sign_in_form_shown(page):
        raise RuntimeError(f"sign-in as {username!r} failed (is the database built with accounts?)")
    return result


def nav_links(page) -> dict[str, str]:
    """The sidebar's pages (name -> CSS selector of the link) that this session may open."""
    hrefs = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stSidebarNav\"] a')]"
        ".map((a) => a.getAttribute('href'))"
    )
    names = page_names()
    links = {}
    for href in hrefs:
        path = urlparse(href).path.strip("/")
        name = path or names[0]
        if name in names:
            links[name] = f'[data-testid="stSidebarNav"] a[href="{href}"]'
    return links


# --- the server ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    started_seconds: float


@contextlib.contextmanager
def streamlit_server(*, database_url: str, log: Path, source: Path = ROOT) -> Iterator[Server]:
    """``streamlit run app.py`` from ``source`` on a free port. The file watcher is off: a
    changed module would otherwise be re-imported in the middle of a run."""
    port = free_port()
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
            ],
            cwd=source,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}") from None
                time.sleep(0.2)
        yield Server(process=process, url=url, started_seconds=time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


APP_PARTS = (
    "app.py", "alembic.ini", "pyproject.toml", "assets", "data_access", "metrics", "migrations",
    "pages", ".streamlit/config.toml",
)  # fmt: skip


@contextlib.contextmanager
def snapshot() -> Iterator[Path]:
    """A copy of the app as it is now: others edit the working tree while the benchmark runs,
    and a page could otherwise meet a module from before an edit and one from after it."""
    with tempfile.TemporaryDirectory(prefix="bench-browser-app-") as folder:
        for part in APP_PARTS:
            source, target = ROOT / part, Path(folder) / part
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            elif source.exists():
                shutil.copy2(source, target)
        yield Path(folder)


def code_version() -> str:
    """The commit, and how many of the app's files differ from it."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = git("status", "--porcelain", "--", *APP_PARTS).splitlines()
    return f"{git('rev-parse', '--short', 'HEAD')}" + (
        f" + {len(changed)} uncommitted file(s)" if changed else ""
    )


# --- memory and CPU, from /proc ------------------------------------------------------------------
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces: the fields after it start past the last ")".
    return text[text.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(parents.get(current, []))
    return found


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[21]) * PAGE_SIZE
    return total


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLOCK_TICKS


def busy_cpu_seconds() -> float:
    """CPU time spent by the whole machine (all processes), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def high_water_mark_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class MemorySampler(threading.Thread):
    """Samples the RSS of the Streamlit process and its children: the peak of each phase, and
    when in the phase it came (seconds after the phase began)."""

    def __init__(self, *, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.phase = "start"
        self.peaks: dict[str, int] = {}
        self.peak_after: dict[str, float] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        phase, began = None, time.monotonic()
        while not self.stopping.is_set():
            if self.phase != phase:
                phase, began = self.phase, time.monotonic()
            used = rss_bytes(descendants(self.pid))
            if used > self.peaks.get(phase, 0):
                self.peaks[phase] = used
                self.peak_after[phase] = round(time.monotonic() - began, 1)
            self.stopping.wait(MEMORY_SAMPLE_SECONDS)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


@dataclass
class CpuMeter:
    """CPU seconds of the server, of Chromium and of everything else on the machine."""

    server_pid: int
    browser_root: int
    marks: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)

    def reading(self) -> tuple[float, float, float, float]:
        server = descendants(self.server_pid)
        browser = [pid for pid in descendants(self.browser_root) if pid not in server]
        return (
            time.perf_counter(),
            cpu_seconds(server),
            cpu_seconds(browser),
            busy_cpu_seconds(),
        )

    def mark(self, name: str) -> None:
        self.marks[name] = self.reading()

    @staticmethod
    def cpu_between(before: tuple, after: tuple) -> dict[str, float]:
        """CPU milliseconds of the server and of the browser (with this script) in between."""
        return {
            "server_cpu_ms": round((after[1] - before[1]) * 1000),
            "browser_cpu_ms": round((after[2] - before[2]) * 1000),
        }

    def since(self, name: str) -> dict[str, float]:
        wall0, server0, browser0, busy0 = self.marks[name]
        wall1, server1, browser1, busy1 = self.reading()
        server, browser = server1 - server0, browser1 - browser0
        return {
            "wall_s": round(wall1 - wall0, 1),
            "server_cpu_s": round(server, 1),
            "browser_and_bench_cpu_s": round(browser, 1),
            "other_processes_cpu_s": round(max(0.0, busy1 - busy0 - server - browser), 1),
        }


# --- the runs ------------------------------------------------------------------------------------
@dataclass
class Session:
    """One browser context: its page, the account it signed in with, and what went wrong."""

    context: object
    page: object
    username: str | None
    landing: dict | None
    number: int = 0
    errors: list[str] = field(default_factory=list)


def open_session(
    browser, *, url: str, username: str, timeout_ms: float, meter: CpuMeter | None = None
) -> Session:
    context = browser.new_context(viewport=VIEWPORT)
    install_probe(context)
    page = context.new_page()
    session = Session(context=context, page=page, username=None, landing=None)
    page.on("console", lambda message: _console(session, message))
    page.on("pageerror", lambda error: session.errors.append(f"pageerror: {error}"))
    page.goto(url)
    first = wait_until_drawn(page, timeout_ms=timeout_ms)
    before = meter.reading() if meter else None
    signed_in = sign_in(page, username=username)
    if signed_in and meter:
        signed_in.update(meter.cpu_between(before, meter.reading()))
    session.username = username if signed_in else None
    session.landing = {"first_load": first, "after_sign_in": signed_in}
    return session


def _console(session: Session, message) -> None:
    if message.type == "error":
        session.errors.append(f"console error: {message.text}")


def page_errors(result: dict) -> list[str]:
    problems = []
    if result.get("exceptions"):
        problems.append(f"{result['exceptions']} exception element(s) on {result['path']}")
    if result.get("notFound"):
        problems.append(f"page not found: {result['path']}")
    if result.get("compileErrors"):
        problems.append(f"script error on {result['path']}")
    return problems


def visit(session: Session, *, selector: str, timeout_ms: float) -> dict:
    click_and_time(session.page, selector=selector)
    result = wait_until_drawn(session.page, timeout_ms=timeout_ms)
    session.errors.extend(page_errors(result))
    return result


def sequential_pass(
    browser, *, url: str, users: list[str], sampler: MemorySampler, meter: CpuMeter
) -> dict:
    """Every page cold (first visit since the server started) and warm (second visit), with
    the CPU time the server and the browser spent on each (alone on the server, so a page's
    own; a figure that other load on the machine does not inflate the way it does times)."""
    names = page_names()
    pages: dict[str, dict] = {}
    sessions = []
    landing_seen = False
    for username in users:
        if len(pages) == len(names):
            break
        sampler.phase = "single session, cold"
        session = open_session(
            browser, url=url, username=username, timeout_ms=PAGE_TIMEOUT_MS, meter=meter
        )
        sessions.append(session)
        links = nav_links(session.page) or {names[0]: ""}
        todo = [name for name in names if name in links and name not in pages]
        landing = session.landing["after_sign_in"] or session.landing["first_load"]
        for phase in ("cold", "warm"):
            sampler.phase = f"single session, {phase}"
            for name in todo:
                if phase == "cold" and name == names[0] and not landing_seen:
                    # The default page was drawn by the sign-in (or the first load) itself.
                    result, landing_seen = landing, True
                    result["via"] = "sign-in" if session.landing["after_sign_in"] else "load"
                    session.errors.extend(page_errors(result))
                else:
                    before = meter.reading()
                    result = visit(session, selector=links[name], timeout_ms=PAGE_TIMEOUT_MS)
                    result.update(meter.cpu_between(before, meter.reading()))
                    result["via"] = "sidebar link"
                pages.setdefault(name, {"user": session.username})[phase] = result
                print(
                    f"  {name:18} {phase}: {result['ms']:8.0f} ms, server CPU "
                    f"{result.get('server_cpu_ms', '?')} ms ({result['via']})",
                    flush=True,
                )
    errors = [error for session in sessions for error in session.errors]
    for session in sessions:
        session.context.close()
    missing = [name for name in names if name not in pages]
    return {
        "pages": {name: pages[name] for name in names if name in pages},
        "not_reachable": missing,
        "sign_in_form": {
            "first_load_ms": sessions[0].landing["first_load"]["ms"],
            "shown": sessions[0].username is not None,
        },
        "errors": errors,
    }


def load_pass(
    browser, *, url: str, users: list[str], sessions: int, timeout_ms: float = LOAD_TIMEOUT_MS
) -> dict:
    """``sessions`` contexts sign in at once and open every page they may, each starting at
    a different page; one Python thread drives them all, the browser times them itself."""
    started = time.perf_counter()
    names = page_names()
    opened: list[Session] = []
    for number in range(sessions):
        context = browser.new_context(viewport=VIEWPORT)
        install_probe(context)
        page = context.new_page()
        session = Session(context=context, page=page, username=None, landing=None, number=number)
        page.on("console", lambda message, s=session: _console(s, message))
        page.on("pageerror", lambda error, s=session: s.errors.append(f"pageerror: {error}"))
        opened.append(session)
    # Every context navigates before any waits, so the server sees them all at once.
    for session in opened:
        session.page.goto(url, wait_until="commit")
    draws: list[dict] = []
    state = {id(session): {"step": "load", "todo": None} for session in opened}
    deadline = time.monotonic() + timeout_ms / 1000
    active = list(opened)
    while active:
        if time.monotonic() > deadline:
            for session in active:
                step = state[id(session)]
                why = session.page.evaluate(
                    "() => window.__bench.poll() ? 'drawn, its next page not asked for yet'"
                    " : `${window.__bench.why()} on ${location.pathname} after `"
                    " + `${Math.round(performance.now() - window.__bench.since)} ms`"
                )
                left = len(step["todo"]) if step["todo"] is not None else "all"
                shot = RESULTS / f"bench-browser-stuck-{session.number}.png"
                session.page.screenshot(path=str(shot))
                session.errors.append(
                    f"session {session.number}: not done in {timeout_ms / 1000:g} s, {left} "
                    f"page(s) left ({why}; see {shot.name})"
                )
            break
        for session in list(active):
            result = session.page.evaluate("() => window.__bench && window.__bench.poll()")
            if not result:
                continue
            step = state[id(session)]
            if step["step"] == "load":
                if sign_in_form_shown(session.page):
                    session.page.locator('input[type="text"]').first.fill(users[0])
                    session.page.locator('input[type="password"]').first.fill(DEMO_PASSWORD)
                    click_and_time(session.page, selector=SUBMIT)
                    step["step"] = "sign-in"
                    continue
                step["step"] = "sign-in"  # no form: the first load is the landing page
            if step["step"] == "sign-in":
                if sign_in_form_shown(session.page):
                    session.errors.append(f"session {session.number}: sign-in failed")
                    active.remove(session)
                    continue
                draws.append({"page": names[0], "ms": result["ms"], "via": "sign-in or load"})
                session.errors.extend(page_errors(result))
                links = nav_links(session.page)
                order = [name for name in names if name in links and name != names[0]]
                shift = session.number % len(order) if order else 0
                step.update(step="pages", links=links, todo=order[shift:] + order[:shift])
            else:
                draws.append({"page": step["current"], "ms": result["ms"], "via": "sidebar link"})
                session.errors.extend(page_errors(result))
            if not step["todo"]:
                active.remove(session)
                continue
            step["current"] = step["todo"].pop(0)
            click_and_time(session.page, selector=step["links"][step["current"]])
        time.sleep(0.05)
    errors = [error for session in opened for error in session.errors]
    for session in opened:
        session.context.close()
    return _load_summary(
        how="Playwright browser contexts in one headless Chromium, driven by one thread; all "
        "at once",
        sessions=sessions,
        draws=draws,
        errors=errors,
        seconds=time.perf_counter() - started,
    )


class ProtocolClient:
    """One Streamlit session over the websocket, as the browser's code speaks it (protobuf
    BackMsg / ForwardMsg), without drawing anything: a page is done when the server sends
    ``script_finished``. It knows the widgets it was sent, to fill in the sign-in form."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.text_inputs: list = []
        self.submit_ids: list[str] = []
        self.pages: dict[str, str] = {}  # url path ("" = default page) -> page_script_hash
        self.errors: list[str] = []

    async def run(self, *, page_hash: str = "", widgets: list | None = None) -> float:
        """Ask for a run of a page; milliseconds until it finished (after any st.rerun)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = page_hash
        message.rerun_script.widget_states.widgets.extend(widgets or [])
        started = time.perf_counter()
        await self.connection.send(message.SerializeToString())
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(await self.connection.recv())
            kind = answer.WhichOneof("type")
            if kind == "new_session":  # every run starts with one, the rerun after sign-in too
                self.text_inputs, self.submit_ids = [], []
            elif kind == "delta":
                self._element(answer.delta)
            elif kind == "navigation":
                self.pages = {
                    page.url_pathname: page.page_script_hash for page in answer.navigation.app_pages
                }
            elif kind == "page_not_found":
                self.errors.append(f"page not found: {page_hash}")
            elif kind == "script_finished":
                status = answer.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.errors.append(f"script error on {page_hash or 'the default page'}")
                if status in (
                    ForwardMsg.FINISHED_SUCCESSFULLY,
                    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
                ):
                    return (time.perf_counter() - started) * 1000

    def _element(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"exception: {element.exception.type}: {element.exception.message}")
        elif kind == "text_input":
            self.text_inputs.append(element.text_input)
        elif kind == "button" and element.button.is_form_submitter:
            self.submit_ids.append(element.button.id)

    async def sign_in(self, *, username: str) -> float | None:
        """Send the sign-in form when the last run showed one; ms until the next page ran."""
        from streamlit.proto.TextInput_pb2 import TextInput
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        passwords = [field for field in self.text_inputs if field.type == TextInput.PASSWORD]
        names = [field for field in self.text_inputs if field.type != TextInput.PASSWORD]
        if not passwords:
            return None
        widgets = [
            WidgetState(id=names[0].id, string_value=username),
            WidgetState(id=passwords[0].id, string_value=DEMO_PASSWORD),
            WidgetState(id=self.submit_ids[0], trigger_value=True),
        ]
        elapsed = await self.run(widgets=widgets)
        if any(field.type == TextInput.PASSWORD for field in self.text_inputs):
            self.errors.append(f"sign-in as {username!r} failed")
        return elapsed


async def _protocol_session(
    *, url: str, username: str, number: int, draws: list, errors: list, signed_in
) -> None:
    """One client: sign in, wait for ``signed_in`` (everyone has), then run every page it
    may, starting at page ``number`` of its list."""
    from websockets.asyncio.client import connect

    names = page_names()
    address = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    async with connect(
        address, subprotocols=["streamlit"], max_size=None, open_timeout=120, ping_timeout=None
    ) as connection:
        client = ProtocolClient(connection)
        try:
            landing = await client.run()
            after_sign_in = await client.sign_in(username=username)
            draws.append({"page": "sign-in", "ms": after_sign_in or landing})
        finally:
            await signed_in.arrive()
        await signed_in.everyone.wait()
        pages = {path or names[0]: page_hash for path, page_hash in client.pages.items()}
        order = [name for name in names if name in pages]
        shift = number % len(order) if order else 0
        for name in order[shift:] + order[:shift]:
            draws.append({"page": name, "ms": await client.run(page_hash=pages[name])})
        errors.extend(f"client {number}: {error}" for error in client.errors)


class Arrivals:
    """Counts clients that are through the sign-in; ``everyone`` is set when all are."""

    def __init__(self, *, expected: int, on_everyone) -> None:
        import asyncio

        self.expected, self.arrived = expected, 0
        self.everyone = asyncio.Event()
        self.on_everyone = on_everyone

    async def arrive(self) -> None:
        self.arrived += 1
        if self.arrived == self.expected:
            self.on_everyone()
            self.everyone.set()


def protocol_load_pass(
    *,
    url: str,
    users: list[str],
    sessions: int,
    phase=lambda name: None,
    timeout_ms: float = LOAD_TIMEOUT_MS,
) -> dict:
    """``sessions`` websocket clients sign in at once, then (once all have) each runs every
    page it may; a page's time is from the request to the server's ``script_finished``.
    ``phase`` is told when the sign-ins start and when the pages do (for the memory)."""
    import asyncio

    draws: list[dict] = []
    errors: list[str] = []

    async def everyone() -> None:
        signed_in = Arrivals(
            expected=sessions, on_everyone=lambda: phase(f"{sessions} clients: pages")
        )
        phase(f"{sessions} clients: signing in")
        outcomes = await asyncio.wait_for(
            asyncio.gather(
                *(
                    _protocol_session(
                        url=url,
                        username=users[0],
                        number=number,
                        draws=draws,
                        errors=errors,
                        signed_in=signed_in,
                    )
                    for number in range(sessions)
                ),
                return_exceptions=True,
            ),
            timeout=timeout_ms / 1000,
        )
        errors.extend(f"client failed: {outcome!r}" for outcome in outcomes if outcome)

    def in_own_thread() -> None:
        # A thread of its own: Playwright's sync API keeps an event loop in the main thread.
        try:
            asyncio.run(everyone())
        except TimeoutError:
            errors.append(f"not done in {timeout_ms / 1000:g} s")

    started = time.perf_counter()
    worker = threading.Thread(target=in_own_thread)
    worker.start()
    worker.join()
    summary = _load_summary(
        how="speaking Streamlit's protocol from one asyncio loop, drawing nothing; all sign "
        "in at once, then all open pages at once",
        sessions=sessions,
        draws=[draw for draw in draws if draw["page"] != "sign-in"],
        errors=errors,
        seconds=time.perf_counter() - started,
    )
    summary["sign_in"] = _spread([draw["ms"] for draw in draws if draw["page"] == "sign-in"])
    return summary


def _load_summary(*, how: str, sessions: int, draws: list, errors: list, seconds: float) -> dict:
    names = page_names()
    by_page = {}
    for name in names:
        own = [draw["ms"] for draw in draws if draw["page"] == name]
        if own:
            by_page[name] = {"count": len(own), **_spread(own)}
    return {
        "sessions": sessions,
        "how": how,
        "page_draws": len(draws),
        "wall_seconds": round(seconds, 1),
        **_spread([draw["ms"] for draw in draws]),
        "by_page": by_page,
        "errors": errors,
    }


def _spread(times: list[float]) -> dict[str, float]:
    if not times:
        return {}
    ordered = sorted(times)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))
    return {
        "median_ms": round(statistics.median(ordered)),
        "p95_ms": round(ordered[rank]),
        "max_ms": round(ordered[-1]),
    }


# --- the database --------------------------------------------------------------------------------
def demo_scale_of(url: str) -> str | None:
    """The demo scale already loaded in a database, if any."""
    from data_access.db import get_engine
    from data_access.queries import dataset_info

    try:
        with get_engine(url).connect() as connection:
            return dataset_info(connection=connection).get("scale")
    except Exception:  # no database yet, or an old schema: build it anew
        return None


def build_demo(*, url: str, scale: str) -> float:
    """Load the demo dataset in a child process (its peak memory is not ours); seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "data_access", "demo", "--scale", scale, "--database-url", url],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


@contextlib.contextmanager
def database(*, backend: str, scale: str, explicit: str | None, rebuild: bool) -> Iterator[dict]:
    if explicit:
        yield {"url": explicit, "build_seconds": None, "reused": True}
        return
    if backend == "sqlite":
        RESULTS.mkdir(exist_ok=True)
        url = f"sqlite:///{RESULTS / f'bench-browser-{scale}.sqlite3'}"
        if not rebuild and demo_scale_of(url) == scale:
            yield {"url": url, "build_seconds": None, "reused": True}
            return
        yield {"url": url, "build_seconds": round(build_demo(url=url, scale=scale), 1)}
        return
    from tests.pg_cluster import remove_cluster, start_cluster

    cluster = start_cluster()
    try:
        url = cluster.create_database("bench_browser")
        yield {"url": url, "build_seconds": round(build_demo(url=url, scale=scale), 1)}
    finally:
        remove_cluster(cluster)


# --- the machine ---------------------------------------------------------------------------------
def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    import streamlit

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 2**20),
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
    }


# --- the report ----------------------------------------------------------------------------------
def run(arguments: argparse.Namespace) -> dict:
    from playwright.sync_api import sync_playwright

    users = arguments.users.split(",")
    clients = (
        ("browser", "websocket") if arguments.load_clients == "both" else (arguments.load_clients,)
    )
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    version = code_version()
    loads = {}
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(
            database(
                backend=arguments.backend,
                scale=arguments.scale,
                explicit=arguments.database_url,
                rebuild=arguments.rebuild,
            )
        )
        print(f"database ready ({arguments.backend}, {arguments.scale})", flush=True)
        source = ROOT if arguments.live_tree else stack.enter_context(snapshot())
        RESULTS.mkdir(exist_ok=True)
        log = RESULTS / f"bench-browser-{arguments.backend}-{arguments.scale}.server.log"
        server = stack.enter_context(
            streamlit_server(database_url=db["url"], log=log, source=source)
        )
        sampler = MemorySampler(pid=server.process.pid)
        sampler.start()
        meter = CpuMeter(server_pid=server.process.pid, browser_root=os.getpid())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            chromium = browser.version
            meter.mark("single")
            single = sequential_pass(
                browser, url=server.url, users=users, sampler=sampler, meter=meter
            )
            single["cpu"] = meter.since("single")
            if "browser" in clients:
                sampler.phase = f"{arguments.sessions} browser sessions"
                print(f"  {arguments.sessions} browser sessions at once...", flush=True)
                meter.mark("browser")
                loads["browser"] = load_pass(
                    browser,
                    url=server.url,
                    users=users,
                    sessions=arguments.sessions,
                    timeout_ms=arguments.load_timeout * 1000,
                )
                loads["browser"]["cpu"] = meter.since("browser")
            browser.close()
        if "websocket" in clients:
            sampler.phase = f"{arguments.sessions} websocket clients"
            print(f"  {arguments.sessions} websocket clients at once...", flush=True)
            meter.mark("websocket")
            loads["websocket"] = protocol_load_pass(
                url=server.url,
                users=users,
                sessions=arguments.sessions,
                phase=lambda name: setattr(sampler, "phase", name),
                timeout_ms=arguments.load_timeout * 1000,
            )
            loads["websocket"]["cpu"] = meter.since("websocket")
        sampler.stop()
        high_water = high_water_mark_bytes(server.process.pid)
    mb = 2**20
    return {
        "date": date.today().isoformat(),
        "backend": arguments.backend,
        "scale": arguments.scale,
        "code": version + ("" if arguments.live_tree else " (served from a copy taken at start)"),
        "machine": {**machine(), "chromium": chromium},
        "load_average_before": " ".join(load_before),
        "database_build_seconds": db["build_seconds"],
        "server_start_seconds": round(server.started_seconds, 1),
        "settle_ms": SETTLE_MS,
        "targets": {"drawn_ms": TARGET_DRAWN_MS, "memory_mb": TARGET_MEMORY_MB},
        "single_session": single,
        "load": loads,
        "memory": {
            "peak_sampled_mb": round(max(sampler.peaks.values()) / mb),
            "peak_by_phase_mb": {
                phase: round(value / mb) for phase, value in sampler.peaks.items()
            },
            "peak_seconds_into_phase": sampler.peak_after,
            "vmhwm_mb": round(high_water / mb),
        },
    }


def _met(value: float, target: float) -> str:
    return "met" if value <= target else "**not met**"


def section(results: dict) -> str:
    """The browser section of docs/performance.md, from every run kept in the JSON file."""
    lines = [
        "## Browser: time until each page is drawn, memory, concurrent sessions",
        "",
        "Measured with `scripts/bench_browser.py` (`make bench` runs it after the data",
        "benchmark, on the same SQLite file; alone: `flock /tmp/bench.lock .venv/bin/python",
        "scripts/bench_browser.py --scale national`). It serves a copy of the app with",
        "`streamlit run app.py` on the demo dataset and drives Debian's headless Chromium",
        "through Playwright, signed in as `leader` (the Data page as `admin`).",
        "",
        "A page counts as *drawn* when, after the navigation started, the server has sent",
        "`script_finished` for the page's run, Streamlit shows the app connected and not",
        "running, no element is stale or still a loading skeleton, the page shows its title",
        "and every visible chart shows what it draws (plotly's `.main-svg`, deck.gl's canvas,",
        f"the data grid's canvas), and all this holds for {SETTLE_MS} ms. The time is the",
        "browser's own clock from the click on the sidebar link (on the sign-in button for",
        "the Overview, the page a sign-in lands on) to the start of that stretch. *Cold* is",
        "the first visit since the server started (empty data cache), *warm* the second",
        "visit in the same session. Memory is the resident set of the Streamlit process and",
        f"its children, sampled every {MEMORY_SAMPLE_SECONDS:g} s over the whole run, and the",
        "kernel's high-water mark (VmHWM). Raw results: `bench-results/bench-browser.json`.",
        "",
    ]
    for key in sorted(results["runs"]):
        lines.extend(_run_section(results["runs"][key]))
    return "\n".join(lines).rstrip() + "\n"


def _run_section(run: dict) -> list[str]:
    box = run["machine"]
    single = run["single_session"]
    cpu = single["cpu"]
    others = cpu["other_processes_cpu_s"] / max(cpu["wall_s"], 0.1)
    loads = run["load"]
    target_ms = run["targets"]["drawn_ms"]
    lines = [
        f"### {run['date']} — {run['backend']}, {run['scale']} scale",
        "",
        f"Machine: {box['cpu']}, {box['cores']} cores, {box['memory_gib']} GiB, Python "
        f"{box['python']}, Streamlit {box['streamlit']}, Chromium {box['chromium']} (headless, "
        f"software rendering); browser, server and database on the same machine. Code: "
        f"{run['code']}. Load average before the run: {run['load_average_before']}; during "
        f"the single-session pass other processes kept {others:.1f} of the "
        f"{box['cores']} cores busy"
        + (
            " — **a shared machine: the figures are higher than on a quiet one**."
            if others >= 0.2
            else "."
        ),
        "",
        f"Targets (issue 8): drawn ≤ {target_ms / 1000:g} s per page; Streamlit process ≤ "
        f"{run['targets']['memory_mb']} MB.",
        "",
    ]
    header = (
        "| page | signed in as | cold: drawn (ms) | cold: server done (ms) "
        "| cold: server CPU (ms) | warm: drawn (ms) | warm: server CPU (ms) "
        f"| warm: browser CPU (ms) | charts (plotly / map / grid) | ≤ {target_ms / 1000:g} s |"
    )
    rule = "|---|---|---|---|---|---|---|---|---|---|"
    for kind, load in loads.items():
        header += f" {load['sessions']} {_CLIENT_NAMES[kind]}: p95 (ms) |"
        rule += "---|"
    lines += [header, rule]
    for name, page in single["pages"].items():
        cold, warm = page["cold"], page["warm"]
        charts = f"{cold['plotly']} / {cold['deck']} / {cold['dataframe']}"
        note = " (after sign-in)" if cold.get("via") == "sign-in" else ""
        cells = [
            f"{name}{note}",
            page["user"] or "—",
            _ms(cold["ms"]),
            _ms(cold.get("finishedMs")),
            _ms(cold.get("server_cpu_ms")),
            _ms(warm["ms"]),
            _ms(warm.get("server_cpu_ms")),
            _ms(warm.get("browser_cpu_ms")),
            charts,
            "**error**"
            if cold["exceptions"] or warm["exceptions"]
            else _met(max(cold["ms"], warm["ms"]), target_ms),
        ]
        cells += [_ms(load["by_page"].get(name, {}).get("p95_ms")) for load in loads.values()]
        lines.append("| " + " | ".join(cells) + " |")
    memory = run["memory"]
    phases = ", ".join(f"{phase} {value} MB" for phase, value in memory["peak_by_phase_mb"].items())
    peak = max(memory["peak_sampled_mb"], memory["vmhwm_mb"])
    lines += [
        "",
        "*Server done*: from the click until the server's `script_finished` arrived; the rest "
        "is the browser drawing. *CPU*: what the Streamlit process (server) and Chromium with "
        "this script (browser) spent on the visit, from /proc; unlike times, other load on the "
        "machine hardly changes it.",
        "",
        *_misses(single["pages"], target_ms=target_ms),
        f"Memory of the Streamlit process: peak {memory['peak_sampled_mb']} MB sampled, "
        f"VmHWM {memory['vmhwm_mb']} MB — target {_met(peak, run['targets']['memory_mb'])}. "
        f"Peak by phase: {phases}.",
        "",
    ]
    for kind, load in loads.items():
        lines += [
            f"Load, {load['sessions']} {_CLIENT_NAMES[kind]} ({load['how']}), each "
            f"signing in and opening every page it may, starting at different pages: "
            f"{load['page_draws']} pages in {load['wall_seconds']} s; time until "
            f"{'drawn' if kind == 'browser' else 'the server finished'} median "
            f"{load.get('median_ms')} ms, 95th percentile {load.get('p95_ms')} ms, max "
            f"{load.get('max_ms')} ms"
            + (
                f" (the sign-ins, all at once: median {load['sign_in'].get('median_ms')} ms, "
                f"95th percentile {load['sign_in'].get('p95_ms')} ms)"
                if load.get("sign_in")
                else ""
            )
            + f"; errors: {len(load['errors']) or 'none'}. CPU meanwhile: "
            f"server {load['cpu']['server_cpu_s']} s, clients and this script "
            f"{load['cpu']['browser_and_bench_cpu_s']} s, other processes "
            f"{load['cpu']['other_processes_cpu_s']} s, in {load['cpu']['wall_s']} s on "
            f"{box['cores']} cores.",
            "",
        ]
    errors = single["errors"] + [error for load in loads.values() for error in load["errors"]]
    if errors:
        lines += [f"Errors: {_grouped(errors)}.", ""]
    if run.get("notes"):
        lines += [run["notes"], ""]
    return lines


def _misses(pages: dict, *, target_ms: float) -> list[str]:
    """One line per visit over the target: how its time splits between the server computing,
    the server waiting (for a core, or the database), and the browser drawing."""
    lines = []
    for name, page in pages.items():
        for phase in ("cold", "warm"):
            visit = page[phase]
            if visit["ms"] <= target_ms or visit.get("finishedMs") is None:
                continue
            server, cpu = visit["finishedMs"], visit.get("server_cpu_ms")
            waited = f", waited {server - cpu:,.0f} ms" if cpu is not None else ""
            lines.append(
                f"- {name} {phase} ({visit.get('via')}), drawn in {visit['ms']:,.0f} ms: the "
                f"server finished at {server:,.0f} ms (computed {_ms(cpu)} ms{waited}), the "
                f"browser drew for {visit['ms'] - server:,.0f} ms more (browser CPU over the "
                f"visit {_ms(visit.get('browser_cpu_ms'))} ms)."
            )
    return ["Over the target:", "", *lines, ""] if lines else []


def _grouped(errors: list[str]) -> str:
    """Each kind of error once, with how many sessions or clients had it."""
    counts: dict[str, int] = {}
    for error in errors:
        kind = re.sub(r"^(session|client) \d+: ", "", error)
        kind = re.sub(r"see bench-browser-stuck-\d+\.png", "screenshots in bench-results/", kind)
        kind = re.sub(r"after \d+ ms", "after a while", kind)
        counts[kind] = counts.get(kind, 0) + 1
    return "; ".join(f"{kind} (×{count})" if count > 1 else kind for kind, count in counts.items())


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


_CLIENT_NAMES = {"browser": "browser sessions", "websocket": "websocket clients"}


def write_section(text: str) -> None:
    """Replace (or append) the browser section of docs/performance.md; the file is read again
    right before writing, since others write other sections of it."""
    current = DOC.read_text("utf-8")
    block = f"{SECTION_START}\n{text}{SECTION_END}\n"
    if SECTION_START in current and SECTION_END in current:
        before, rest = current.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1].lstrip("\n")
        updated = before + block + ("\n" + after if after else "")
    else:
        updated = current.rstrip("\n") + "\n\n" + block
    DOC.write_text(updated, "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="national", choices=("small", "default", "national"))
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--database-url", help="an already built database (skips the build)")
    parser.add_argument("--rebuild", action="store_true", help="build the SQLite file anew")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--users", default=",".join(DEFAULT_USERS))
    parser.add_argument(
        "--load-clients",
        default="websocket",
        choices=("websocket", "browser", "both"),
        help="what the concurrent sessions are: browser contexts, websocket clients, or both",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=LOAD_TIMEOUT_MS / 1000,
        help="seconds the concurrent sessions get before what is left counts as errors",
    )
    parser.add_argument(
        "--live-tree", action="store_true", help="serve the working tree, not a copy of it"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not touch performance.md")
    parser.add_argument(
        "--docs-only", action="store_true", help="only rewrite the section from the JSON file"
    )
    arguments = parser.parse_args()
    if arguments.docs_only:
        write_section(section(json.loads(RESULTS_FILE.read_text("utf-8"))))
        return 0
    if arguments.database_url:  # name the results after what the database holds
        arguments.scale = demo_scale_of(arguments.database_url) or arguments.scale
    outcome = run(arguments)
    stored = json.loads(RESULTS_FILE.read_text("utf-8")) if RESULTS_FILE.exists() else {}
    stored.setdefault("runs", {})[f"{arguments.backend}-{arguments.scale}"] = outcome
    RESULTS_FILE.write_text(json.dumps(stored, indent=2, ensure_ascii=False), "utf-8")
    text = section(stored)
    print(text)
    if not arguments.no_docs:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
