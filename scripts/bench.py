"""Benchmark: build the demo dataset and time every page's data calls, cold and warm.

    .venv/bin/python scripts/bench.py [--scale default] [--backends sqlite,postgresql]

Cold = the page's calls with Streamlit's data cache emptied first (the database does the work);
warm = the same calls again (the cache answers). Prints a Markdown table and writes
bench-results/bench-<scale>.json. Figures go into docs/performance.md by hand, with the machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.getLogger("streamlit").setLevel(logging.ERROR)

from data_access.demo import load_demo  # noqa: E402
from data_access.filters import Filters, GroupBy  # noqa: E402
from data_access.migrate import upgrade_to_head  # noqa: E402
from data_access.scope import FULL_SCOPE  # noqa: E402
from pages import common  # noqa: E402

FILTERS = Filters(
    scope=FULL_SCOPE,
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
    as_of=date(2025, 11, 30),
)


def page_calls(url: str) -> dict[str, list]:
    """What each page asks for with the default filters (mirrors pages/*.py)."""
    return {
        "overview": [
            lambda: common.scorecard(url, FILTERS, GroupBy.NONE),
            lambda: common.scorecard(url, common.previous_period(FILTERS), GroupBy.NONE),
            lambda: common.scorecard(url, FILTERS, GroupBy.PROVINCE),
            lambda: common.scorecard(url, FILTERS, GroupBy.AGENCY, common.AGENCY_PARTS),
            lambda: common.monthly_trend(url, FILTERS),
        ],
        "map": [
            lambda: common.reference_data(url, FULL_SCOPE),
            lambda: common.scorecard(url, FILTERS, GroupBy.PROVINCE),
            lambda: common.scorecard(url, replace(FILTERS, province_code="65"), GroupBy.DISTRICT),
        ],
        "agencies": [lambda: common.scorecard(url, FILTERS, GroupBy.AGENCY, common.AGENCY_PARTS)],
        "plans": [
            lambda: common.plan_execution(url, FILTERS, GroupBy.PLAN_KIND),
            lambda: common.plan_execution(url, FILTERS, GroupBy.PLAN),
            lambda: common.plan_execution(url, FILTERS, GroupBy.TASK_GROUP),
            lambda: common.plan_items_behind(url, FILTERS, 200),
        ],
        "tasks": [
            lambda: common.timeliness(url, FILTERS, GroupBy.NONE),
            lambda: common.timeliness(url, FILTERS, GroupBy.PROVINCE),
            lambda: common.overdue_page(url, FILTERS, 50, 0),
        ],
        "satisfaction_gap": [
            lambda: common.gap(url, FILTERS, GroupBy.NONE),
            lambda: common.gap(url, FILTERS, GroupBy.AGENCY),
        ],
    }


def _timed(calls: list) -> float:
    started = time.perf_counter()
    for call in calls:
        call()
    return (time.perf_counter() - started) * 1000


def bench_backend(*, url: str, scale: str) -> dict:
    upgrade_to_head(database_url=url)
    started = time.perf_counter()
    load_demo(database_url=url, scale=scale)
    build_seconds = time.perf_counter() - started
    pages = {}
    for page, calls in page_calls(url).items():
        common.st.cache_data.clear()
        cold = _timed(calls)
        warm = _timed(calls)
        pages[page] = {"cold_ms": round(cold, 1), "warm_ms": round(warm, 1)}
    return {"build_seconds": round(build_seconds, 2), "pages": pages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="default", choices=("small", "default", "national"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    arguments = parser.parse_args()
    results = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "scale": arguments.scale,
        "backends": {},
    }
    for backend in arguments.backends.split(","):
        if backend == "sqlite":
            folder = ROOT / "bench-results"
            folder.mkdir(exist_ok=True)
            database = folder / f"bench-{arguments.scale}.sqlite3"
            database.unlink(missing_ok=True)
            results["backends"][backend] = bench_backend(
                url=f"sqlite:///{database}", scale=arguments.scale
            )
        else:
            sys.path.insert(0, str(ROOT))
            from tests.pg_cluster import postgres_bin_dir, remove_cluster, start_cluster

            if postgres_bin_dir() is None:
                print("PostgreSQL binaries not found: skipping postgresql", file=sys.stderr)
                continue
            cluster = start_cluster()
            try:
                url = cluster.create_database("bench")
                results["backends"][backend] = bench_backend(url=url, scale=arguments.scale)
            finally:
                remove_cluster(cluster)
    print(f"Machine: {results['machine']}; scale {arguments.scale}\n")
    print("| backend | demo build s | page | data cold ms | data warm ms |")
    print("|---|---|---|---|---|")
    for backend, figures in results["backends"].items():
        for page, timing in figures["pages"].items():
            cells = [backend, figures["build_seconds"], page, timing["cold_ms"], timing["warm_ms"]]
            print("| " + " | ".join(str(cell) for cell in cells) + " |")
    output = ROOT / "bench-results" / f"bench-{arguments.scale}.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
