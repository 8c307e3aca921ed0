"""Shared fixtures: databases built from the hand-made tiny dataset, per backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from data_access.db import get_engine
from data_access.filters import Filters
from data_access.migrate import upgrade_to_head
from data_access.scope import FULL_SCOPE
from tests import tiny_dataset
from tests.pg_cluster import Cluster, postgres_bin_dir, remove_cluster, start_cluster

PROJECT_ROOT = Path(__file__).resolve().parent.parent


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL server for the whole session. Without server binaries the tests
    that need it skip, except under CI=true, where a missing PostgreSQL is a failure."""
    if postgres_bin_dir() is None:
        message = "PostgreSQL server binaries not found (install the postgresql package)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    cluster = start_cluster()
    yield cluster
    remove_cluster(cluster)


def backend_url(
    *, request: pytest.FixtureRequest, backend: str, name: str, folder: pytest.TempPathFactory
) -> str:
    """An empty database called ``name`` on ``backend``."""
    if backend == "postgresql":
        return request.getfixturevalue("pg_cluster").create_database(name)
    return f"sqlite:///{folder.mktemp(name) / f'{name}.sqlite3'}"


@pytest.fixture(scope="session", params=BACKENDS)
def tiny_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    url = backend_url(request=request, backend=request.param, name="tiny", folder=tmp_path_factory)
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        tiny_dataset.load(connection)
    return url


@pytest.fixture
def tiny_connection(tiny_database_url: str) -> Iterator[Connection]:
    with get_engine(tiny_database_url).connect() as connection:
        yield connection


@pytest.fixture
def tiny_filters() -> Filters:
    return Filters(
        scope=FULL_SCOPE,
        period_start=tiny_dataset.PERIOD_START,
        period_end=tiny_dataset.PERIOD_END,
        as_of=tiny_dataset.AS_OF,
    )


@pytest.fixture(scope="session")
def small_demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small demo dataset in a SQLite file, built once per test session."""
    from data_access.demo import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo-small') / 'demo.sqlite3'}"
    load_demo(database_url=url, scale="small")
    return url


@pytest.fixture(scope="session")
def default_demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The default-scale demo dataset (what `make run` serves), built once per test session."""
    from data_access.demo import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo-default') / 'demo.sqlite3'}"
    load_demo(database_url=url, scale="default")
    return url
