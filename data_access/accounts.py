"""Local accounts (argon2 password hashes), sign-in with lock-out, and the audit log.

Time is always passed in (``now``), so lock-out and expiry are testable to the second.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from data_access import schema
from data_access.scope import Role, Scope
from data_access.settings import SecuritySettings

_hasher = PasswordHasher()

DEMO_PASSWORD = "oversight-demo"
DEMO_REGIONAL_PROVINCE = "65"
# One account per role in a demo database (listed in the README); never in any other database.
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str | None], ...] = (
    ("leader", "Demo leadership", Role.LEADERSHIP, None),
    ("regional", "Demo regional office", Role.REGIONAL, DEMO_REGIONAL_PROVINCE),
    ("press", "Demo press officer", Role.PRESS, None),
    ("admin", "Demo administrator", Role.ADMIN, None),
)


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"
    SIGN_OUT = "sign_out"
    SESSION_EXPIRED = "session_expired"
    IMPORT = "import"
    EXPORT = "export"
    THRESHOLDS = "thresholds"
    USER_ADDED = "user_added"
    USER_DISABLED = "user_disabled"
    PASSWORD_RESET = "password_reset"


class SignInOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True, kw_only=True)
class User:
    username: str
    display_name: str
    role: Role
    province_code: str | None

    @property
    def scope(self) -> Scope:
        return Scope(role=self.role, province_code=self.province_code)


@dataclass(frozen=True, kw_only=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    locked_until: datetime | None = None


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


def _check_password(*, password: str, settings: SecuritySettings) -> None:
    if len(password) < settings.min_password_length:
        raise AccountError(
            f"the password must have at least {settings.min_password_length} characters"
        )


def record(
    connection: Connection, *, username: str | None, action: AuditAction, detail: str, now: datetime
) -> None:
    """One line in the audit log."""
    connection.execute(
        insert(schema.audit_log).values(
            at=now, username=username, action=action.value, detail=detail[:2000]
        )
    )


def add_user(
    connection: Connection,
    *,
    username: str,
    password: str,
    role: Role,
    province_code: str | None,
    display_name: str,
    settings: SecuritySettings,
    now: datetime,
    actor: str | None,
) -> User:
    _check_password(password=password, settings=settings)
    Scope(role=role, province_code=province_code)  # refuses a regional user without province
    users = schema.users
    if connection.execute(select(users.c.username).where(users.c.username == username)).first():
        raise AccountError(f"the user {username!r} exists already")
    if (
        province_code
        and not connection.execute(
            select(schema.org_units.c.code).where(
                schema.org_units.c.code == province_code, schema.org_units.c.level == 1
            )
        ).first()
    ):
        raise AccountError(f"there is no province with the code {province_code!r}")
    connection.execute(
        insert(users).values(
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
            role=role.value,
            province_code=province_code,
            active=True,
            created_at=now,
            password_changed_at=now,
        )
    )
    record(
        connection,
        username=actor,
        action=AuditAction.USER_ADDED,
        detail=f"{username} ({role.value}{', ' + province_code if province_code else ''})",
        now=now,
    )
    return User(
        username=username,
        display_name=display_name or username,
        role=role,
        province_code=province_code,
    )


def add_demo_accounts(connection: Connection, *, now: datetime) -> list[str]:
    """Give a demo database its one account per role (password ``DEMO_PASSWORD``); accounts
    that exist already are left as they are. Returns the user names added."""
    users = schema.users
    existing = set(connection.execute(select(users.c.username)).scalars())
    added = []
    for username, display_name, role, province_code in DEMO_ACCOUNTS:
        if username in existing:
            continue
        add_user(
            connection,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            province_code=province_code,
            display_name=display_name,
            settings=SecuritySettings(),
            now=now,
            actor=None,
        )
        added.append(username)
    return added


def _require_user(connection: Connection, *, username: str) -> None:
    users = schema.users
    if not connection.execute(select(users.c.username).where(users.c.username == username)).first():
        raise AccountError(f"there is no user {username!r}")


def disable_user(
    connection: Connection, *, username: str, now: datetime, actor: str | None
) -> None:
    _require_user(connection, username=username)
    users = schema.users
    connection.execute(update(users).where(users.c.username == username).values(active=False))
    record(connection, username=actor, action=AuditAction.USER_DISABLED, detail=username, now=now)


def reset_password(
    connection: Connection,
    *,
    username: str,
    password: str,
    settings: SecuritySettings,
    now: datetime,
    actor: str | None,
) -> None:
    _check_password(password=password, settings=settings)
    _require_user(connection, username=username)
    users = schema.users
    connection.execute(
        update(users)
        .where(users.c.username == username)
        .values(password_hash=_hasher.hash(password), password_changed_at=now, active=True)
    )
    record(connection, username=actor, action=AuditAction.PASSWORD_RESET, detail=username, now=now)


def locked_until(
    connection: Connection, *, username: str, settings: SecuritySettings, now: datetime
) -> datetime | None:
    """When a lock-out ends: ``lock_after_failures`` failed sign-ins within any window of
    ``lock_window_minutes`` (since the last success) lock the account for ``lock_minutes``
    from the failure that completed the count."""
    log = schema.audit_log
    window = timedelta(minutes=settings.lock_window_minutes)
    lock = timedelta(minutes=settings.lock_minutes)
    last_success = connection.execute(
        select(func.max(log.c.at)).where(
            log.c.username == username, log.c.action == AuditAction.SIGN_IN.value
        )
    ).scalar()
    earliest = now - window - lock
    if last_success is not None and last_success > earliest:
        earliest = last_success
    failures = list(
        connection.execute(
            select(log.c.at)
            .where(
                log.c.username == username,
                log.c.action == AuditAction.SIGN_IN_FAILED.value,
                log.c.at > earliest,
                log.c.at <= now,
            )
            .order_by(log.c.at)
        ).scalars()
    )
    count = settings.lock_after_failures
    ends = [
        failures[last] + lock
        for last in range(count - 1, len(failures))
        if failures[last] - failures[last - count + 1] <= window
    ]
    return max(ends) if ends and max(ends) > now else None


def sign_in(
    connection: Connection,
    *,
    username: str,
    password: str,
    settings: SecuritySettings,
    now: datetime,
) -> SignInResult:
    """Check a password; every attempt is audited, and a locked account is refused even with
    the right password."""
    users = schema.users
    row = connection.execute(select(users).where(users.c.username == username)).mappings().first()
    until = locked_until(connection, username=username, settings=settings, now=now)
    if until is not None:
        record(
            connection,
            username=username,
            action=AuditAction.SIGN_IN_LOCKED,
            detail=f"locked until {until:%Y-%m-%d %H:%M}",
            now=now,
        )
        return SignInResult(outcome=SignInOutcome.LOCKED, locked_until=until)
    # An unknown name costs a hash check too, so the time taken does not tell which names exist.
    hashed = row["password_hash"] if row is not None else _unknown_user_hash()
    if not _password_matches(hashed=hashed, password=password) or row is None:
        record(
            connection,
            username=username,
            action=AuditAction.SIGN_IN_FAILED,
            detail="unknown user" if row is None else "wrong password",
            now=now,
        )
        until = locked_until(connection, username=username, settings=settings, now=now)
        if until is not None:
            return SignInResult(outcome=SignInOutcome.LOCKED, locked_until=until)
        return SignInResult(outcome=SignInOutcome.INVALID)
    if not row["active"]:
        record(
            connection,
            username=username,
            action=AuditAction.SIGN_IN_FAILED,
            detail="disabled account",
            now=now,
        )
        return SignInResult(outcome=SignInOutcome.DISABLED)
    record(connection, username=username, action=AuditAction.SIGN_IN, detail="", now=now)
    return SignInResult(outcome=SignInOutcome.OK, user=_user(row))


def single_sign_on(connection: Connection, *, username: str, now: datetime) -> SignInResult:
    """A user the organisation's identity provider vouched for (by e-mail address): signed in
    when an active local account of that name exists, which gives the role and the scope."""
    users = schema.users
    row = connection.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is None or not row["active"]:
        record(
            connection,
            username=username,
            action=AuditAction.SIGN_IN_FAILED,
            detail="single sign-on: " + ("no local account" if row is None else "disabled account"),
            now=now,
        )
        return SignInResult(
            outcome=SignInOutcome.INVALID if row is None else SignInOutcome.DISABLED
        )
    record(
        connection, username=username, action=AuditAction.SIGN_IN, detail="single sign-on", now=now
    )
    return SignInResult(outcome=SignInOutcome.OK, user=_user(row))


def _user(row: Mapping) -> User:
    return User(
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        province_code=row["province_code"],
    )


# Each check takes 64 MiB: a crowd signing in at once must not multiply that without bound.
_CHECKS_AT_ONCE = threading.BoundedSemaphore(2)


@functools.cache
def _unknown_user_hash() -> str:
    return _hasher.hash("no such user")


def _password_matches(*, hashed: str, password: str) -> bool:
    try:
        with _CHECKS_AT_ONCE:
            return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def user_list(connection: Connection) -> pd.DataFrame:
    """Columns: username, display_name, role, province_code, active, created_at."""
    users = schema.users
    query = select(
        users.c.username,
        users.c.display_name,
        users.c.role,
        users.c.province_code,
        users.c.active,
        users.c.created_at,
    ).order_by(users.c.username)
    return pd.DataFrame(connection.execute(query).mappings().all())


def audit_entries(
    connection: Connection,
    *,
    since: datetime,
    action: str | None,
    username: str | None,
    limit: int,
) -> pd.DataFrame:
    """Newest first. Columns: at, username, action, detail."""
    log = schema.audit_log
    conditions = [log.c.at >= since]
    if action:
        conditions.append(log.c.action == action)
    if username:
        conditions.append(log.c.username == username)
    query = (
        select(log.c.at, log.c.username, log.c.action, log.c.detail)
        .where(*conditions)
        .order_by(log.c.at.desc(), log.c.id.desc())
        .limit(limit)
    )
    frame = pd.DataFrame(connection.execute(query).mappings().all())
    return (
        frame if not frame.empty else pd.DataFrame(columns=["at", "username", "action", "detail"])
    )
