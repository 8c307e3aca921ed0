"""Checking and importing one file into one table of the data standard, with the import log.

``check_file`` reads and validates without writing. ``import_file`` checks again (the database
may have changed since) and then writes everything in one transaction: the rows, the import log
entry and the agencies' update times commit together or not at all. A file with errors is
refused whole unless ``skip_invalid`` is set, in which case the valid rows go in and the report
says how many were rejected. Refused attempts are logged too (in their own transaction).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import pandas as pd
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import SQLAlchemyError

from data_access import schema
from data_access.db import get_engine
from data_access.imports.reader import TextTable, read_table
from data_access.imports.writer import (
    CHUNK_ROWS,
    MissingReferenceError,
    WriteCounts,
    dialect_insert,
    tuned_for_import,
    write_rows,
)
from data_access.validation import (
    RULES,
    FileProblemError,
    Validated,
    error_frame,
    file_problem_frame,
    validate,
)

PREVIEW_ROWS = 20
Progress = Callable[[float, str], None]


class Status(StrEnum):
    IMPORTED = "imported"  # every row imported
    PARTIAL = "partial"  # valid rows imported, rejected rows skipped (skip_invalid)
    REJECTED = "rejected"  # nothing imported: the file or some rows are invalid
    FAILED = "failed"  # nothing imported: the database refused or failed
    DRY_RUN = "dry_run"  # checked and written in a transaction that was rolled back


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """What reading and validating a file found (nothing written)."""

    table: str
    file_name: str
    sha256: str
    size: int
    errors: pd.DataFrame
    rows_read: int = 0
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    file_format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    readable: bool = False  # the file was read and its header matches the table

    @property
    def rows_valid(self) -> int:
        return len(self.rows)

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_valid

    def importable(self, *, skip_invalid: bool) -> bool:
        """Whether importing would write anything: all rows valid, or some when skipping."""
        if not self.readable or self.rows_valid == 0:
            return False
        return skip_invalid or self.errors.empty


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    status: Status
    check: CheckResult
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duration_seconds: float = 0.0
    log_id: int | None = None
    errors: pd.DataFrame = field(default_factory=lambda: error_frame([]))

    @property
    def wrote(self) -> bool:
        return self.status in (Status.IMPORTED, Status.PARTIAL)


def _no_progress(_fraction: float, _message: str) -> None:
    return None


def known_codes(connection: Connection, *, table: str) -> dict[str, set[str]]:
    """Codes already in the database for every table that ``table``'s columns refer to."""
    referenced = {rule.references for rule in RULES[table].columns if rule.references}
    return {
        name: set(connection.execute(select(schema.metadata.tables[name].c.code)).scalars())
        for name in sorted(referenced)
    }


def check_file(
    *,
    database_url: str,
    table: str,
    file_name: str,
    content: bytes,
    max_bytes: int,
) -> CheckResult:
    """Read and validate ``content`` as rows of ``table``; no write."""
    if table not in RULES:
        raise ValueError(f"unknown table {table!r}; choose one of {', '.join(RULES)}")
    identity = {
        "table": table,
        "file_name": file_name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }
    rules = RULES[table]
    try:
        text = read_table(
            content=content,
            expected_columns=[rule.name for rule in rules.columns],
            sheet=table,
            max_bytes=max_bytes,
        )
    except FileProblemError as problem:
        return CheckResult(**identity, errors=file_problem_frame(problem))
    with get_engine(database_url).connect() as connection:
        known = known_codes(connection, table=table)
    validated = validate(
        rules=rules,
        cells=text.cells,
        row_numbers=text.row_numbers,
        known_codes=known,
        header_row=text.header_row,
        extra_errors=text.row_problems,
    )
    return _result(identity=identity, text=text, validated=validated)


def _result(
    *, identity: Mapping[str, object], text: TextTable, validated: Validated
) -> CheckResult:
    preview = text.cells.head(PREVIEW_ROWS).copy()
    preview.insert(0, "row", text.row_numbers[:PREVIEW_ROWS])
    return CheckResult(
        **identity,
        errors=validated.errors,
        rows_read=validated.rows_read,
        rows=validated.rows,
        preview=preview,
        file_format=text.file_format,
        encoding=text.encoding,
        delimiter=text.delimiter,
        sheet=text.sheet,
        readable=validated.header_ok,
    )


def import_file(
    *,
    database_url: str,
    table: str,
    file_name: str,
    content: bytes,
    imported_by: str,
    via: str,
    skip_invalid: bool,
    dry_run: bool,
    max_bytes: int,
    progress: Progress = _no_progress,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Check ``content`` and, when it may be imported, upsert its rows in one transaction.

    ``progress(fraction, message)`` is called while reading, validating and after every chunk
    written; an exception from it (or anything else) rolls the whole import back.
    """
    started_at = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    progress(0.0, f"Reading and checking {file_name}")
    check = check_file(
        database_url=database_url,
        table=table,
        file_name=file_name,
        content=content,
        max_bytes=max_bytes,
    )
    log = _LogEntry(
        started_at=started_at, started=started, imported_by=imported_by, via=via, check=check
    )
    if not check.importable(skip_invalid=skip_invalid):
        if not dry_run:
            log.write_alone(database_url=database_url, status=Status.REJECTED)
        return ImportReport(
            status=Status.REJECTED,
            check=check,
            duration_seconds=log.elapsed(),
            errors=check.errors,
        )
    progress(0.1, f"{check.rows_valid:,} rows valid; writing into {table}")

    def written(share: float) -> None:
        rows = round(share * check.rows_valid)
        progress(0.1 + 0.9 * share, f"Writing into {table}: {rows:,} of {check.rows_valid:,}")

    try:
        with (
            get_engine(database_url).connect() as connection,
            tuned_for_import(connection),
            connection.begin() as transaction,
        ):
            counts = write_rows(
                connection,
                rules=RULES[table],
                rows=check.rows,
                chunk_rows=chunk_rows,
                progress=written,
            )
            if dry_run:
                transaction.rollback()
                log_id = None
            else:
                log_id = log.write(connection, status=_status(check), counts=counts)
    except (SQLAlchemyError, MissingReferenceError) as error:
        failure = error_frame(
            [
                {
                    "row": None,
                    "column": None,
                    "value": "",
                    "code": "database_error",
                    "params": {"detail": _first_line(error)},
                }
            ]
        )
        if not dry_run:
            log.write_alone(
                database_url=database_url, status=Status.FAILED, message=_first_line(error)
            )
        return ImportReport(
            status=Status.FAILED, check=check, duration_seconds=log.elapsed(), errors=failure
        )
    progress(1.0, "Done")
    return ImportReport(
        status=Status.DRY_RUN if dry_run else _status(check),
        check=check,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        duration_seconds=log.elapsed(),
        log_id=log_id,
        errors=check.errors,
    )


def _status(check: CheckResult) -> Status:
    return Status.PARTIAL if check.rows_rejected else Status.IMPORTED


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else error.__class__.__name__


@dataclass(frozen=True, kw_only=True)
class _LogEntry:
    started_at: datetime
    started: float
    imported_by: str
    via: str
    check: CheckResult

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def values(self, *, status: Status, counts: WriteCounts, message: str | None) -> dict:
        check = self.check
        return {
            "started_at": self.started_at,
            "imported_by": (self.imported_by.strip() or "unknown")[:200],
            "via": self.via,
            "file_name": check.file_name[:300],
            "file_sha256": check.sha256,
            "file_bytes": check.size,
            "table_name": check.table,
            "status": status.value,
            "rows_read": check.rows_read,
            "rows_inserted": counts.inserted,
            "rows_updated": counts.updated,
            "rows_unchanged": counts.unchanged,
            "rows_rejected": check.rows_rejected,
            "duration_seconds": self.elapsed(),
            "message": message if message is not None else _summary(check.errors),
        }

    def write(self, connection: Connection, *, status: Status, counts: WriteCounts) -> int:
        """The log entry and the agencies' update times, in the import's transaction."""
        result = connection.execute(
            insert(schema.import_log).values(
                self.values(status=status, counts=counts, message=None)
            )
        )
        log_id = int(result.inserted_primary_key[0])
        if counts.changed_by_agency:
            _record_agency_updates(
                connection,
                rows=[
                    {
                        "agency_code": agency,
                        "table_name": self.check.table,
                        "updated_at": self.started_at,
                        "import_id": log_id,
                        "rows_changed": changed,
                    }
                    for agency, changed in sorted(counts.changed_by_agency.items())
                ],
            )
        return log_id

    def write_alone(self, *, database_url: str, status: Status, message: str | None = None) -> None:
        """A refused or failed attempt, in a transaction of its own. Best effort: when the
        database itself is the problem, the log cannot be written either."""
        try:
            with get_engine(database_url).begin() as connection:
                connection.execute(
                    insert(schema.import_log).values(
                        self.values(status=status, counts=WriteCounts(), message=message)
                    )
                )
        except SQLAlchemyError:
            return


def _record_agency_updates(connection: Connection, *, rows: list[dict[str, object]]) -> None:
    statement = dialect_insert(connection)(schema.agency_updates)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["agency_code", "table_name"],
            set_={
                name: statement.excluded[name]
                for name in ("updated_at", "import_id", "rows_changed")
            },
        ),
        rows,
    )


def _summary(errors: pd.DataFrame) -> str | None:
    """The log's one-line account of the errors: the commonest reasons with their counts."""
    if errors.empty:
        return None
    counts = errors.groupby(["column", "code"], dropna=False).size().sort_values(ascending=False)
    parts = [
        f"{column or 'file'}: {code} × {count}" for (column, code), count in counts.head(5).items()
    ]
    return "; ".join(parts)[:1000]


def recent_imports(connection: Connection, *, limit: int) -> pd.DataFrame:
    """The newest import log entries. Columns: every column of ``import_log``."""
    log = schema.import_log
    query = select(log).order_by(log.c.started_at.desc(), log.c.id.desc()).limit(limit)
    frame = pd.DataFrame(connection.execute(query).mappings().all())
    return frame if not frame.empty else pd.DataFrame(columns=[c.name for c in log.columns])
