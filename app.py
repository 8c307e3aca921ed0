"""Oversight dashboard: entry point with navigation and the filters every page shares."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from data_access.accounts import User
from data_access.filters import Filters
from data_access.scope import Role, Scope
from metrics.i18n import LANGUAGES
from pages import warmup
from pages.auth import current_user, sign_in_page, sign_out_control
from pages.common import (
    FILTERS_KEY,
    OPEN_PAGES_KEY,
    USER_KEY,
    data_guard,
    database_url,
    ensure_prepared,
    language,
    reference_data,
    t,
    write_database_url,
)

st.set_page_config(page_title="Oversight dashboard", page_icon="🚦", layout="wide")
warmup.start()

LANGUAGE_NAMES = {"mn": "Монгол", "en": "English"}


def _year_options(first: date, last: date) -> list[str]:
    return [str(year) for year in range(last.year, first.year - 1, -1)]


def _choice(*, label: str, codes: list[str], names: dict[str, str], name: str) -> str:
    """A code chosen by its name ("" = all). Streamlit keeps a select box's value as its shown
    label, which changes with the language; so each language has its own box and the chosen
    code is remembered apart, to survive a switch of language."""
    remembered = st.session_state.get(f"{name}_code", "")
    options = ["", *codes]
    everything = t("filter.all")  # resolved now: Streamlit may format options outside the run
    chosen = st.selectbox(
        label,
        options,
        index=options.index(remembered) if remembered in options else 0,
        format_func=lambda code: names.get(code, everything),
        key=f"{name}_{language()}",
    )
    st.session_state[f"{name}_code"] = chosen
    return chosen


def language_switch() -> None:
    with st.sidebar:
        st.radio(
            t("filter.language"),
            LANGUAGES,
            format_func=LANGUAGE_NAMES.__getitem__,
            horizontal=True,
            key="language",
        )


def sidebar_filters(reference: dict, scope: Scope) -> Filters:
    """Period, as-of date, province, ministry and agency; the result drives every page."""
    first, last = reference["date_range"]
    data_as_of = date.fromisoformat(
        reference["dataset"].get("data_as_of", str(last or date.today()))
    )
    first = first or data_as_of
    last = last or data_as_of
    with st.sidebar:
        year = st.selectbox(t("filter.period"), _year_options(first, data_as_of), key="period")
        period_start, period_end = date(int(year), 1, 1), date(int(year), 12, 31)
        as_of = st.date_input(
            t("filter.as_of"),
            value=min(period_end, data_as_of),
            min_value=period_start,
            max_value=period_end,
            key=f"as_of_{year}",
        )
        provinces = reference["provinces"]
        province = _choice(
            label=t("filter.province"),
            codes=provinces["code"].tolist(),
            names=dict(zip(provinces["code"], provinces[f"name_{language()}"], strict=True)),
            name="province",
        )
        agencies = reference["agencies"]
        ministries = agencies[agencies["kind"] == "ministry"]
        ministry = _choice(
            label=t("filter.ministry"),
            codes=ministries["code"].tolist(),
            names=dict(zip(ministries["code"], ministries[f"name_{language()}"], strict=True)),
            name="ministry",
        )
        under = agencies[agencies["parent_code"] == ministry] if ministry else agencies
        agency = _choice(
            label=t("filter.agency"),
            codes=under["code"].tolist(),
            names=dict(zip(under["code"], under[f"name_{language()}"], strict=True)),
            name=f"agency_{ministry}",
        )
    return Filters(
        scope=scope,
        period_start=period_start,
        period_end=period_end,
        as_of=as_of,
        province_code=province or None,
        ministry_code=ministry or None,
        agency_code=agency or None,
    )


EVERYONE = frozenset(Role)
# Press officers see aggregates only: no page that lists tasks, staff ratings or internal checks.
INTERNAL = frozenset({Role.LEADERSHIP, Role.REGIONAL, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
PAGES = [
    ("pages/overview.py", "page.overview", "📊", EVERYONE),
    ("pages/map.py", "page.map", "🗺️", EVERYONE),
    ("pages/agencies.py", "page.agencies", "🏛️", EVERYONE),
    ("pages/plans.py", "page.plans", "📋", EVERYONE),
    ("pages/tasks.py", "page.tasks", "⏱️", INTERNAL),
    ("pages/satisfaction_gap.py", "page.gap", "⚖️", EVERYONE),
    ("pages/digital_services.py", "page.digital", "💻", EVERYONE),
    ("pages/reality_check.py", "page.reality", "🔍", INTERNAL),
    ("pages/integrity.py", "page.integrity", "🧾", INTERNAL),
    ("pages/outlook.py", "page.outlook", "📈", INTERNAL),
    ("pages/press_room.py", "page.press", "📰", EVERYONE),
    ("pages/data.py", "page.data", "🗄️", ADMINS),
]


def navigation_for(user: User | None):
    """The pages the reader may open. Anonymous readers get nothing but the sign-in form, which
    also answers every page's address, so a deep link opens that page once signed in."""
    if user is None:
        return st.navigation(
            [
                st.Page(sign_in_page, title=t("auth.title"), icon="🔐", default=True),
                *(
                    st.Page(sign_in_page, title=t("auth.title"), url_path=Path(path).stem)
                    for path, *_rest in PAGES
                ),
            ],
            position="hidden",
        )
    open_pages = [(path, title, icon) for path, title, icon, roles in PAGES if user.role in roles]
    st.session_state[OPEN_PAGES_KEY] = [path for path, _title, _icon in open_pages]
    return st.navigation(
        [st.Page(path, title=t(title), icon=icon) for path, title, icon in open_pages]
    )


# The navigation comes first in every run: before it, Streamlit would list the pages/ folder.
language_switch()
believed = st.session_state.get(USER_KEY)
navigation = navigation_for(believed)
with data_guard():
    ensure_prepared(write_database_url())
    user = current_user()
if user != believed:
    st.rerun()  # the session expired, or single sign-on vouched for someone
if user is None:
    navigation.run()
    st.stop()
reader_scope = user.scope
with data_guard():
    reference = reference_data(database_url(), reader_scope)
if reference["dataset"].get("dataset") == "synthetic_demo":
    st.warning(t("banner.demo"), icon="⚠️")
st.session_state[FILTERS_KEY] = sidebar_filters(reference, reader_scope)
provinces = reference["provinces"]
sign_out_control(
    user, province_names=dict(zip(provinces["code"], provinces[f"name_{language()}"], strict=True))
)
navigation.run()
