"""The Data page's tabs for administrators: accounts (add, disable, reset a password), the
traffic-light thresholds, and the audit log, filtered by date, action and user. Every change
here is audited by data_access."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from data_access import accounts, thresholds
from data_access.accounts import AccountError, AuditAction, User
from data_access.db import get_engine
from data_access.scope import Role
from data_access.settings import security_settings
from metrics.definitions import METRICS, STATUS_METRICS, effective_metrics
from pages.common import (
    DatabaseUnavailableError,
    language,
    metric_definitions,
    plain,
    refresh_figures,
    t,
    write_database_url,
)

AUDIT_ROWS = 1000
AUDIT_DAYS = 30


def _write(change) -> bool:
    """Run one account change in a transaction; say what went wrong instead of failing."""
    try:
        with get_engine(write_database_url()).begin() as connection:
            change(connection)
    except AccountError as error:
        st.error(t("admin.refused", reason=plain(error)))
        return False
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error
    return True


def _read(reader, **arguments):
    try:
        with get_engine(write_database_url()).connect() as connection:
            return reader(connection, **arguments)
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error


def _add_user_form(*, admin: User, provinces: pd.DataFrame) -> None:
    names = dict(zip(provinces["code"], provinces[f"name_{language()}"], strict=True))
    with st.form("add_user", clear_on_submit=True):
        st.markdown(f"**{t('admin.add')}**")
        username = st.text_input(t("auth.username"), key="new_username")
        display_name = st.text_input(t("admin.display_name"), key="new_display_name")
        role = st.selectbox(
            t("admin.role"),
            list(Role),
            format_func={role: t(f"role.{role}") for role in Role}.__getitem__,
            key=f"new_role_{language()}",
        )
        province = st.selectbox(
            t("admin.province"),
            ["", *names],
            format_func={"": t("admin.no_province"), **names}.__getitem__,
            key=f"new_province_{language()}",
        )
        password = st.text_input(t("auth.password"), type="password", key="new_password")
        repeated = st.text_input(t("admin.repeat"), type="password", key="new_password_again")
        submitted = st.form_submit_button(t("admin.add_submit"))
    if not submitted:
        return
    if password != repeated:
        st.error(t("admin.passwords_differ"))
        return
    if _write(
        lambda connection: accounts.add_user(
            connection,
            username=username.strip(),
            password=password,
            role=role,
            province_code=province or None,
            display_name=display_name.strip(),
            settings=security_settings(),
            now=datetime.now(),
            actor=admin.username,
        )
    ):
        st.success(t("admin.added", username=plain(username.strip())))


def _change_user_form(*, admin: User, usernames: list[str]) -> None:
    with st.form("change_user", clear_on_submit=True):
        st.markdown(f"**{t('admin.change')}**")
        username = st.selectbox(t("auth.username"), usernames, key="change_username")
        password = st.text_input(t("admin.new_password"), type="password", key="reset_password")
        left, right = st.columns(2)
        reset = left.form_submit_button(t("admin.reset"))
        disable = right.form_submit_button(t("admin.disable"))
    if disable and username == admin.username:
        st.error(t("admin.not_yourself"))
    elif disable and _write(
        lambda connection: accounts.disable_user(
            connection, username=username, now=datetime.now(), actor=admin.username
        )
    ):
        st.success(t("admin.disabled", username=plain(username)))
    elif reset and _write(
        lambda connection: accounts.reset_password(
            connection,
            username=username,
            password=password,
            settings=security_settings(),
            now=datetime.now(),
            actor=admin.username,
        )
    ):
        st.success(t("admin.reset_done", username=plain(username)))


def users_tab(*, admin: User, provinces: pd.DataFrame) -> None:
    users = _read(accounts.user_list)
    st.dataframe(
        pd.DataFrame(
            {
                t("auth.username"): users.get("username", []),
                t("admin.display_name"): users.get("display_name", []),
                t("admin.role"): [t(f"role.{role}") for role in users.get("role", [])],
                t("admin.province"): users.get("province_code", []),
                t("admin.active"): [
                    t("common.yes") if active else t("common.no")
                    for active in users.get("active", [])
                ],
                t("admin.created"): users.get("created_at", []),
            }
        ),
        hide_index=True,
        width="stretch",
        key="user_list",
    )
    left, right = st.columns(2)
    with left:
        _add_user_form(admin=admin, provinces=provinces)
    with right:
        _change_user_form(admin=admin, usernames=users.get("username", pd.Series()).tolist())


def _audit_entries(connection: Connection, *, since: datetime, action: str, username: str):
    return accounts.audit_entries(
        connection,
        since=since,
        action=action or None,
        username=username.strip() or None,
        limit=AUDIT_ROWS,
    )


def audit_tab() -> None:
    st.caption(t("admin.audit_caption", rows=AUDIT_ROWS))
    left, middle, right = st.columns(3)
    since = left.date_input(
        t("admin.since"),
        value=datetime.now().date() - timedelta(days=AUDIT_DAYS),
        key="audit_since",
    )
    action = middle.selectbox(
        t("admin.action"),
        ["", *[action.value for action in AuditAction]],
        format_func={
            "": t("filter.all"),
            **{action.value: t(f"audit.{action.value}") for action in AuditAction},
        }.__getitem__,
        key=f"audit_action_{language()}",
    )
    username = right.text_input(t("auth.username"), key="audit_user")
    entries = _read(
        _audit_entries,
        since=datetime.combine(since, time.min),
        action=action,
        username=username,
    )
    if entries.empty:
        st.info(t("admin.audit_empty"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("admin.when"): entries["at"],
                t("auth.username"): entries["username"],
                t("admin.action"): entries["action"].map(lambda value: t(f"audit.{value}")),
                t("admin.detail"): entries["detail"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="audit_log",
    )


def _save_thresholds(*, admin: User, metric_key: str, green: float, yellow: float) -> None:
    try:
        effective_metrics(overrides={metric_key: (green, yellow)})
    except ValueError as refused:
        st.error(t("admin.refused", reason=plain(refused)))
        return
    if _write(
        lambda connection: thresholds.set_thresholds(
            connection,
            metric_key=metric_key,
            green=green,
            yellow=yellow,
            actor=admin.username,
            now=datetime.now(),
        )
    ):
        refresh_figures()
        st.success(t("admin.thresholds_saved", metric=METRICS[metric_key].label[language()]))


def thresholds_tab(*, admin: User, url: str) -> None:
    """The traffic-light thresholds: defaults, what is in force, and a form to change them."""
    current = metric_definitions(url)
    st.caption(t("admin.thresholds_caption"))
    st.dataframe(
        pd.DataFrame(
            {
                t("admin.metric"): [METRICS[key].label[language()] for key in STATUS_METRICS],
                t("admin.direction"): [
                    t(f"admin.direction_{METRICS[key].direction.value}") for key in STATUS_METRICS
                ],
                t("admin.default_green"): [METRICS[key].green for key in STATUS_METRICS],
                t("admin.default_yellow"): [METRICS[key].yellow for key in STATUS_METRICS],
                t("admin.green"): [current[key].green for key in STATUS_METRICS],
                t("admin.yellow"): [current[key].yellow for key in STATUS_METRICS],
            }
        ),
        hide_index=True,
        width="stretch",
        key="threshold_table",
    )
    metric_key = st.selectbox(
        t("admin.metric"),
        STATUS_METRICS,
        format_func={key: METRICS[key].label[language()] for key in STATUS_METRICS}.__getitem__,
        key=f"threshold_metric_{language()}",
    )
    with st.form("thresholds"):
        left, right = st.columns(2)
        green = left.number_input(
            t("admin.green"), value=float(current[metric_key].green), key=f"green_{metric_key}"
        )
        yellow = right.number_input(
            t("admin.yellow"), value=float(current[metric_key].yellow), key=f"yellow_{metric_key}"
        )
        save, reset = st.columns(2)
        saved = save.form_submit_button(t("admin.thresholds_save"))
        restored = reset.form_submit_button(t("admin.thresholds_reset"))
    if saved:
        _save_thresholds(admin=admin, metric_key=metric_key, green=green, yellow=yellow)
    elif restored and _write(
        lambda connection: thresholds.reset_thresholds(
            connection, metric_key=metric_key, actor=admin.username, now=datetime.now()
        )
    ):
        refresh_figures()
        st.success(t("admin.thresholds_restored", metric=METRICS[metric_key].label[language()]))
