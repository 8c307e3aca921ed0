"""Data: import agencies' files (upload, preview, validate, import), boundaries for the map,
reporting completeness per agency, the import log, and for administrators' other duties the
accounts and the audit log. Only administrators reach this page; imports are recorded under the
signed-in user's name in the import log and the audit log.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access import geo
from data_access.accounts import AuditAction
from data_access.imports import CheckResult, ImportReport, Status, check_file, import_file
from data_access.imports.reader import max_bytes_configured
from data_access.imports.templates import rule_text, template_csv, template_xlsx
from data_access.validation import RULES, TABLE_NAMES, FileProblemError
from metrics import completeness
from metrics.definitions import REPORT_DUE_DAYS, STALE_AFTER_DAYS
from pages.accounts_admin import audit_tab, thresholds_tab, users_tab
from pages.auth import audit
from pages.common import (
    DatabaseUnavailableError,
    all_units,
    current_filters,
    data_guard,
    database_url,
    format_value,
    import_history,
    language,
    reference_data,
    refresh_figures,
    reporting,
    signed_in_user,
    t,
    write_database_url,
)

SHOWN_ERRORS = 1000
LOG_ROWS = 200
CHECK_KEY = "data_checked_file"
REPORT_KEY = "data_import_report"
UPLOADS_KEY = "data_uploads"
BOUNDARY_KEY = "data_boundary_file"
STATUS_SYMBOLS = {
    completeness.ReportingStatus.MISSING: "■",
    completeness.ReportingStatus.LATE: "▲",
    completeness.ReportingStatus.PENDING: "…",
    completeness.ReportingStatus.ON_TIME: "●",
    completeness.ReportingStatus.NOT_EXPECTED: "○",
}

filters = current_filters()
user = signed_in_user()
if not filters.scope.may_administer:
    # The navigation offers this page to administrators only; this holds if it is reached anyway.
    st.error(t("admin.only"))
    st.stop()
url = database_url()
write_url = write_database_url()
st.title(t("page.data"))
st.caption(t("data.caption"))

tab_import, tab_reporting, tab_boundaries, tab_log, tab_users, tab_thresholds, tab_audit = st.tabs(
    [
        t("data.tab_import"),
        t("data.tab_reporting"),
        t("data.tab_boundaries"),
        t("data.tab_log"),
        t("admin.tab_users"),
        t("admin.tab_thresholds"),
        t("admin.tab_audit"),
    ]
)


def _reason(code: str, params: dict) -> str:
    return t(f"reason.{code}", **params)


def _error_table(errors: pd.DataFrame) -> pd.DataFrame:
    """Errors as the clerk reads them: row, column, value, reason in the chosen language."""
    return pd.DataFrame(
        {
            t("data.col_row"): errors["row"].astype("Int64"),
            t("data.col_column"): errors["column"].fillna(""),
            t("data.col_value"): errors["value"].fillna("").astype(str),
            t("data.col_reason"): [
                _reason(code, params)
                for code, params in zip(errors["code"], errors["params"], strict=True)
            ],
        }
    )


def _checked(*, table: str, upload) -> CheckResult:
    """Validate the upload once per file and table (reruns reuse the result)."""
    key = (table, upload.file_id, upload.size)
    stored = st.session_state.get(CHECK_KEY)
    if stored is None or stored[0] != key:
        with st.spinner(t("data.checking")):
            try:
                result = check_file(
                    database_url=write_url,
                    table=table,
                    file_name=upload.name,
                    content=upload.getvalue(),
                    max_bytes=max_bytes_configured(),
                )
            except SQLAlchemyError as error:
                raise DatabaseUnavailableError(str(error).splitlines()[0]) from error
        stored = (key, result)
        st.session_state.pop(REPORT_KEY, None)
        st.session_state[CHECK_KEY] = stored
    return stored[1]


def _show_check(check: CheckResult, *, skip_invalid: bool) -> None:
    if check.file_format:
        described = [check.file_format.upper()]
        described += [check.encoding] if check.encoding else []
        if check.delimiter:
            described.append(t(f"data.delimiter_{_delimiter_name(check.delimiter)}"))
        described += [t("data.sheet", sheet=check.sheet)] if check.sheet else []
        st.caption(t("data.read_as", how=", ".join(described)))
    counts = st.columns(3)
    counts[0].metric(t("data.rows_read"), f"{check.rows_read:,}")
    counts[1].metric(t("data.rows_valid"), f"{check.rows_valid:,}")
    counts[2].metric(t("data.rows_rejected"), f"{check.rows_rejected:,}")
    if not check.preview.empty:
        with st.expander(t("data.preview", count=len(check.preview)), expanded=False):
            st.dataframe(check.preview, hide_index=True, width="stretch")
    if check.errors.empty:
        st.success(t("data.all_valid", rows=check.rows_valid))
        return
    if not check.readable:
        st.error(t("data.file_refused"))
    elif skip_invalid:
        st.warning(
            t("data.some_invalid_skip", rejected=check.rows_rejected, valid=check.rows_valid)
        )
    else:
        st.error(t("data.some_invalid", rejected=check.rows_rejected))
    table = _error_table(check.errors)
    st.dataframe(table.head(SHOWN_ERRORS), hide_index=True, width="stretch", key="import_errors")
    if len(table) > SHOWN_ERRORS:
        st.caption(t("data.errors_truncated", shown=SHOWN_ERRORS, total=len(table)))
    st.download_button(
        t("data.download_errors"),
        data=table.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{check.file_name}.errors.csv",
        mime="text/csv",
        key="import_errors_csv",
    )


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]


def _run_import(*, table: str, upload, skip_invalid: bool) -> None:
    bar = st.progress(0.0, text=t("data.importing"))
    try:
        report = import_file(
            database_url=write_url,
            table=table,
            file_name=upload.name,
            content=upload.getvalue(),
            imported_by=user.username,
            via="web",
            skip_invalid=skip_invalid,
            dry_run=False,
            max_bytes=max_bytes_configured(),
            progress=lambda share, _message: bar.progress(
                min(max(share, 0.0), 1.0), text=t("data.importing_share", share=f"{share:.0%}")
            ),
        )
    except SQLAlchemyError as error:
        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error
    bar.empty()
    with data_guard():
        audit(
            action=AuditAction.IMPORT,
            detail=f"{table} {upload.name}: {report.status.value}, {report.inserted} inserted, "
            f"{report.updated} updated, {report.check.rows_rejected} rejected",
        )
    if report.wrote:
        refresh_figures()
        st.session_state[UPLOADS_KEY] = st.session_state.get(UPLOADS_KEY, 0) + 1
    st.session_state.pop(CHECK_KEY, None)
    st.session_state[REPORT_KEY] = report


def _show_report(report: ImportReport) -> None:
    figures = {
        "table": report.check.table,
        "file": report.check.file_name,
        "inserted": f"{report.inserted:,}",
        "updated": f"{report.updated:,}",
        "unchanged": f"{report.unchanged:,}",
        "rejected": f"{report.check.rows_rejected:,}",
        "seconds": f"{report.duration_seconds:.1f}",
    }
    if report.status is Status.IMPORTED:
        st.success(t("data.result_imported", **figures))
    elif report.status is Status.PARTIAL:
        st.warning(t("data.result_partial", **figures))
    elif report.status is Status.FAILED:
        detail = report.errors["params"].iloc[0].get("detail", "") if len(report.errors) else ""
        st.error(t("data.result_failed", detail=detail, **figures))
    else:
        st.error(t("data.result_rejected", **figures))
    if report.wrote and not report.summaries_caught_up:
        st.warning(t("data.summaries_behind"))


def _templates(table: str) -> None:
    rules = RULES[table]
    st.caption(rules.description[language()])
    # Open at first: what the file must hold is what a clerk needs before choosing one.
    with st.expander(t("data.standard", table=table), expanded=True):
        st.dataframe(
            pd.DataFrame(
                {
                    t("data.col_column"): [rule.name for rule in rules.columns],
                    t("data.col_required"): [
                        t("common.yes") if rule.required else t("common.no")
                        for rule in rules.columns
                    ],
                    t("data.col_rule"): [
                        rule_text(rule, language=language()).replace("`", "")
                        for rule in rules.columns
                    ],
                    t("data.col_meaning"): [rule.description[language()] for rule in rules.columns],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        for rule in rules.row_rules:
            st.markdown(f"- {rule.description[language()]}")
        left, right = st.columns(2)
        left.download_button(
            t("data.template_csv"),
            data=template_csv(table=table),
            file_name=f"{table}.csv",
            mime="text/csv",
            key="template_csv",
        )
        right.download_button(
            t("data.template_xlsx"),
            data=template_xlsx(table=table),
            file_name=f"{table}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="template_xlsx",
        )


def _uploader_key() -> str:
    # A new key empties the uploader once its file is imported.
    return f"import_file_{st.session_state.get(UPLOADS_KEY, 0)}"


with tab_import:
    table = st.selectbox(t("data.table"), TABLE_NAMES, key="import_table")
    _templates(table)
    upload = st.file_uploader(
        t("data.file"), type=["csv", "txt", "tsv", "xlsx"], key=_uploader_key()
    )
    skip_invalid = st.checkbox(t("data.skip_invalid"), key="import_skip", help=t("data.skip_help"))
    if REPORT_KEY in st.session_state:
        _show_report(st.session_state[REPORT_KEY])
    if upload is None:
        st.info(t("data.upload_hint"))
    else:
        with data_guard():
            check = _checked(table=table, upload=upload)
        _show_check(check, skip_invalid=skip_invalid)
        ready = check.importable(skip_invalid=skip_invalid)
        if st.button(t("data.import"), type="primary", disabled=not ready, key="import_go"):
            with data_guard():
                _run_import(table=table, upload=upload, skip_invalid=skip_invalid)
            st.rerun()


def _blank(values: pd.Series) -> pd.Series:
    """Missing values shown as an empty cell rather than "None"."""
    return values.astype(object).where(values.notna(), "").astype(str)


def _reporting_status_text(status: str) -> str:
    value = completeness.ReportingStatus(status)
    return f"{STATUS_SYMBOLS[value]} {t(f'data.reporting_{value.value}')}"


with tab_reporting:
    periods = completeness.reporting_periods(year=filters.period_start.year, as_of=filters.as_of)
    chosen = completeness.default_reporting_period(periods=periods, as_of=filters.as_of)
    if chosen is None:
        st.info(t("data.no_periods"))
    else:
        labels = [period.label for period in periods]
        label = st.selectbox(
            t("data.period"), labels, index=labels.index(chosen.label), key="reporting_period"
        )
        period = periods[labels.index(label)]
        with data_guard():
            agencies = reporting(url, filters, period)
        summary = completeness.reporting_summary(agencies)
        st.caption(
            t(
                "data.reporting_caption",
                start=period.start,
                end=period.end,
                deadline=period.deadline,
                as_of=filters.as_of,
            )
        )
        tiles = st.columns(4)
        tiles[0].metric(t("data.expected"), f"{summary.expected:,}")
        tiles[1].metric(t("data.completeness"), format_value(summary.completeness, unit="%"))
        tiles[2].metric(t("data.timeliness"), format_value(summary.timeliness, unit="%"))
        tiles[3].metric(t("data.missing"), f"{summary.missing:,}")
        shown = agencies[agencies["status"] != completeness.ReportingStatus.NOT_EXPECTED.value]
        st.dataframe(
            pd.DataFrame(
                {
                    t("col.agency"): shown[f"name_{language()}"],
                    t("col.status"): shown["status"].map(_reporting_status_text),
                    t("data.days_late"): _blank(shown["days_late"]),
                    t("data.items_expected"): shown["items_expected"],
                    t("data.first_report"): _blank(shown["first_report"]),
                    t("data.last_report"): _blank(shown["last_report"]),
                    t("data.last_import"): _blank(shown["last_import"]),
                }
            ),
            hide_index=True,
            width="stretch",
            key="reporting_table",
        )
        st.caption(t("data.reporting_rule", due_days=REPORT_DUE_DAYS, stale_days=STALE_AFTER_DAYS))


def _features(upload) -> list[dict] | FileProblemError:
    key = (upload.file_id, upload.size)
    stored = st.session_state.get(BOUNDARY_KEY)
    if stored is None or stored[0] != key:
        try:
            read = geo.read_features(content=upload.getvalue(), max_bytes=max_bytes_configured())
        except FileProblemError as problem:
            read = problem
        stored = (key, read)
        st.session_state[BOUNDARY_KEY] = stored
    return stored[1]


with tab_boundaries:
    st.caption(t("data.boundaries_caption"))
    level_names = {1: t("data.level_1"), 2: t("data.level_2")}
    level = st.radio(
        t("data.level"),
        list(level_names),
        format_func=level_names.__getitem__,
        horizontal=True,
        key="boundary_level",
    )
    shapes = st.file_uploader(
        t("data.geojson"),
        type=["geojson", "json"],
        key=f"boundary_file_{st.session_state.get(UPLOADS_KEY, 0)}",
    )
    if shapes is None:
        st.info(t("data.geojson_hint"))
    else:
        features = _features(shapes)
        if isinstance(features, FileProblemError):
            st.error(_reason(features.code, features.params))
        else:
            with data_guard():
                units = all_units(url)
            names = geo.property_names(features)
            guess = geo.guess_code_property(
                features=features, codes=units.loc[units["level"] == level, "code"]
            )
            code_property = st.selectbox(
                t("data.code_property"),
                names,
                index=names.index(guess) if guess in names else 0,
                key="boundary_property",
            )
            matched = geo.match_features(
                features=features, code_property=code_property, units=units, level=level
            )
            counts = matched["status"].value_counts()
            good = int(counts.get(geo.Match.MATCHED, 0))
            tiles = st.columns(3)
            tiles[0].metric(t("data.features"), f"{len(matched):,}")
            tiles[1].metric(t("data.matched"), f"{good:,}")
            tiles[2].metric(t("data.unmatched"), f"{len(matched) - good:,}")
            st.dataframe(
                pd.DataFrame(
                    {
                        t("data.feature"): matched["feature"],
                        t("col.code"): matched["code"],
                        t("col.name"): matched[f"name_{language()}"],
                        t("col.status"): matched["status"].map(
                            lambda status: t(f"data.match_{status}")
                        ),
                        t("data.notes"): matched["notes"],
                    }
                ),
                hide_index=True,
                width="stretch",
                key="boundary_table",
            )
            missing = geo.units_without_feature(matched=matched, units=units, level=level)
            if not missing.empty:
                with st.expander(t("data.without_boundary", count=len(missing))):
                    st.dataframe(
                        missing.rename(columns={"code": t("col.code")}),
                        hide_index=True,
                        width="stretch",
                    )
            if st.button(
                t("data.store_boundaries", count=good),
                type="primary",
                disabled=good == 0,
                key="boundary_go",
            ):
                with data_guard():
                    try:
                        stored = geo.import_boundaries(
                            database_url=write_url,
                            matched=matched,
                            file_name=shapes.name,
                            content=shapes.getvalue(),
                            imported_by=user.username,
                        )
                    except SQLAlchemyError as error:
                        raise DatabaseUnavailableError(str(error).splitlines()[0]) from error
                    audit(
                        action=AuditAction.IMPORT,
                        detail=f"boundaries {shapes.name}: {stored} units",
                    )
                refresh_figures()
                st.success(t("data.boundaries_stored", count=stored))


with tab_log:
    st.caption(t("data.log_caption"))
    with data_guard():
        history = import_history(url, LOG_ROWS)
    if history.empty:
        st.info(t("data.log_empty"))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("data.log_when"): history["started_at"],
                    t("data.log_who"): history["imported_by"],
                    t("data.log_via"): history["via"],
                    t("data.log_file"): history["file_name"],
                    t("data.log_table"): history["table_name"],
                    t("data.log_status"): history["status"].map(
                        lambda status: t(f"data.status_{status}")
                    ),
                    t("data.log_inserted"): history["rows_inserted"],
                    t("data.log_updated"): history["rows_updated"],
                    t("data.log_unchanged"): history["rows_unchanged"],
                    t("data.log_rejected"): history["rows_rejected"],
                    t("data.log_seconds"): history["duration_seconds"],
                    "SHA-256": history["file_sha256"],
                }
            ),
            hide_index=True,
            width="stretch",
            key="import_log",
        )


with tab_users, data_guard():
    users_tab(admin=user, provinces=reference_data(url, filters.scope)["provinces"])

with tab_thresholds, data_guard():
    thresholds_tab(admin=user, url=url)

with tab_audit, data_guard():
    audit_tab()
