"""Row scope, for every read function in data_access: a regional office sees its own province
and nothing of any other, whatever it asks for.

The functions are found by inspection, so a new one is covered the day it is written: it must
take a ``Filters`` (which carries the scope) or a ``scope``, and this test must know how to
call it, or the test fails.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Connection, insert

from data_access import freshness, outcomes, queries, schema, summary
from data_access.db import get_engine
from data_access.filters import Filters, GroupBy
from data_access.migrate import upgrade_to_head
from data_access.scope import FULL_SCOPE, Role, Scope
from metrics.definitions import QUERY_RULES
from tests import tiny_dataset

TUV = Scope(role=Role.REGIONAL, province_code="41")
TUV_UNITS = {"41", "4101"}
# Not performance data: what dataset is loaded, and names the other queries map codes to.
EXEMPT = {"dataset_info", "group_names"}
READ_MODULES = (queries, outcomes, freshness)
ARGUMENTS = {
    **QUERY_RULES,
    "limit": 1_000,
    "offset": 0,
    "dates": [tiny_dataset.AS_OF],
    "period_start": tiny_dataset.PERIOD_START,
    "period_end": tiny_dataset.PERIOD_END,
    "as_of": tiny_dataset.AS_OF,
    "band_edges": (60.0, 70.0, 80.0, 90.0),
    "near_ceiling_score": 95.0,
    "scores": (1, 2, 3, 4, 5),
    "overstatement_points": 5.0,
    "complete_percent": 100.0,
}
GROUPINGS = (GroupBy.NONE, GroupBy.PROVINCE, GroupBy.DISTRICT, GroupBy.AGENCY, GroupBy.MINISTRY)


_SUMMARISED: dict[str, str] = {}


def _summarised_twin(request: pytest.FixtureRequest, *, facts_url: str) -> str:
    """The tiny dataset once more on the same backend, with its data ending on its as-of date
    and every summary built: the same checks then run through the summary tables."""
    if facts_url not in _SUMMARISED:
        if facts_url.startswith("sqlite"):
            folder = request.getfixturevalue("tmp_path_factory").mktemp("scope_summaries")
            url = f"sqlite:///{folder / 'tiny.sqlite3'}"
        else:
            url = request.getfixturevalue("pg_cluster").create_database("scope_summaries")
        upgrade_to_head(database_url=url)
        with get_engine(url).begin() as connection:
            tiny_dataset.load(connection)
            info = {"key": "data_as_of", "value": tiny_dataset.AS_OF.isoformat()}
            connection.execute(insert(schema.dataset_info).values(**info, updated_at=None))
            summary.refresh(connection)
        _SUMMARISED[facts_url] = url
    return _SUMMARISED[facts_url]


@pytest.fixture(params=["facts", "summaries"])
def tiny_connection(request: pytest.FixtureRequest, tiny_database_url: str) -> Iterator[Connection]:
    """The tiny dataset read from its facts, and read through its summary tables."""
    url = tiny_database_url
    if request.param == "summaries":
        url = _summarised_twin(request, facts_url=tiny_database_url)
    with get_engine(url).connect() as connection:
        yield connection


def test_the_summarised_twin_is_read_through_its_summaries(request, tiny_database_url):
    url = _summarised_twin(request, facts_url=tiny_database_url)
    with get_engine(url).connect() as connection:
        assert summary.snapshot_id(connection, filters=_filters(scope=TUV)) is not None
        assert summary.is_built(connection, name="summary_item_progress")


def _read_functions() -> list:
    found = []
    for module in READ_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            ours = function.__module__ == module.__name__
            if ours and not name.startswith("_") and name not in EXEMPT:
                found.append(pytest.param(function, id=f"{module.__name__}.{name}"))
    return found


FUNCTIONS = _read_functions()
# The ones with a province choice (Filters); the rest are reference lookups, tested below.
FILTERED = [
    parameter
    for parameter in FUNCTIONS
    if "filters" in inspect.signature(parameter.values[0]).parameters
]


def _filters(*, scope: Scope, province: str | None = None) -> Filters:
    return Filters(
        scope=scope,
        period_start=tiny_dataset.PERIOD_START,
        period_end=tiny_dataset.PERIOD_END,
        as_of=tiny_dataset.AS_OF,
        province_code=province,
    )


def _calls(function, *, connection, scope: Scope, province: str | None):
    """Every way of calling ``function``: one per grouping it takes."""
    parameters = inspect.signature(function).parameters
    base = {"connection": connection}
    for name in parameters:
        if name == "connection":
            continue
        if name == "filters":
            base[name] = _filters(scope=scope, province=province)
        elif name == "scope":
            base[name] = scope
        elif name == "parent_code":
            base[name] = province or "41"
        elif name in ARGUMENTS:
            base[name] = ARGUMENTS[name]
        elif name != "group_by":
            raise AssertionError(f"test_scope does not know how to pass {name!r}: add it")
    groupings = GROUPINGS if "group_by" in parameters else (None,)
    for grouping in groupings:
        arguments = dict(base) if grouping is None else {**base, "group_by": grouping}
        try:
            yield grouping, function(**arguments)
        except ValueError as refused:  # a grouping the function does not offer
            assert "grouped" in str(refused) or "group" in str(refused)


def _frames(result) -> list[pd.DataFrame]:
    if isinstance(result, pd.DataFrame):
        return [result]
    if isinstance(result, pd.Series):
        return [result.to_frame()]
    if isinstance(result, dict):
        return [frame for value in result.values() for frame in _frames(value)]
    return []


def _comparable(result):
    if isinstance(result, pd.DataFrame | pd.Series):
        return result.reset_index(drop=True).astype(str).to_dict("list")
    if isinstance(result, dict):
        return {key: _comparable(value) for key, value in result.items()}
    return result


def test_every_read_function_takes_the_scope():
    for parameter in FUNCTIONS:
        function = parameter.values[0]
        names = inspect.signature(function).parameters
        assert "filters" in names or "scope" in names, parameter.id


@pytest.mark.parametrize("function", FILTERED)
def test_regional_scope_equals_choosing_its_own_province(tiny_connection, function):
    """What a Tuv office sees is exactly what leadership sees with Tuv chosen."""
    regional = dict(_calls(function, connection=tiny_connection, scope=TUV, province=None))
    chosen = dict(_calls(function, connection=tiny_connection, scope=FULL_SCOPE, province="41"))
    assert regional
    assert _comparable(regional) == _comparable(chosen)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_row_of_another_province(tiny_connection, function):
    for grouping, result in _calls(function, connection=tiny_connection, scope=TUV, province=None):
        for frame in _frames(result):
            for column in ("org_unit_code", "province_code", "unit_code"):
                if column in frame.columns:
                    assert set(frame[column].dropna()) <= TUV_UNITS, (grouping, column)
            if grouping in (GroupBy.PROVINCE, GroupBy.DISTRICT) and "group_code" in frame:
                assert set(frame["group_code"]) <= TUV_UNITS, grouping


@pytest.mark.parametrize("function", FILTERED)
def test_asking_for_another_province_gives_nothing(tiny_connection, function):
    for grouping, result in _calls(function, connection=tiny_connection, scope=TUV, province="11"):
        for frame in _frames(result):
            numbers = frame.select_dtypes("number")
            assert frame.empty or numbers.empty or (numbers.fillna(0) == 0).all().all(), grouping


def test_reference_lookups_are_scoped(tiny_connection):
    assert list(queries.provinces(connection=tiny_connection, scope=TUV)["code"]) == ["41"]
    assert queries.units_under(connection=tiny_connection, parent_code="11", scope=TUV).empty
    seats = set(queries.agencies(connection=tiny_connection, scope=TUV)["org_unit_code"].dropna())
    assert seats == {"41"}
    first, last = queries.task_date_range(connection=tiny_connection, scope=TUV)
    assert (first, last) == (date(2024, 2, 1), date(2024, 12, 1))


def test_a_regional_scope_needs_its_province():
    with pytest.raises(ValueError, match="needs its province"):
        Scope(role=Role.REGIONAL)
    assert replace(TUV, province_code="11").province_only == "11"
