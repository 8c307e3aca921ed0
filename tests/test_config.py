"""The one configuration entry point: DATABASE_URL → Streamlit secrets → embedded default."""

from __future__ import annotations

import pytest

from data_access.db import (
    EMBEDDED_DATABASE_URL,
    normalise_database_url,
    resolve_database_url,
    resolve_read_database_url,
    sqlite_file,
)


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_READ_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def _secrets(folder, text: str) -> None:
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    (folder / ".streamlit" / "secrets.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_postgresql_urls_use_psycopg3(given: str, expected: str):
    assert normalise_database_url(given) == expected


def test_embedded_default_when_nothing_is_configured(clean):
    assert resolve_database_url() == EMBEDDED_DATABASE_URL
    assert resolve_read_database_url() == EMBEDDED_DATABASE_URL


def test_secrets_file_then_environment_then_explicit(clean, monkeypatch):
    _secrets(clean, 'database_url = "postgresql://from-secrets/db"\n')
    assert resolve_database_url() == "postgresql+psycopg://from-secrets/db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://from-env/db")
    assert resolve_database_url() == "postgresql+psycopg://from-env/db"
    assert resolve_database_url(explicit="sqlite:////x.db") == "sqlite:////x.db"


def test_home_secrets_are_used_when_the_working_folder_has_none(clean):
    _secrets(clean / "home", 'database_url = "postgresql://from-home/db"\n')
    assert resolve_database_url() == "postgresql+psycopg://from-home/db"


def test_read_replica_is_only_for_reading(clean, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://primary/db")
    monkeypatch.setenv("DATABASE_READ_URL", "postgresql://replica/db")
    assert resolve_database_url() == "postgresql+psycopg://primary/db"
    assert resolve_read_database_url() == "postgresql+psycopg://replica/db"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////tmp/a/b.sqlite3", "/tmp/a/b.sqlite3"),
        ("sqlite://", None),
        ("postgresql://h/db", None),
    ],
)
def test_sqlite_file(url: str, expected: str | None):
    found = sqlite_file(url)
    assert (None if found is None else str(found)) == expected
