"""Sign-in before any page: local accounts, optional single sign-on, idle expiry, sign-out."""

from __future__ import annotations

from datetime import datetime

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access import accounts
from data_access.accounts import AuditAction, SignInOutcome, User
from data_access.db import get_engine
from data_access.settings import security_settings
from pages.common import (
    FILTERS_KEY,
    USER_KEY,
    DatabaseUnavailableError,
    data_guard,
    database_url,
    dataset,
    plain,
    t,
    write_database_url,
)

LAST_SEEN_KEY = "last_seen"


def _now() -> datetime:
    # The one clock of the UI; data_access and metrics take time as a parameter.
    return datetime.now()


def audit(*, action: AuditAction, detail: str) -> None:
    """Write one audit line for the signed-in user (exports, imports, changes)."""
    user = st.session_state.get(USER_KEY)
    try:
        with get_engine(write_database_url()).begin() as connection:
            accounts.record(
                connection,
                username=user.username if user else None,
                action=action,
                detail=detail,
                now=_now(),
            )
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error


def _forget_session() -> None:
    """Sign-out and expiry leave nothing of the user's session behind but the language."""
    language = st.session_state.get("language")
    st.session_state.clear()
    if language is not None:
        st.session_state["language"] = language


def _expired(user: User) -> bool:
    last_seen = st.session_state.get(LAST_SEEN_KEY)
    idle = security_settings().idle_minutes
    return last_seen is not None and (_now() - last_seen).total_seconds() > idle * 60


def current_user() -> User | None:
    """The signed-in user, or None (also after the idle time has run out)."""
    user = st.session_state.get(USER_KEY)
    if user is None and _single_sign_on_configured() and st.user.is_logged_in:
        user = _single_sign_on(str(st.user.get("email", "")))
    if user is None:
        return None
    if _expired(user):
        audit(action=AuditAction.SESSION_EXPIRED, detail="idle")
        _forget_session()
        st.session_state["session_expired"] = True
        return None
    st.session_state[LAST_SEEN_KEY] = _now()
    return user


def _attempt(username: str, password: str) -> None:
    try:
        with get_engine(write_database_url()).begin() as connection:
            result = accounts.sign_in(
                connection,
                username=username.strip(),
                password=password,
                settings=security_settings(),
                now=_now(),
            )
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error
    if result.outcome is SignInOutcome.OK:
        st.session_state[USER_KEY] = result.user
        st.session_state[LAST_SEEN_KEY] = _now()
        st.session_state.pop("session_expired", None)
        st.session_state.pop(FILTERS_KEY, None)
        st.rerun()
    elif result.outcome is SignInOutcome.LOCKED:
        st.error(t("auth.locked", until=f"{result.locked_until:%H:%M}"))
    elif result.outcome is SignInOutcome.DISABLED:
        st.error(t("auth.disabled"))
    else:
        st.error(t("auth.invalid"))


def _single_sign_on(email: str) -> User | None:
    """The local account of the address the identity provider vouched for, if it may enter."""
    try:
        with get_engine(write_database_url()).begin() as connection:
            result = accounts.single_sign_on(connection, username=email, now=_now())
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error
    if result.outcome is not SignInOutcome.OK:
        st.session_state["single_sign_on_refused"] = email
        st.logout()
        return None
    st.session_state[USER_KEY] = result.user
    st.session_state[LAST_SEEN_KEY] = _now()
    return result.user


def sign_in_page() -> None:
    """The only thing an anonymous visitor sees."""
    st.title(t("auth.title"))
    if st.session_state.get("session_expired"):
        st.info(t("auth.expired"))
    if refused := st.session_state.get("single_sign_on_refused"):
        st.error(t("auth.sso_refused", email=plain(refused)))
    with st.form("sign_in"):
        username = st.text_input(t("auth.username"), key="sign_in_username")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    if submitted:
        with data_guard():
            _attempt(username, password)
    if _single_sign_on_configured():
        st.divider()
        st.button(t("auth.sso"), on_click=st.login)
    with data_guard():
        loaded = dataset(database_url())
    if loaded.get("dataset") == "synthetic_demo":
        accounts_list = ", ".join(f"`{username}`" for username, *_rest in accounts.DEMO_ACCOUNTS)
        st.info(t("auth.demo_accounts", accounts=accounts_list, password=accounts.DEMO_PASSWORD))


def _single_sign_on_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def sign_out_control(user: User, *, province_names: dict[str, str]) -> None:
    with st.sidebar:
        province = province_names.get(user.province_code or "", user.province_code)
        place = f" · {province}" if province else ""
        st.caption(
            t("auth.signed_in_as", name=plain(user.display_name), role=t(f"role.{user.role}"))
            + plain(place)
        )
        if st.button(t("auth.sign_out"), key="sign_out"):
            audit(action=AuditAction.SIGN_OUT, detail="")
            _forget_session()
            if _single_sign_on_configured() and st.user.is_logged_in:
                st.logout()
            st.rerun()
