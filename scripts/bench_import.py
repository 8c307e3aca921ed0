"""Benchmark: how many control-card (task) rows per second an import writes, SQLite and PostgreSQL.

    .venv/bin/python scripts/bench_import.py [--rows 200000] [--repeat 3]
        [--backends sqlite,postgresql] [--summaries both|on|off] [--chunk-rows N]
        [--cells random|demo]

Builds the default demo dataset (220,000 tasks) once per backend, writes a CSV of ROWS new tasks
naming the demo's agencies, staff, units and plan items, and times the whole import as
``python -m data_access import`` runs it (read, validate, write, log), on a fresh copy of the
database each time:

- new: every row inserted;
- again: the same file a second time (every row unchanged, nothing written);
- changed: the file with every title changed (every row updated).

Two times per import: until the rows are committed (from then on every page shows them, read
from the rows themselves) and until the pre-aggregated summaries (issue 8) have caught up with
them, in a transaction of their own right after the commit (the call returns then).
``--summaries off`` times the import alone: the summary refresh is switched off in this
benchmark process only, to show what the refresh costs; ``both`` (the default) times both.

Prints a Markdown table (median of the repeats, and when checking the file was done, as a share
of the time: checking overlaps writing) and writes bench-results/bench-import.json. Speed is
measured here, never in timed tests. Take figures under ``flock /tmp/bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from data_access import schema  # noqa: E402
from data_access.db import get_engine  # noqa: E402
from data_access.demo import load_demo  # noqa: E402
from data_access.imports import Status, import_file  # noqa: E402
from data_access.imports.writer import CHUNK_ROWS  # noqa: E402

try:  # the summaries of issue 8, when present
    from data_access import summary
except ImportError:  # pragma: no cover - before issue 8
    summary = None

RESULTS = ROOT / "bench-results"
SCENARIOS = ("new", "again", "changed")


def tasks_file(*, url: str, rows: int, title: str, cells: str = "random") -> bytes:
    """``rows`` new control cards of 2025 naming the database's own reference codes.

    ``cells``: "random" gives each card any unit and any civil servant (with the agency), so
    the cards fall into tens of thousands of unit x agency cells the demo never had (and the
    summaries, kept per cell, grow several times over); "demo" takes the civil servant,
    agency and unit of one of the demo's own cards, so they fall into the cells an agency
    already works in."""
    with get_engine(url).connect() as connection:
        staff = pd.DataFrame(
            connection.execute(select(schema.staff.c.code, schema.staff.c.agency_code)).all(),
            columns=["code", "agency_code"],
        )
        units = list(connection.execute(select(schema.org_units.c.code)).scalars())
        items = list(connection.execute(select(schema.plan_items.c.code)).scalars())
        tasks = schema.tasks
        stored = pd.DataFrame(
            connection.execute(
                select(tasks.c.staff_code, tasks.c.agency_code, tasks.c.org_unit_code)
            ).all(),
            columns=["code", "agency_code", "org_unit_code"],
        )
    generator = np.random.default_rng(20241231)
    chosen = staff.iloc[generator.integers(0, len(staff), rows)].reset_index(drop=True)
    unit_codes = np.asarray(units)[generator.integers(0, len(units), rows)]
    if cells == "demo":
        chosen = stored.iloc[generator.integers(0, len(stored), rows)].reset_index(drop=True)
        unit_codes = chosen["org_unit_code"].fillna("").to_numpy()
        chosen["code"] = chosen["code"].fillna("")
    issued = pd.Timestamp("2025-01-01") + pd.to_timedelta(generator.integers(0, 300, rows), "D")
    due = issued + pd.to_timedelta(generator.integers(1, 60, rows), "D")
    done = generator.random(rows) < 0.7
    completed = issued + pd.to_timedelta(generator.integers(0, 80, rows), "D")
    linked = generator.random(rows) < 0.2
    frame = pd.DataFrame(
        {
            "code": [f"BENCH-{number:08d}" for number in range(rows)],
            "title": title,
            "agency_code": chosen["agency_code"],
            "staff_code": chosen["code"],
            "org_unit_code": unit_codes,
            "task_group": np.asarray(["economy", "social", "digital"])[
                generator.integers(0, 3, rows)
            ],
            "source_kind": np.where(linked, "plan_item", "directive"),
            "plan_item_code": np.where(
                linked, np.asarray(items)[generator.integers(0, len(items), rows)], ""
            ),
            "issued_on": issued.strftime("%Y-%m-%d"),
            "due_on": due.strftime("%Y-%m-%d"),
            "completed_on": np.where(done, completed.strftime("%Y-%m-%d"), ""),
            "cancelled": "false",
        }
    )
    return frame.to_csv(index=False).encode("utf-8")


def timed_import(*, url: str, content: bytes, chunk_rows: int) -> dict[str, float]:
    """Seconds for the whole import, and until the whole file was checked."""
    marks: list[tuple[float, str]] = []
    started = time.perf_counter()
    report = import_file(
        database_url=url,
        table="tasks",
        file_name="bench.csv",
        content=content,
        imported_by="bench",
        via="cli",
        skip_invalid=False,
        dry_run=False,
        max_bytes=len(content) + 1,
        progress=lambda _share, message: marks.append((time.perf_counter(), message)),
        chunk_rows=chunk_rows,
    )
    total = time.perf_counter() - started
    if report.status is not Status.IMPORTED:
        raise RuntimeError(f"import failed: {report.status} {report.errors.head().to_dict()}")
    checked = next(moment for moment, message in marks if "valid" in message) - started
    return {
        "seconds": total,
        "committed_seconds": report.committed_seconds,
        "check_seconds": checked,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }


@contextmanager
def summaries_switched(*, on: bool) -> Iterator[None]:
    """With ``on`` False, imports leave the summaries alone (in this process, for the
    benchmark only): what the import itself costs."""
    refresh = getattr(summary, "ImportRefresh", None) if summary is not None else None
    if on or refresh is None:
        yield
        return
    saved = (refresh.note, refresh.list_pending)
    refresh.note = lambda _self, *, rows, sign: None
    refresh.list_pending = lambda _self, _connection: None
    try:
        yield
    finally:
        refresh.note, refresh.list_pending = saved


def bench_backend(
    *,
    template_url: str,
    fresh_copy: Callable[[int], str],
    rows: int,
    repeat: int,
    summaries: list[bool],
    chunk_rows: int,
    cells: str,
) -> dict:
    new = tasks_file(url=template_url, rows=rows, title="Benchmark task", cells=cells)
    changed = tasks_file(url=template_url, rows=rows, title="Benchmark task, renamed", cells=cells)
    files = {"new": new, "again": new, "changed": changed}
    # PostgreSQL copies a template database only when nobody is connected to it.
    get_engine(template_url).dispose()
    figures: dict[tuple[bool, str], list[dict[str, float]]] = {}
    attempt = 0
    for on in summaries:
        with summaries_switched(on=on):
            for _ in range(repeat):
                url = fresh_copy(attempt)
                attempt += 1
                for scenario in SCENARIOS:
                    run = timed_import(url=url, content=files[scenario], chunk_rows=chunk_rows)
                    figures.setdefault((on, scenario), []).append(run)
                get_engine(url).dispose()
    summary_by_setting: dict[str, dict] = {}
    for (on, scenario), runs in figures.items():
        seconds = statistics.median(run["seconds"] for run in runs)
        committed = statistics.median(run["committed_seconds"] for run in runs)
        summary_by_setting.setdefault(_setting(on), {})[scenario] = {
            "rows": rows,
            "seconds_median": round(seconds, 2),
            "rows_per_second": round(rows / seconds),
            "committed_seconds_median": round(committed, 2),
            "committed_rows_per_second": round(rows / committed),
            "committed_runs_seconds": [round(run["committed_seconds"], 2) for run in runs],
            "checked_at_share": round(
                statistics.median(r["check_seconds"] / r["seconds"] for r in runs), 2
            ),
            "runs_seconds": [round(run["seconds"], 2) for run in runs],
            "counts": {name: runs[0][name] for name in ("inserted", "updated", "unchanged")},
        }
    return summary_by_setting


def _setting(on: bool) -> str:
    return "with summary refresh" if on else "import alone"


def sqlite_backend(
    *, rows: int, repeat: int, summaries: list[bool], chunk_rows: int, cells: str
) -> dict:
    RESULTS.mkdir(exist_ok=True)
    template = RESULTS / "bench-import-template.sqlite3"
    template.unlink(missing_ok=True)
    template_url = f"sqlite:///{template}"
    load_demo(database_url=template_url, scale="default")
    get_engine(template_url).dispose()

    def fresh_copy(attempt: int) -> str:
        copy = RESULTS / f"bench-import-{attempt}.sqlite3"
        for leftover in copy.parent.glob(copy.name + "*"):
            leftover.unlink()
        shutil.copy(template, copy)
        return f"sqlite:///{copy}"

    try:
        return bench_backend(
            template_url=template_url,
            fresh_copy=fresh_copy,
            rows=rows,
            repeat=repeat,
            summaries=summaries,
            chunk_rows=chunk_rows,
            cells=cells,
        )
    finally:
        for path in RESULTS.glob("bench-import-*.sqlite3*"):
            path.unlink()


def postgresql_backend(
    *, rows: int, repeat: int, summaries: list[bool], chunk_rows: int, cells: str
) -> dict | None:
    import psycopg

    from tests.pg_cluster import postgres_bin_dir, remove_cluster, start_cluster

    if postgres_bin_dir() is None:
        print("PostgreSQL binaries not found: skipping postgresql", file=sys.stderr)
        return None
    cluster = start_cluster()
    try:
        template_url = cluster.create_database("bench_import_template")
        load_demo(database_url=template_url, scale="default")
        get_engine(template_url).dispose()

        def fresh_copy(attempt: int) -> str:
            name = f"bench_import_{attempt}"
            with psycopg.connect(cluster.admin_dsn, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                # Copied as files, not through the write-ahead log (PostgreSQL 15's default
                # writes the whole database to it), and checkpointed: no checkpoint of the copy
                # falls into the timed import.
                admin.execute(
                    f'CREATE DATABASE "{name}" TEMPLATE bench_import_template STRATEGY FILE_COPY'
                )
                admin.execute("CHECKPOINT")
            return cluster.url(name)

        figures = bench_backend(
            template_url=template_url,
            fresh_copy=fresh_copy,
            rows=rows,
            repeat=repeat,
            summaries=summaries,
            chunk_rows=chunk_rows,
            cells=cells,
        )
        with psycopg.connect(cluster.admin_dsn) as admin:
            figures["server"] = admin.execute("SHOW server_version").fetchone()[0]
        return figures
    finally:
        remove_cluster(cluster)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--summaries", choices=["both", "on", "off"], default="both")
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    parser.add_argument("--cells", choices=["random", "demo"], default="random")
    arguments = parser.parse_args()
    summaries = {"both": [False, True], "on": [True], "off": [False]}[arguments.summaries]
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "rows": arguments.rows,
        "repeat": arguments.repeat,
        "chunk_rows": arguments.chunk_rows,
        "cells": arguments.cells,
        "load_average_before": os.getloadavg(),
        "backends": {},
    }
    for backend in arguments.backends.split(","):
        runner = sqlite_backend if backend == "sqlite" else postgresql_backend
        figures = runner(
            rows=arguments.rows,
            repeat=arguments.repeat,
            summaries=summaries,
            chunk_rows=arguments.chunk_rows,
            cells=arguments.cells,
        )
        if figures is not None:
            results["backends"][backend] = figures
    results["load_average_after"] = os.getloadavg()
    load = f"{results['load_average_before'][0]:.1f}/{results['load_average_after'][0]:.1f}"
    print(f"Machine: {results['machine']}; {arguments.rows:,} task rows ({arguments.cells} "
          f"cells), median of "
          f"{arguments.repeat}; load average before/after {load}\n")  # fmt: skip
    print(
        "| backend | summaries | import | rows | committed: s | rows/s | "
        "summaries caught up: s | rows/s | file checked at |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for backend, figures in results["backends"].items():
        for on in summaries:
            for scenario in SCENARIOS:
                run = figures[_setting(on)][scenario]
                print(
                    f"| {backend} | {_setting(on)} | {scenario} | {run['rows']:,} | "
                    f"{run['committed_seconds_median']} | "
                    f"{run['committed_rows_per_second']:,} | "
                    f"{run['seconds_median']} | {run['rows_per_second']:,} | "
                    f"{run['checked_at_share']:.0%} |"
                )
    RESULTS.mkdir(exist_ok=True)
    name = "bench-import.json" if arguments.cells == "random" else "bench-import-demo-cells.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
