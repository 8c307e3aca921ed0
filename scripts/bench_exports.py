"""Benchmark: how long the exports take to make, as a reader's click makes them.

    flock /tmp/bench.lock .venv/bin/python scripts/bench_exports.py [--scale default] [--repeat 5]

Builds the demo dataset (SQLite), opens the Press room and the Agencies page in Streamlit's
AppTest as a signed-in leadership reader, keeps the ``data`` callable each download button is
given, and times those callables: the same code a click runs (making the file, stamping it,
writing the audit line). Kaleido's Chromium starts with the first image of the process; that
first image is reported apart. The load average is printed: on a shared machine it says how
far to trust the figures. Prints a Markdown table and writes bench-results/bench-exports.json;
figures go into docs/performance.md by hand, with the machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.getLogger("streamlit").setLevel(logging.ERROR)

import streamlit  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from data_access.accounts import User  # noqa: E402
from data_access.demo import load_demo  # noqa: E402
from data_access.scope import Role  # noqa: E402
from pages.common import USER_KEY  # noqa: E402

PRESS_CHARTS = ("headline", "map", "gap", "overdue", "ministries")
IMAGE_FORMATS = ("png", "svg", "pdf")
READER = User(username="leader", display_name="Benchmark", role=Role.LEADERSHIP, province_code=None)


def _record_downloads() -> dict[str, Callable[[], bytes]]:
    """From now on, keep the data callable of every download button by its key."""
    makers: dict[str, Callable[[], bytes]] = {}
    original = streamlit.download_button

    def download_button(label, data=None, *arguments, **keywords):
        makers[keywords["key"]] = data
        return original(label, data, *arguments, **keywords)

    streamlit.download_button = download_button
    return makers


def _run_pages_like_streamlit_run() -> None:
    """As tests/test_pages.run_like_streamlit_run: a switched-to page runs under app.py."""
    original = PagesManager.__init__

    def init(self, *arguments, **keywords):
        original(self, *arguments, **keywords)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def _open(page: str) -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    app.session_state[USER_KEY] = READER
    app.run()
    app.switch_page(page)
    app.run()
    if app.exception:
        raise RuntimeError([exception.value for exception in app.exception])


def _median_ms(make: Callable[[], bytes], *, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(make())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="default", choices=("small", "default"))
    parser.add_argument("--repeat", type=int, default=5, help="runs per file (median)")
    arguments = parser.parse_args()

    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    load_demo(database_url=url, scale=arguments.scale)
    os.environ["DATABASE_URL"] = url
    _run_pages_like_streamlit_run()
    makers = _record_downloads()

    _open("pages/press_room.py")
    _open("pages/agencies.py")
    # The first image of a process starts kaleido's Chromium (once); every later one reuses it.
    started = time.perf_counter()
    makers["press_download_headline_png"]()
    first_image_ms = (time.perf_counter() - started) * 1000

    rows: list[dict[str, object]] = []

    def measure(key: str, *, name: str, file_format: str, image: bool, repeat: int) -> None:
        median, size = _median_ms(makers[key], repeat=repeat)
        row = {"file": name, "format": file_format, "image": image, "ms": median, "bytes": size}
        rows.append(row)

    for image_format in IMAGE_FORMATS:
        for chart in PRESS_CHARTS:
            measure(
                f"press_download_{chart}_{image_format}",
                name=f"{chart} chart",
                file_format=image_format,
                image=True,
                repeat=arguments.repeat,
            )
    for key, name, file_format in (
        ("download_agencies_table_csv", "agencies table", "csv"),
        ("download_agencies_table_xlsx", "agencies table", "xlsx"),
        ("press_zip", "press-room ZIP (5 charts × PNG, SVG, PDF, CSV)", "zip"),
        ("press_briefing", "leadership briefing (6 pages, 4 charts)", "pdf"),
    ):
        # The ZIP and the briefing take seconds each: fewer runs.
        few = max(1, arguments.repeat // 2)
        repeat = arguments.repeat if file_format in ("csv", "xlsx") else few
        measure(key, name=name, file_format=file_format, image=False, repeat=repeat)

    per_format = {}
    for image_format in IMAGE_FORMATS:
        times = [row["ms"] for row in rows if row["image"] and row["format"] == image_format]
        per_format[image_format] = {"median_ms": statistics.median(times), "max_ms": max(times)}
    print(f"first image of the process (starts kaleido's Chromium): {first_image_ms:.0f} ms")
    print(f"load average before: {load_before}, after: {os.getloadavg()}")
    print("| file | format | ms (median) | KiB |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row['file']} | {row['format']} | {row['ms']:.0f} | {row['bytes'] / 1024:.0f} |")
    for image_format, figures in per_format.items():
        print(
            f"{image_format}: median {figures['median_ms']:.0f} ms, "
            f"slowest chart {figures['max_ms']:.0f} ms"
        )
    results = Path(ROOT / "bench-results")
    results.mkdir(exist_ok=True)
    (results / "bench-exports.json").write_text(
        json.dumps(
            {
                "scale": arguments.scale,
                "repeat": arguments.repeat,
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "first_image_ms": first_image_ms,
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
                "images": per_format,
                "files": rows,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
