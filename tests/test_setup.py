"""First start: the embedded default is migrated and filled with demo data; others migrated."""

from __future__ import annotations

import pytest

from data_access import db, queries
from data_access.setup import is_empty, prepare


def test_empty_embedded_default_gets_the_demo_dataset_once(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'data' / 'oversight.sqlite3'}"
    monkeypatch.setattr(db, "EMBEDDED_DATABASE_URL", url)
    steps: list[float] = []
    assert prepare(database_url=url, scale="small", progress=lambda share, _: steps.append(share))
    assert steps and steps[-1] == pytest.approx(1.0)
    with db.get_engine(url).connect() as connection:
        assert queries.dataset_info(connection=connection)["dataset"] == "synthetic_demo"
    assert prepare(database_url=url, scale="small") is False


def test_other_databases_are_migrated_but_never_filled(tmp_path):
    url = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    assert prepare(database_url=url, scale="small") is False
    assert is_empty(database_url=url)
