"""``python -m data_access users``: the first admin of a new database comes from here."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import select

from data_access import accounts, schema
from data_access.__main__ import main
from data_access.accounts import AccountError, SignInOutcome
from data_access.db import get_engine
from data_access.migrate import upgrade_to_head
from data_access.settings import SecuritySettings
from data_access.users_command import COMMAND_LINE_ACTOR, read_new_password
from tests import tiny_dataset

PASSWORD = "a long enough password"


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'accounts.sqlite3'}"
    upgrade_to_head(database_url=url)
    with get_engine(url).begin() as connection:
        tiny_dataset.load(connection)
    return url


def _run(monkeypatch, url: str, *arguments: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *arguments, "--database-url", url])


def _sign_in(url: str, username: str, password: str) -> SignInOutcome:
    with get_engine(url).begin() as connection:
        return accounts.sign_in(
            connection,
            username=username,
            password=password,
            settings=SecuritySettings(),
            now=datetime.now(),
        ).outcome


def test_a_new_database_has_no_accounts(url, monkeypatch, capsys):
    assert _run(monkeypatch, url, "list") == 0
    assert "No accounts." in capsys.readouterr().out


def test_the_first_admin_is_added_disabled_and_reset_from_the_command_line(url, monkeypatch):
    assert _run(monkeypatch, url, "add", "chief", "--role", "admin", stdin=PASSWORD + "\n") == 0
    assert _sign_in(url, "chief", PASSWORD) is SignInOutcome.OK
    assert _run(monkeypatch, url, "disable", "chief") == 0
    assert _sign_in(url, "chief", PASSWORD) is SignInOutcome.DISABLED
    assert _run(monkeypatch, url, "reset-password", "chief", stdin="another long password\n") == 0
    assert _sign_in(url, "chief", "another long password") is SignInOutcome.OK
    log = schema.audit_log
    with get_engine(url).connect() as connection:
        changes = connection.execute(
            select(log.c.username, log.c.action)
            .where(log.c.action.in_(["user_added", "user_disabled", "password_reset"]))
            .order_by(log.c.id)
        ).all()
    assert changes == [
        (COMMAND_LINE_ACTOR, "user_added"),
        (COMMAND_LINE_ACTOR, "user_disabled"),
        (COMMAND_LINE_ACTOR, "password_reset"),
    ]


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (("add", "x", "--role", "admin"), "short\n", "at least 12 characters"),
        (("add", "x", "--role", "regional"), PASSWORD + "\n", "needs its province"),
        (("add", "x", "--role", "regional", "--province", "99"), PASSWORD + "\n", "no province"),
        (("add", "x", "--role", "press", "--province", "41"), PASSWORD + "\n", "not bound"),
        (("disable", "nobody"), "", "no user 'nobody'"),
        (("reset-password", "nobody"), PASSWORD + "\n", "no user 'nobody'"),
    ],
)
def test_refused_requests_say_why_and_exit_1(url, monkeypatch, capsys, arguments, stdin, message):
    assert _run(monkeypatch, url, *arguments, stdin=stdin) == 1
    assert message in capsys.readouterr().err
    with get_engine(url).connect() as connection:
        assert accounts.user_list(connection).empty


def test_a_regional_account_is_bound_to_its_province(url, monkeypatch):
    arguments = ("add", "tuv", "--role", "regional", "--province", "41", "--name", "Tuv office")
    assert _run(monkeypatch, url, *arguments, stdin=PASSWORD + "\n") == 0
    with get_engine(url).connect() as connection:
        users = accounts.user_list(connection)
    assert users[["username", "display_name", "role", "province_code"]].values.tolist() == [
        ["tuv", "Tuv office", "regional", "41"]
    ]


def test_an_existing_name_is_refused(url, monkeypatch):
    assert _run(monkeypatch, url, "add", "a", "--role", "press", stdin=PASSWORD + "\n") == 0
    assert _run(monkeypatch, url, "add", "a", "--role", "admin", stdin=PASSWORD + "\n") == 1


def test_on_a_terminal_the_password_is_asked_twice():
    answers = iter(["first password", "second password"])
    with pytest.raises(AccountError, match="differ"):
        read_new_password(prompt=lambda _text: next(answers), interactive=True)
    same = iter([PASSWORD, PASSWORD])
    assert read_new_password(prompt=lambda _text: next(same), interactive=True) == PASSWORD


def test_an_unreachable_database_exits_2(monkeypatch, capsys):
    bad = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none"
    assert _run(monkeypatch, bad, "list") == 2
    assert "database" in capsys.readouterr().err


def test_a_demo_database_has_one_account_per_role(small_demo_url):
    with get_engine(small_demo_url).connect() as connection:
        users = accounts.user_list(connection)
    assert sorted(
        zip(users["role"], users["username"], users["province_code"].fillna(""), strict=True)
    ) == [
        ("admin", "admin", ""),
        ("leadership", "leader", ""),
        ("press", "press", ""),
        ("regional", "regional", accounts.DEMO_REGIONAL_PROVINCE),
    ]
    assert _sign_in(small_demo_url, "press", accounts.DEMO_PASSWORD) is SignInOutcome.OK
