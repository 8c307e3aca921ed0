"""An import keeps the summaries exactly in line with the rows it writes, on SQLite and
PostgreSQL.

Since the import corrects the task summaries by what the changed rows add and take away
(``summary.ImportRefresh``) instead of rebuilding them, these tests import tasks that are new,
unchanged, changed in place, moved to another year, unit and agency, cancelled, with rejected
rows skipped, and survey responses moved between years; then they check (1) counts worked out
by hand from tests/tiny_dataset.py, read through the summaries, (2) that every read gives the
answer the row-level tables give, and (3) that every summary table holds exactly what a full
rebuild from the rows would hold.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, select
from sqlalchemy.exc import OperationalError

from data_access import freshness, queries, schema, summary
from data_access.db import get_engine
from data_access.filters import Filters, GroupBy
from data_access.imports import Status, import_file
from data_access.migrate import upgrade_to_head
from data_access.scope import FULL_SCOPE
from data_access.setup import prepare
from metrics.definitions import QUERY_RULES
from tests import tiny_dataset
from tests.conftest import BACKENDS, backend_url
from tests.test_summary import _calls, _normal, _tiny, _without_summaries

TASK_COLUMNS = [column.name for column in schema.tasks.columns]
RESPONSE_COLUMNS = [column.name for column in schema.survey_responses.columns]
READS = (
    queries.task_counts,
    queries.overdue_tasks,
    queries.monthly_task_completions,
    queries.open_tasks_at_dates,
    queries.satisfaction_counts,
    queries.monthly_satisfaction,
    freshness.latest_fact_dates,
)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The tiny dataset with its summaries built, one database per test."""
    digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:10]
    database = backend_url(
        request=request, backend=request.param, name=f"ref_{digest}", folder=tmp_path_factory
    )
    upgrade_to_head(database_url=database)
    with get_engine(database).begin() as connection:
        _tiny(connection)
        summary.refresh(connection)
    return database


def _year(year: int, *, as_of: date | None = None) -> Filters:
    return Filters(
        scope=FULL_SCOPE,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        as_of=as_of or date(year, 12, 31),
    )


AS_OF_2024 = _year(2024, as_of=tiny_dataset.AS_OF)  # the data's as-of date: a snapshot
END_2023 = _year(2023)


def _csv(rows: list[dict[str, object]], *, columns: list[str]) -> bytes:
    frame = pd.DataFrame(rows).reindex(columns=columns)
    if "cancelled" in frame:
        frame["cancelled"] = frame["cancelled"].map({True: "true", False: "false"})
    return frame.to_csv(index=False).encode()


def _import(url: str, *, table: str, content: bytes, chunk_rows: int = 50_000, **options):
    settings = {"skip_invalid": False, "dry_run": False} | options
    return import_file(
        database_url=url,
        table=table,
        file_name=f"{table}.csv",
        content=content,
        imported_by="test",
        via="test",
        max_bytes=50_000_000,
        chunk_rows=chunk_rows,
        **settings,
    )


def _stored_tasks(connection: Connection) -> dict[str, dict[str, object]]:
    rows = connection.execute(select(schema.tasks)).mappings().all()
    return {row["code"]: dict(row) for row in rows}


def _summary_rows(connection: Connection) -> dict[str, list[tuple]]:
    """Every row of every summary table, in a stable order, values as text."""
    rows = {}
    for family in summary._FAMILIES:
        for table in family.tables:
            found = [
                tuple(None if value is None else str(value) for value in row)
                for row in connection.execute(select(table))
            ]
            rows[table.name] = sorted(found, key=lambda row: [(v is None, v or "") for v in row])
    return rows


def assert_as_rebuilt(url: str) -> None:
    """Every summary table holds exactly what rebuilding all summaries from the rows gives."""
    with get_engine(url).connect() as connection, connection.begin() as transaction:
        kept = _summary_rows(connection)
        summary.refresh(connection)
        rebuilt = _summary_rows(connection)
        transaction.rollback()
    for name, rows in rebuilt.items():
        assert kept[name] == rows, name


def assert_reads_agree(url: str, *, filters: list[Filters]) -> None:
    """Every read answers from the summaries what it answers from the rows."""
    with get_engine(url).connect() as connection:
        for chosen in filters:
            assert summary.snapshot_id(connection, filters=chosen) is not None, chosen
            connection.rollback()
            for function in READS:
                with connection.begin() as transaction:
                    kept = dict(_calls(function, connection=connection, filters=chosen))
                    _without_summaries(connection)
                    facts = dict(_calls(function, connection=connection, filters=chosen))
                    transaction.rollback()
                assert _normal(kept) == _normal(facts), (chosen, function.__name__)


def _task_totals(url: str, *, filters: Filters, group_by: GroupBy = GroupBy.NONE) -> dict:
    """Read through the summaries (asserted): the counts of ``queries.task_counts``."""
    with get_engine(url).connect() as connection:
        assert summary.snapshot_id(connection, filters=filters) is not None
        counts = queries.task_counts(
            connection=connection,
            filters=filters,
            group_by=group_by,
            due_soon_days=QUERY_RULES["due_soon_days"],
            ageing_buckets=QUERY_RULES["ageing_buckets"],
        )
    names = ["early", "on_time", "late", "overdue"]
    if group_by is GroupBy.NONE:
        return {name: int(counts[name].sum()) for name in names}
    return {
        row["group_code"]: {name: int(row[name]) for name in names} for _, row in counts.iterrows()
    }


def _overdue_codes(url: str, *, filters: Filters) -> set[str]:
    with get_engine(url).connect() as connection:
        listed = queries.overdue_tasks(connection=connection, filters=filters, limit=100, offset=0)
    return set(listed["code"])


def _open_at(url: str, *, dates: list[date]) -> dict[date, tuple[int, int]]:
    filters = _year(dates[0].year, as_of=max(dates))
    with get_engine(url).connect() as connection:
        frame = queries.open_tasks_at_dates(connection=connection, filters=filters, dates=dates)
    return {
        pd.Timestamp(row["date"]).date(): (int(row["open"]), int(row["overdue"]))
        for _, row in frame.iterrows()
    }


def test_new_changed_moved_unchanged_and_rejected_tasks(url):
    with get_engine(url).connect() as connection:
        stored = _stored_tasks(connection)
    assert _task_totals(url, filters=AS_OF_2024) == {
        "early": 2, "on_time": 1, "late": 1, "overdue": 4,
    }  # fmt: skip  # T1, T14 early; T2 on time; T3 late; T4, T8, T9, T10 overdue
    assert _overdue_codes(url, filters=AS_OF_2024) == {"T4", "T8", "T9", "T10"}
    rows = [
        stored["T4"],  # unchanged
        {**stored["T6"], "completed_on": date(2024, 12, 10)},  # completed early
        # moved to another unit and agency (still overdue)
        {**stored["T9"], "org_unit_code": "1101", "agency_code": "GOV-11", "staff_code": "S2"},
        # moved to 2023 (overdue there since 15 November 2023)
        {**stored["T10"], "issued_on": date(2023, 10, 1), "due_on": date(2023, 11, 15)},
        {
            **stored["T7"],
            "code": "NEW-1",
            "issued_on": date(2024, 12, 1),
            "due_on": date(2024, 12, 5),
            "completed_on": date(2024, 12, 4),
        },
        {**stored["T7"], "code": "NEW-2", "issued_on": date(2024, 12, 2), "cancelled": True},
        # completed on the as-of date itself: done (early) at that snapshot, not open
        {**stored["T7"], "code": "NEW-3", "completed_on": tiny_dataset.AS_OF},
        {**stored["T7"], "code": "BAD-1", "agency_code": "NO-SUCH-AGENCY"},  # rejected
    ]
    report = _import(
        url,
        table="tasks",
        content=_csv(rows, columns=TASK_COLUMNS),
        skip_invalid=True,
        chunk_rows=2,
    )
    assert report.status is Status.PARTIAL, report.errors
    assert (report.inserted, report.updated, report.unchanged) == (3, 3, 1)
    assert report.check.rows_rejected == 1
    # T6, NEW-1 and NEW-3 early now; T10 left 2024; NEW-2 is cancelled.
    assert _task_totals(url, filters=AS_OF_2024) == {
        "early": 5, "on_time": 1, "late": 1, "overdue": 3,
    }  # fmt: skip
    assert _overdue_codes(url, filters=AS_OF_2024) == {"T4", "T8", "T9"}
    by_agency = _task_totals(url, filters=AS_OF_2024, group_by=GroupBy.AGENCY)
    assert by_agency["GOV-11"]["overdue"] == 2  # T4 and T9 (moved in); T10 left the year
    assert by_agency["GOV-41"]["overdue"] == 1  # T8 (T9 moved out)
    assert by_agency["GOV-41"]["early"] == 3  # T6, NEW-1 and NEW-3
    # 2023: T12 (open, due 2024) and now T10, overdue since 15 November 2023.
    assert _task_totals(url, filters=END_2023) == {
        "early": 0, "on_time": 0, "late": 0, "overdue": 1,
    }  # fmt: skip
    assert _overdue_codes(url, filters=END_2023) == {"T10"}
    open_2023 = _open_at(url, dates=[date(2023, 9, 30), date(2023, 10, 31), date(2023, 11, 30)])
    assert open_2023 == {
        date(2023, 9, 30): (0, 0),
        date(2023, 10, 31): (1, 0),
        date(2023, 11, 30): (1, 1),
    }
    assert_reads_agree(url, filters=[AS_OF_2024, _year(2024), END_2023])
    assert_as_rebuilt(url)


def test_importing_the_same_file_again_leaves_the_summaries_as_they_are(url):
    rows = [
        {
            **tiny_dataset.ROWS["tasks"][6],
            "code": f"AGAIN-{number}",
            "title": "Again",
            "cancelled": False,
        }
        for number in range(5)
    ]
    content = _csv(rows, columns=TASK_COLUMNS)
    assert _import(url, table="tasks", content=content).inserted == 5
    with get_engine(url).connect() as connection:
        before = _summary_rows(connection)
    again = _import(url, table="tasks", content=content)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    with get_engine(url).connect() as connection:
        assert _summary_rows(connection) == before
    # Only the title changes: nothing any summary reads.
    renamed = _csv([{**row, "title": "Renamed"} for row in rows], columns=TASK_COLUMNS)
    assert _import(url, table="tasks", content=renamed).updated == 5
    with get_engine(url).connect() as connection:
        assert _summary_rows(connection) == before
    assert_as_rebuilt(url)


def test_survey_responses_moved_between_years(url):
    with get_engine(url).connect() as connection:
        responses = {
            row["code"]: dict(row)
            for row in connection.execute(select(schema.survey_responses)).mappings()
        }
    before = _responses(url, filters=AS_OF_2024)
    before_2023 = _responses(url, filters=END_2023)
    assert before["raw_responses"] == 5  # R1-R5; R6 is dated after the as-of date
    assert before_2023["raw_responses"] == 1  # R7
    rows = [
        {**responses["R2"], "responded_on": date(2023, 5, 1)},  # leaves 2024
        {**responses["R4"], "score": 1},  # changed in place
        {**responses["R1"], "code": "R-NEW", "responded_on": date(2024, 7, 1), "score": 2},
    ]
    report = _import(url, table="survey_responses", content=_csv(rows, columns=RESPONSE_COLUMNS))
    assert (report.inserted, report.updated) == (1, 2), report.errors
    after = _responses(url, filters=AS_OF_2024)
    assert after["raw_responses"] == 5  # R2 out, R-NEW in
    # Satisfied (4 or 5; published results count too): R2 (4) left, R-NEW scores 2, R4 3 -> 1.
    assert after["satisfied"] == before["satisfied"] - 1
    after_2023 = _responses(url, filters=END_2023)
    assert after_2023["raw_responses"] == 2  # R7 and R2
    assert after_2023["satisfied"] == before_2023["satisfied"] + 1
    assert_reads_agree(url, filters=[AS_OF_2024, END_2023])
    assert_as_rebuilt(url)


def _responses(url: str, *, filters: Filters) -> dict[str, int]:
    with get_engine(url).connect() as connection:
        assert summary.snapshot_id(connection, filters=filters) is not None
        counts = queries.satisfaction_counts(
            connection=connection,
            filters=filters,
            group_by=GroupBy.NONE,
            satisfied_min_score=QUERY_RULES["satisfied_min_score"],
        )
    return {name: float(counts[name].sum()) for name in ("raw_responses", "satisfied")}


def _random_tasks(
    generator: np.random.Generator, *, codes: list[str], stored: dict[str, dict]
) -> list[dict[str, object]]:
    """Tasks with random cells (a unit or none, any agency), dates across 2023 and 2024
    (some completed after the as-of date, some never), some cancelled."""
    units = [None, "11", "41", "1101", "4101"]
    agencies = ["AG-A1", "GOV-11", "GOV-41", "MIN-A"]
    rows = []
    for code in codes:
        issued = date(2023, 6, 1) + pd.Timedelta(days=int(generator.integers(0, 560)))
        due = issued + pd.Timedelta(days=int(generator.integers(0, 60)))
        completed = issued + pd.Timedelta(days=int(generator.integers(0, 90)))
        rows.append(
            {
                **stored.get(code, tiny_dataset.ROWS["tasks"][0]),
                "code": code,
                "title": "Random",
                "staff_code": None,
                "plan_item_code": None,
                "source_kind": "directive",
                "org_unit_code": units[int(generator.integers(0, len(units)))],
                "agency_code": agencies[int(generator.integers(0, len(agencies)))],
                "issued_on": issued,
                "due_on": due,
                "completed_on": completed if generator.random() < 0.7 else None,
                "cancelled": bool(generator.random() < 0.1),
            }
        )
    return rows


def test_random_imports_leave_the_summaries_as_a_rebuild_would(url):
    """Several imports in a row, new rows and changes of every kind mixed in every chunk:
    after each, the summaries are what a rebuild gives."""
    generator = np.random.default_rng(20261204)
    codes = [f"RND-{number:03d}" for number in range(120)]
    first = _random_tasks(generator, codes=codes[:80], stored={})
    report = _import(url, table="tasks", content=_csv(first, columns=TASK_COLUMNS), chunk_rows=25)
    assert report.inserted == 80
    assert_as_rebuilt(url)
    with get_engine(url).connect() as connection:
        stored = _stored_tasks(connection)
    # 40 stored rows changed at random, 20 kept as they are, 40 new, 3 of the tiny dataset's.
    changed = _random_tasks(generator, codes=codes[:40] + codes[80:] + ["T1", "T8", "T12"],
                            stored=stored)  # fmt: skip
    kept = [stored[code] for code in codes[40:60]]
    second = changed + kept
    order = generator.permutation(len(second))
    content = _csv([second[index] for index in order], columns=TASK_COLUMNS)
    report = _import(url, table="tasks", content=content, chunk_rows=16)
    assert report.inserted == 40
    assert report.unchanged >= 20
    assert_as_rebuilt(url)
    assert_reads_agree(url, filters=[AS_OF_2024, _year(2024), END_2023])


def test_a_dry_run_leaves_the_summaries_as_they_are(url):
    with get_engine(url).connect() as connection:
        before = _summary_rows(connection)
    rows = _random_tasks(np.random.default_rng(1), codes=["DRY-1", "DRY-2"], stored={})
    report = _import(url, table="tasks", content=_csv(rows, columns=TASK_COLUMNS), dry_run=True)
    assert report.status is Status.DRY_RUN
    with get_engine(url).connect() as connection:
        assert _summary_rows(connection) == before


# --------------------------------------------------------------------------------------------
# The summaries catch up after the commit: until they have, every read takes the facts.


def _pending(url: str) -> int:
    with get_engine(url).connect() as connection:
        return len(connection.execute(select(schema.summary_pending)).all())


def _answers(url: str, *, filters: list[Filters], rebuilt: bool) -> dict:
    """Every read's answers as the database stands, or (``rebuilt``) after a full refresh."""
    answers = {}
    with get_engine(url).connect() as connection, connection.begin() as transaction:
        if rebuilt:
            summary.refresh(connection)
        for chosen in filters:
            for function in READS:
                found = dict(_calls(function, connection=connection, filters=chosen))
                answers[chosen, function.__name__] = _normal(found)
        transaction.rollback()
    return answers


def lost_connection(*_arguments: object, **_options: object) -> None:
    """Stands in for ``ImportRefresh.catch_up`` when the database goes away after a commit."""
    raise OperationalError("summary refresh", {}, ConnectionError("connection lost"))


def test_until_the_summaries_catch_up_reads_take_the_facts(url, monkeypatch):
    """An import whose summaries could not catch up (a lost connection right after the
    commit): its rows stand, no summary is read, every read answers as after a rebuild, and
    the next import catches it up as well as itself."""
    generator = np.random.default_rng(4)
    filters = [AS_OF_2024, _year(2024), END_2023]
    monkeypatch.setattr(summary.ImportRefresh, "catch_up", lost_connection)
    rows = _random_tasks(generator, codes=[f"LOST-{number}" for number in range(30)], stored={})
    report = _import(url, table="tasks", content=_csv(rows, columns=TASK_COLUMNS))
    assert report.status is Status.IMPORTED
    assert report.inserted == 30
    assert not report.summaries_caught_up
    assert report.committed_seconds <= report.duration_seconds
    assert _pending(url) == 1
    with get_engine(url).connect() as connection:
        assert len(_stored_tasks(connection)) == len(tiny_dataset.ROWS["tasks"]) + 30
        assert summary.snapshot_id(connection, filters=AS_OF_2024) is None
        assert not summary.is_built(connection, name=schema.summary_item_progress.name)
    assert _answers(url, filters=filters, rebuilt=False) == _answers(
        url, filters=filters, rebuilt=True
    )
    monkeypatch.undo()
    more = _random_tasks(generator, codes=[f"NEXT-{number}" for number in range(10)], stored={})
    report = _import(url, table="tasks", content=_csv(more, columns=TASK_COLUMNS))
    assert report.summaries_caught_up
    assert _pending(url) == 0
    assert_as_rebuilt(url)
    assert_reads_agree(url, filters=filters)


def test_prepare_catches_up_what_an_import_left_behind(url, monkeypatch):
    monkeypatch.setattr(summary.ImportRefresh, "catch_up", lost_connection)
    rows = _random_tasks(np.random.default_rng(5), codes=["LEFT-1", "LEFT-2"], stored={})
    assert _import(url, table="tasks", content=_csv(rows, columns=TASK_COLUMNS)).inserted == 2
    assert _pending(url) == 1
    assert prepare(database_url=url) is False  # not the embedded default: no demo data
    assert _pending(url) == 0
    assert_as_rebuilt(url)
    assert_reads_agree(url, filters=[AS_OF_2024, END_2023])


def test_a_refresh_between_the_commit_and_the_catch_up_is_not_counted_twice(url):
    """Another process refreshes after the import committed and before its own catch-up
    (which then finds its entry gone): the changes are counted once."""
    stepped_in = []

    def progress(_share: float, message: str) -> None:
        if "rows committed" in message and not stepped_in:
            with get_engine(url).begin() as connection:
                stepped_in.append(summary.catch_up_pending(connection))

    rows = _random_tasks(np.random.default_rng(6), codes=[f"TWICE-{n}" for n in range(20)],
                         stored={})  # fmt: skip
    report = _import(
        url, table="tasks", content=_csv(rows, columns=TASK_COLUMNS), progress=progress
    )
    assert report.inserted == 20
    assert stepped_in == [True]
    assert _pending(url) == 0
    assert_as_rebuilt(url)
    assert_reads_agree(url, filters=[AS_OF_2024, _year(2024), END_2023])


def test_a_refresh_started_before_an_import_commits_waits_for_it(url, monkeypatch):
    """A refresh on another connection starts after an import listed itself and before it
    committed. It must wait for the commit (else it would read the list without the import,
    then the import's rows, and the import's own catch-up would count them a second time)."""
    reached, committed = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    read_pending = summary._pending

    def pending_then_wait(connection: Connection) -> dict[int, str]:
        found = read_pending(connection)
        if threading.current_thread().name == "other-refresh":
            reached.set()
            committed.wait(timeout=60)
        return found

    def refresh_everything() -> None:
        try:
            with get_engine(url).begin() as connection:
                summary.refresh(connection)
        except BaseException as error:  # reported by the test thread
            failures.append(error)

    other = threading.Thread(target=refresh_everything, name="other-refresh")
    list_pending = summary.ImportRefresh.list_pending

    def list_then_race(self: summary.ImportRefresh, connection: Connection) -> int | None:
        listed = list_pending(self, connection)
        other.start()
        reached.wait(timeout=1.0)  # a refresh that does not wait gets there at once
        return listed

    def progress(_share: float, message: str) -> None:
        if "rows committed" in message:
            committed.set()

    monkeypatch.setattr(summary, "_pending", pending_then_wait)
    monkeypatch.setattr(summary.ImportRefresh, "list_pending", list_then_race)
    rows = _random_tasks(np.random.default_rng(7), codes=[f"RACE-{n}" for n in range(15)],
                         stored={})  # fmt: skip
    report = _import(
        url, table="tasks", content=_csv(rows, columns=TASK_COLUMNS), progress=progress
    )
    other.join(timeout=120)
    assert not other.is_alive()
    assert not failures, failures
    assert report.inserted == 15
    assert report.summaries_caught_up
    assert _pending(url) == 0
    assert_as_rebuilt(url)
