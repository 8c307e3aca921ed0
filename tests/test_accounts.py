"""Local accounts: argon2 hashes, password policy, lock-out after repeated failures, audit."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from data_access import accounts
from data_access.accounts import AccountError, SignInOutcome
from data_access.db import get_engine
from data_access.scope import Role
from data_access.settings import SecuritySettings

SETTINGS = SecuritySettings(lock_after_failures=5, lock_window_minutes=15, lock_minutes=15)
T0 = datetime(2025, 11, 30, 9, 0, 0)
PASSWORD = "correct horse battery"


@pytest.fixture
def connection(tiny_database_url):
    with get_engine(tiny_database_url).begin() as transaction:
        yield transaction


@pytest.fixture
def username(connection) -> str:
    name = f"user-{uuid.uuid4().hex[:8]}"
    accounts.add_user(
        connection,
        username=name,
        password=PASSWORD,
        role=Role.REGIONAL,
        province_code="41",
        display_name="Tuv office",
        settings=SETTINGS,
        now=T0,
        actor="admin",
    )
    return name


def _sign_in(connection, username: str, password: str, now: datetime):
    return accounts.sign_in(
        connection, username=username, password=password, settings=SETTINGS, now=now
    )


def test_right_password_signs_in_with_the_users_scope(connection, username):
    result = _sign_in(connection, username, PASSWORD, T0)
    assert result.outcome is SignInOutcome.OK
    assert result.user.scope.province_only == "41"
    stored = connection.exec_driver_sql(
        f"SELECT password_hash FROM users WHERE username = '{username}'"
    ).scalar()
    assert stored.startswith("$argon2") and PASSWORD not in stored


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(4, SignInOutcome.OK), (5, SignInOutcome.LOCKED)],
)
def test_account_locks_after_five_failures_in_fifteen_minutes(
    connection, username, failures, expected
):
    for minute in range(failures):
        wrong = _sign_in(connection, username, "wrong password!", T0 + timedelta(minutes=minute))
        assert wrong.outcome in (SignInOutcome.INVALID, SignInOutcome.LOCKED)
    result = _sign_in(connection, username, PASSWORD, T0 + timedelta(minutes=5))
    assert result.outcome is expected


def test_lock_ends_after_the_lock_time(connection, username):
    for minute in range(5):
        _sign_in(connection, username, "wrong password!", T0 + timedelta(minutes=minute))
    last_failure = T0 + timedelta(minutes=4)
    assert _sign_in(
        connection, username, PASSWORD, last_failure + timedelta(minutes=14)
    ).outcome is (SignInOutcome.LOCKED)
    later = last_failure + timedelta(minutes=15, seconds=1)
    assert _sign_in(connection, username, PASSWORD, later).outcome is SignInOutcome.OK


def test_failures_spread_over_more_than_the_window_do_not_lock(connection, username):
    for attempt in range(6):
        _sign_in(connection, username, "wrong password!", T0 + timedelta(minutes=4 * attempt))
    assert _sign_in(connection, username, PASSWORD, T0 + timedelta(minutes=24)).outcome is (
        SignInOutcome.OK
    )


def test_disabled_account_cannot_sign_in(connection, username):
    accounts.disable_user(connection, username=username, now=T0, actor="admin")
    assert _sign_in(connection, username, PASSWORD, T0).outcome is SignInOutcome.DISABLED
    accounts.reset_password(
        connection,
        username=username,
        password="another long password",
        settings=SETTINGS,
        now=T0,
        actor="admin",
    )
    assert _sign_in(connection, username, "another long password", T0).outcome is (SignInOutcome.OK)


@pytest.mark.parametrize(
    ("password", "role", "province", "message"),
    [
        ("short", Role.LEADERSHIP, None, "at least 12 characters"),
        (PASSWORD, Role.REGIONAL, None, "needs its province"),
        (PASSWORD, Role.REGIONAL, "99", "no province"),
        (PASSWORD, Role.REGIONAL, "4101", "no province"),
        (PASSWORD, Role.PRESS, "41", "not bound to a province"),
    ],
)
def test_account_rules(connection, password, role, province, message):
    with pytest.raises(ValueError, match=message):
        accounts.add_user(
            connection,
            username=f"new-{uuid.uuid4().hex[:6]}",
            password=password,
            role=role,
            province_code=province,
            display_name="",
            settings=SETTINGS,
            now=T0,
            actor=None,
        )


def test_duplicate_user_is_refused(connection, username):
    with pytest.raises(AccountError, match="exists already"):
        accounts.add_user(
            connection,
            username=username,
            password=PASSWORD,
            role=Role.ADMIN,
            province_code=None,
            display_name="",
            settings=SETTINGS,
            now=T0,
            actor=None,
        )


def test_every_attempt_is_audited(connection, username):
    _sign_in(connection, username, "wrong password!", T0 + timedelta(seconds=1))
    _sign_in(connection, username, PASSWORD, T0 + timedelta(seconds=2))
    entries = accounts.audit_entries(connection, since=T0, action=None, username=username, limit=10)
    assert list(entries["action"]) == ["sign_in", "sign_in_failed"]
    added = accounts.audit_entries(
        connection, since=T0, action="user_added", username="admin", limit=100
    )
    assert any(username in detail for detail in added["detail"])
