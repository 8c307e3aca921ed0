"""``python -m data_access import TABLE FILE``: import one agency file from the command line.

Prints a one-line outcome, the rejected rows (row, column, value, reason) and a hint; never a
traceback. Exit codes: 0 all rows imported (or a clean dry run), 1 nothing imported, 2 bad
arguments or unreachable database, 3 valid rows imported and invalid ones skipped.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from data_access.imports.reader import max_bytes_configured
from data_access.imports.runner import ImportReport, Status, import_file
from data_access.migrate import upgrade_to_head
from data_access.validation import HEADER_CODES, TABLE_NAMES

EXIT_OK, EXIT_NOTHING_IMPORTED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
DEFAULT_SHOWN_ERRORS = 50


def add_import_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "import",
        help="import a CSV or XLSX file of one table of the data standard",
        description="Validate FILE against the data standard and upsert its rows into TABLE "
        "in one transaction (all or nothing). See docs/data-standard.md.",
    )
    command.add_argument("table", choices=TABLE_NAMES, metavar="TABLE", help=", ".join(TABLE_NAMES))
    command.add_argument(
        "file", type=Path, metavar="FILE", help="CSV (UTF-8 or Windows-1251) or XLSX"
    )
    command.add_argument("--database-url", help="database URL (default: configuration)")
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="check and count what would change, then roll back: nothing is written",
    )
    command.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and skip the rejected ones (default: all or nothing)",
    )
    command.add_argument(
        "--user",
        default=_os_user(),
        help="who imports, for the import log (default: the operating-system user; "
        "there is no sign-in yet)",
    )
    command.add_argument(
        "--max-mb",
        type=float,
        default=None,
        help="refuse files larger than this (default: IMPORT_MAX_MB or 100)",
    )
    command.add_argument(
        "--errors-csv", type=Path, help="write every rejected row's reasons to this CSV file"
    )
    command.add_argument(
        "--show-errors",
        type=int,
        default=DEFAULT_SHOWN_ERRORS,
        help=f"errors printed (default {DEFAULT_SHOWN_ERRORS})",
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


def run_import_command(arguments: argparse.Namespace, *, database_url: str) -> int:
    try:
        content = arguments.file.read_bytes()
    except OSError as error:
        print(f"error: cannot read {arguments.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    max_bytes = int(arguments.max_mb * 1024 * 1024) if arguments.max_mb else max_bytes_configured()
    printer = _ProgressPrinter()
    try:
        upgrade_to_head(database_url=database_url)
        report = import_file(
            database_url=database_url,
            table=arguments.table,
            file_name=arguments.file.name,
            content=content,
            imported_by=arguments.user,
            via="cli",
            skip_invalid=arguments.skip_invalid,
            dry_run=arguments.dry_run,
            max_bytes=max_bytes,
            progress=printer,
        )
    except SQLAlchemyError as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(
            f"error: database {_redacted(database_url)}: {error.__class__.__name__}: {detail}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted: nothing was imported", file=sys.stderr)
        return 130
    _print_report(report=report, arguments=arguments)
    return _exit_code(report)


class _ProgressPrinter:
    """Prints progress at most every tenth of the way (and at each new stage)."""

    def __init__(self) -> None:
        self.last = -1.0

    def __call__(self, fraction: float, message: str) -> None:
        if fraction >= 1.0 or fraction - self.last >= 0.1 or fraction == 0.0:
            print(f"[{fraction:4.0%}] {message}", flush=True)
            self.last = fraction


def _exit_code(report: ImportReport) -> int:
    if report.status is Status.PARTIAL:
        return EXIT_PARTIAL
    if report.status in (Status.IMPORTED, Status.DRY_RUN):
        return EXIT_OK
    return EXIT_NOTHING_IMPORTED


def _print_report(*, report: ImportReport, arguments: argparse.Namespace) -> None:
    check = report.check
    source = _describe_source(report)
    counts = (
        f"{check.rows_read:,} rows read: {report.inserted:,} inserted, {report.updated:,} "
        f"updated, {report.unchanged:,} unchanged, {check.rows_rejected:,} rejected"
    )
    seconds = f"{report.duration_seconds:.1f} s"
    if report.wrote:
        seconds += f", rows committed after {report.committed_seconds:.1f} s"
    if report.status is Status.IMPORTED:
        print(f"Imported {source} into {check.table}. {counts} ({seconds}, log #{report.log_id}).")
    elif report.status is Status.PARTIAL:
        print(
            f"Imported only the valid rows of {source} into {check.table}. {counts} "
            f"({seconds}, log #{report.log_id}). The rejected rows were NOT imported:"
        )
    elif report.status is Status.DRY_RUN:
        print(f"Dry run, nothing written. {source} into {check.table} would give: {counts}.")
    else:
        print(f"error: {source} was NOT imported into {check.table}; nothing was written.",
              file=sys.stderr)  # fmt: skip
    if not report.summaries_caught_up:
        print(
            "warning: the rows are imported, but the dashboards' summaries could not be updated "
            "(see the log above); pages read the rows themselves, more slowly, until "
            "`python -m data_access prepare` or the next import updates them.",
            file=sys.stderr,
        )
    _print_errors(errors=report.errors, arguments=arguments, rows_read=check.rows_read)
    if report.status is Status.REJECTED and check.readable and check.rows_valid:
        print(
            "Fix these rows and import the file again, or import only the valid rows with "
            "--skip-invalid.",
            file=sys.stderr,
        )


def _describe_source(report: ImportReport) -> str:
    check = report.check
    parts = [check.file_format.upper()] if check.file_format else []
    if check.encoding:
        parts.append(check.encoding)
    if check.delimiter:
        parts.append({"\t": "tab", ",": "comma", ";": "semicolon"}[check.delimiter] + "-separated")
    if check.sheet:
        parts.append(f"sheet {check.sheet!r}")
    return f"{check.file_name} ({', '.join(parts)})" if parts else check.file_name


def _print_errors(*, errors: pd.DataFrame, arguments: argparse.Namespace, rows_read: int) -> None:
    if errors.empty:
        return
    stream = sys.stderr
    if (errors["code"].isin(HEADER_CODES)).all():
        print(f"The header does not fit the table ({len(errors):,} problem(s)):", file=stream)
    else:
        rows = errors["row"].dropna().nunique()
        print(f"{len(errors):,} problem(s) in {rows:,} of {rows_read:,} rows:", file=stream)
    shown = errors.head(max(arguments.show_errors, 0))
    table = pd.DataFrame(
        {
            "row": shown["row"].astype(object).where(shown["row"].notna(), "-"),
            "column": shown["column"].fillna("-"),
            "value": shown["value"].fillna("").astype(str).str.slice(0, 40),
            "reason": shown["reason"],
        }
    )
    print(_aligned(table), file=stream)
    if len(errors) > len(shown):
        print(
            f"(showing {len(shown):,} of {len(errors):,}; --errors-csv FILE writes them all)",
            file=stream,
        )
    if arguments.errors_csv:
        errors.drop(columns=["params"]).to_csv(arguments.errors_csv, index=False)
        print(f"All problems written to {arguments.errors_csv}", file=stream)


def _aligned(table: pd.DataFrame) -> str:
    """A plain text table: row numbers on the right, words on the left."""
    cells = [list(table.columns), *table.astype(str).to_numpy().tolist()]
    widths = [max(len(str(row[index])) for row in cells) for index in range(len(table.columns))]
    lines = []
    for row in cells:
        first = str(row[0]).rjust(widths[0])
        rest = [str(cell).ljust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join([first, *rest]).rstrip())
    return "\n".join(lines)


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
