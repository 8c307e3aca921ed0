"""Summary tables answer exactly what the facts answer.

Every read function of data_access (found by inspection, as in test_scope) is called on
datasets whose summaries are built, for every grouping, under several filters and scopes, at
as-of dates a snapshot holds and at one it does not; its answer is compared with the answer
of the same call after the summaries are switched off (inside a transaction that is rolled
back). Then imports: after an import that adds, moves and completes tasks, the summaries
still agree with the facts, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, delete, insert, select

from data_access import freshness, outcomes, queries, schema, summary
from data_access.db import get_engine
from data_access.demo import load_demo
from data_access.filters import Filters, GroupBy
from data_access.imports.runner import import_file
from data_access.migrate import upgrade_to_head
from data_access.scope import FULL_SCOPE, Role, Scope
from metrics.definitions import QUERY_RULES
from metrics.trend import month_ends
from tests import reality_dataset, tiny_dataset
from tests.conftest import BACKENDS, backend_url

READ_MODULES = (queries, outcomes, freshness)
EXEMPT = {"dataset_info", "group_names"}
ARGUMENTS = {
    **QUERY_RULES,
    "limit": 1_000,
    "offset": 0,
    "band_edges": (60.0, 70.0, 80.0, 90.0),
    "near_ceiling_score": 95.0,
    "scores": (1, 2, 3, 4, 5),
    "overstatement_points": 5.0,
    "complete_percent": 100.0,
}


def _read_functions() -> list:
    found = []
    for module in READ_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            ours = function.__module__ == module.__name__
            if ours and not name.startswith("_") and name not in EXEMPT:
                found.append(pytest.param(function, id=f"{module.__name__}.{name}"))
    return found


FUNCTIONS = _read_functions()


def _with_data_as_of(connection: Connection, *, as_of: date) -> None:
    table = schema.dataset_info
    connection.execute(delete(table).where(table.c.key == "data_as_of"))
    connection.execute(
        insert(table).values(key="data_as_of", value=as_of.isoformat(), updated_at=None)
    )


def _tiny(connection: Connection) -> None:
    tiny_dataset.load(connection)
    _with_data_as_of(connection, as_of=tiny_dataset.AS_OF)


DATASETS = {
    "tiny": (_tiny, tiny_dataset.PERIOD_START, tiny_dataset.AS_OF),
    "reality": (reality_dataset.load, reality_dataset.PERIOD_START, reality_dataset.AS_OF),
}


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def summarised(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, backend: str
) -> dict[str, str]:
    """The hand-made datasets and the small demo, each with its summaries built."""
    urls = {}
    for name, (load, _, _) in DATASETS.items():
        url = backend_url(
            request=request, backend=backend, name=f"sum_{name}", folder=tmp_path_factory
        )
        upgrade_to_head(database_url=url)
        with get_engine(url).begin() as connection:
            load(connection)
            summary.refresh(connection)
        urls[name] = url
    url = backend_url(request=request, backend=backend, name="sum_demo", folder=tmp_path_factory)
    load_demo(database_url=url, scale="small")
    urls["demo"] = url
    return urls


def _cases(*, dataset: str) -> list[tuple[str, Filters]]:
    """Filters at as-of dates the snapshots hold (the default ones), and at one they do not."""
    if dataset == "demo":
        start, as_of = date(2025, 1, 1), date(2025, 11, 30)
        province, ministry, agency = "65", "MIN-01", "AG-003"
    else:
        start, as_of = DATASETS[dataset][1], DATASETS[dataset][2]
        province, ministry, agency = "41", "MIN-A", "AG-A1"
    year = Filters(
        scope=FULL_SCOPE,
        period_start=start,
        period_end=date(start.year, 12, 31),
        as_of=as_of,
    )
    regional = Scope(role=Role.REGIONAL, province_code=province)
    before = summary._year_earlier(as_of)
    cases = [
        ("default", year),
        ("year end", replace(year, as_of=date(start.year, 12, 31))),
        (
            "a year before",
            replace(
                year,
                period_start=date(before.year, 1, 1),
                period_end=date(before.year, 12, 31),
                as_of=before,
            ),
        ),
        ("province", replace(year, province_code=province)),
        ("ministry", replace(year, ministry_code=ministry)),
        ("agency", replace(year, agency_code=agency)),
        ("province and ministry", replace(year, province_code=province, ministry_code=ministry)),
        ("regional", replace(year, scope=regional)),
        ("not a snapshot", replace(year, as_of=date(start.year, 6, 17))),
    ]
    if dataset == "demo":  # the demo's row-level answers take long: the combinations only
        return [case for case in cases if case[0] in DEMO_CASES]
    return cases


DEMO_CASES = {"default", "a year before", "province and ministry", "regional"}


def _calls(function, *, connection: Connection, filters: Filters) -> Iterator[tuple[str, object]]:
    parameters = inspect.signature(function).parameters
    arguments: dict[str, object] = {"connection": connection}
    for name in parameters:
        if name == "filters":
            arguments[name] = filters
        elif name == "scope":
            arguments[name] = filters.scope
        elif name == "parent_code":
            arguments[name] = filters.province_code or filters.scope.province_only or "11"
        elif name == "dates":
            arguments[name] = month_ends(start=filters.period_start, end=filters.effective_end)
        elif name in ("period_start", "period_end", "as_of"):
            arguments[name] = getattr(filters, name)
        elif name in ARGUMENTS:
            arguments[name] = ARGUMENTS[name]
        elif name not in ("connection", "group_by"):
            raise AssertionError(f"test_summary does not know how to pass {name!r}: add it")
    groupings = list(GroupBy) if "group_by" in parameters else [None]
    for grouping in groupings:
        call = dict(arguments) if grouping is None else {**arguments, "group_by": grouping}
        try:
            yield str(grouping), function(**call)
        except ValueError as refused:
            yield str(grouping), f"refused: {refused}"


def _normal(result: object) -> object:
    """Results made comparable: frames sorted, numbers as floats rounded (sums of floats in
    another order differ in the last bits), dates as dates."""
    if isinstance(result, dict):
        return {key: _normal(value) for key, value in result.items()}
    if isinstance(result, pd.Series):
        return _normal(result.rename("value").rename_axis("key").reset_index())
    if isinstance(result, tuple):
        return tuple(_normal(value) for value in result)
    if not isinstance(result, pd.DataFrame):
        return result
    frame = result.copy()
    for column in frame.columns:
        values = frame[column]
        if (
            pd.api.types.is_bool_dtype(values)
            or values.map(lambda v: isinstance(v, bool | np.bool_)).all()
        ):
            frame[column] = values.astype(object).map(lambda v: None if pd.isna(v) else bool(v))
        elif pd.api.types.is_numeric_dtype(values):
            frame[column] = values.astype(float).round(6)
        else:
            frame[column] = values.map(
                lambda v: (
                    None
                    if v is None or (isinstance(v, float) and np.isnan(v))
                    else str(v)[:10]
                    if isinstance(v, date)
                    else v
                )
            )
    if not frame.empty:
        frame = frame.sort_values(
            list(frame.columns), na_position="first", key=lambda s: s.astype(str)
        )
    return frame.reset_index(drop=True).to_dict("list")


def _without_summaries(connection: Connection) -> None:
    """Inside the caller's transaction (rolled back afterwards): nothing is summarised."""
    connection.execute(delete(schema.summary_status))
    connection.execute(delete(schema.summary_snapshots))


@pytest.mark.parametrize("dataset", ["tiny", "reality", "demo"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_summaries_answer_what_the_facts_answer(summarised, dataset, function):
    with get_engine(summarised[dataset]).connect() as connection:
        for case_name, filters in _cases(dataset=dataset):
            with connection.begin() as transaction:
                summarised_answers = dict(_calls(function, connection=connection, filters=filters))
                _without_summaries(connection)
                facts_answers = dict(_calls(function, connection=connection, filters=filters))
                transaction.rollback()
            for grouping, answer in summarised_answers.items():
                assert _normal(answer) == _normal(facts_answers[grouping]), (case_name, grouping)


@pytest.mark.parametrize("dataset", ["tiny", "reality", "demo"])
def test_the_default_filters_are_answered_from_snapshots(summarised, dataset):
    with get_engine(summarised[dataset]).connect() as connection:
        cases = dict(_cases(dataset=dataset))
        # The year before only where the data reach back that far (the demo's do).
        expected = ("default", "regional", "a year before" if dataset == "demo" else "year end")
        for name in expected:
            assert summary.snapshot_id(connection, filters=cases[name]) is not None, name
        unsummarised = replace(cases["default"], as_of=date(cases["default"].as_of.year, 6, 17))
        assert summary.snapshot_id(connection, filters=unsummarised) is None
        filters = cases["default"]
        dates = month_ends(start=filters.period_start, end=filters.effective_end)
        assert summary.snapshot_ids(
            connection,
            period_start=filters.period_start,
            period_end=filters.period_end,
            dates=dates,
            kind=summary.MONTH_END,
        )
        for name in ("summary_item_progress", "summary_ratings", "summary_plans"):
            assert summary.is_built(connection, name=name)


@pytest.mark.parametrize(
    ("filters_change", "group_by", "grain"),
    [
        ({}, GroupBy.NONE, summary.PROVINCE),
        ({}, GroupBy.PROVINCE, summary.PROVINCE),
        ({"province_code": "41"}, GroupBy.NONE, summary.PROVINCE),
        ({}, GroupBy.AGENCY, summary.AGENCY),
        ({}, GroupBy.MINISTRY, summary.AGENCY),
        ({"agency_code": "AG-A1"}, GroupBy.NONE, summary.AGENCY),
        ({"province_code": "41"}, GroupBy.AGENCY, summary.PAIR),
        ({"scope": Scope(role=Role.REGIONAL, province_code="41")}, GroupBy.AGENCY, summary.PAIR),
        ({"ministry_code": "MIN-A"}, GroupBy.PROVINCE, summary.PAIR),
        ({}, GroupBy.DISTRICT, summary.PAIR),
    ],
)
def test_the_coarsest_grain_that_answers_is_read(filters_change, group_by, grain):
    filters = replace(
        Filters(
            scope=FULL_SCOPE,
            period_start=tiny_dataset.PERIOD_START,
            period_end=tiny_dataset.PERIOD_END,
            as_of=tiny_dataset.AS_OF,
        ),
        **filters_change,
    )
    assert summary.grain_for(filters=filters, group_by=group_by) == grain


def _task_rows(connection: Connection) -> list[dict[str, object]]:
    """New tasks in 2024 and 2023, a 2024 task moved into 2023, a 2024 task completed."""
    stored = (
        connection.execute(
            select(schema.tasks)
            .where(
                schema.tasks.c.issued_on >= date(2024, 1, 1), schema.tasks.c.completed_on.is_(None)
            )
            .order_by(schema.tasks.c.code)
            .limit(2)
        )
        .mappings()
        .all()
    )
    common = {
        "title": "Imported", "agency_code": "GOV-41", "org_unit_code": "4101", "staff_code": None,
        "task_group": None, "source_kind": "directive", "plan_item_code": None,
        "cancelled": False, "completed_on": None,
    }  # fmt: skip
    return [
        {**common, "code": "NEW-1", "issued_on": date(2024, 11, 1), "due_on": date(2024, 11, 20)},
        {
            **common,
            "code": "NEW-2",
            "issued_on": date(2023, 5, 1),
            "due_on": date(2023, 6, 1),
            "completed_on": date(2023, 6, 10),
        },
        {**stored[0], "issued_on": date(2023, 3, 1), "due_on": date(2023, 4, 1)},
        {**stored[1], "completed_on": date(2024, 12, 10)},
    ]


def _assert_in_line(connection: Connection) -> None:
    for year in (2023, 2024):
        filters = Filters(
            scope=FULL_SCOPE,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            as_of=date(year, 12, 31),
        )
        assert summary.snapshot_id(connection, filters=filters) is not None, year
        connection.rollback()
        for function in (
            queries.task_counts,
            queries.overdue_tasks,
            queries.monthly_task_completions,
            queries.open_tasks_at_dates,
            freshness.latest_fact_dates,
        ):
            with connection.begin() as transaction:
                kept = dict(_calls(function, connection=connection, filters=filters))
                _without_summaries(connection)
                facts = dict(_calls(function, connection=connection, filters=filters))
                transaction.rollback()
            assert _normal(kept) == _normal(facts), (year, function.__name__)


def test_a_refresh_after_writes_keeps_the_summaries_in_line(request, tmp_path_factory, backend):
    url = backend_url(request=request, backend=backend, name="sum_write", folder=tmp_path_factory)
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        _tiny(connection)
        summary.refresh(connection)
    with get_engine(url).begin() as connection:
        rows = _task_rows(connection)
        refreshing = summary.ImportRefresh(table="tasks")
        tasks = schema.tasks
        for row in rows:
            stored = connection.execute(select(tasks).where(tasks.c.code == row["code"]))
            replaced = pd.DataFrame(stored.mappings().all())
            refreshing.note(rows=replaced, sign=-1)
            refreshing.note(rows=pd.DataFrame([row]), sign=1)
            connection.execute(delete(tasks).where(tasks.c.code == row["code"]))
            connection.execute(insert(tasks).values(**row))
        refreshing.after_writes(connection)
    with get_engine(url).connect() as connection:
        _assert_in_line(connection)


def _tasks_csv(rows: list[dict[str, object]]) -> bytes:
    frame = pd.DataFrame(rows)[[column.name for column in schema.tasks.columns]]
    frame["cancelled"] = frame["cancelled"].map({True: "true", False: "false"})
    return frame.to_csv(index=False).encode()


def test_an_import_keeps_the_summaries_in_line(request, tmp_path_factory, backend):
    """The same changes through the importer (data_access.imports.runner)."""
    url = backend_url(request=request, backend=backend, name="sum_import", folder=tmp_path_factory)
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        _tiny(connection)
        summary.refresh(connection)
        rows = _task_rows(connection)
    report = import_file(
        database_url=url,
        table="tasks",
        file_name="tasks.csv",
        content=_tasks_csv(rows),
        imported_by="test",
        via="test",
        skip_invalid=False,
        dry_run=False,
        max_bytes=10_000_000,
    )
    assert report.wrote, report.errors
    with get_engine(url).connect() as connection:
        _assert_in_line(connection)


def test_a_refresh_after_other_writes_keeps_freshness_in_line(request, tmp_path_factory, backend):
    """A table summarised by no year (monthly service counts): every snapshot follows it."""
    url = backend_url(request=request, backend=backend, name="sum_other", folder=tmp_path_factory)
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        _tiny(connection)
        summary.refresh(connection)
    row = {
        "org_unit_code": "4101", "agency_code": "GOV-41", "month": date(2024, 12, 1),
        "applications": 5, "online_applications": 1, "online_results": 1, "resolved_early": 1,
        "resolved_on_time": 1, "resolved_late": 1,
    }  # fmt: skip
    with get_engine(url).begin() as connection:
        refreshing = summary.ImportRefresh(table="service_stats")
        refreshing.note(rows=pd.DataFrame([row]), sign=1)
        connection.execute(insert(schema.service_stats).values(**row))
        refreshing.after_writes(connection)
    with get_engine(url).connect() as connection:
        filters = Filters(
            scope=FULL_SCOPE,
            period_start=tiny_dataset.PERIOD_START,
            period_end=tiny_dataset.PERIOD_END,
            as_of=tiny_dataset.AS_OF,
        )
        with connection.begin() as transaction:
            kept = dict(_calls(freshness.latest_fact_dates, connection=connection, filters=filters))
            _without_summaries(connection)
            facts = dict(
                _calls(freshness.latest_fact_dates, connection=connection, filters=filters)
            )
            transaction.rollback()
        assert _normal(kept) == _normal(facts)
        assert "2024-12-15" in str(_normal(kept["province"]))
