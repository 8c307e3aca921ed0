"""Shared fixtures: databases built from the hand-made tiny dataset, per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from data_access.db import get_engine
from data_access.filters import Filters
from data_access.migrate import upgrade_to_head
from tests import tiny_dataset

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tiny_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('tiny') / 'tiny.sqlite3'}"
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
