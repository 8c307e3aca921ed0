"""Checking and importing one file into one table of the data standard, with the import log.

``check_file`` reads and validates without writing. ``import_file`` checks again (the database
may have changed since) and writes everything in one transaction: the rows, the import log
entry and the agencies' update times commit together or not at all; the pre-aggregated
summaries catch up right after the commit, in a transaction of their own (pages read the facts
meanwhile: ``summary.ImportRefresh``). It checks the file a
chunk at a time while a worker thread writes the chunks already checked (``TransactionThread``:
Python and the database server then work on two cores at once); nothing commits before the
whole file is checked. A file with errors is refused whole unless ``skip_invalid`` is set, in
which case the valid rows go in and the report says how many were rejected. Refused attempts
are logged too (in their own transaction).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial

import pandas as pd
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import SQLAlchemyError

from data_access import schema, summary
from data_access.db import get_engine
from data_access.imports.reader import TextTable, read_table
from data_access.imports.writer import (
    CHUNK_ROWS,
    MissingReferenceError,
    TableWriter,
    TransactionThread,
    WriteCounts,
    dialect_insert,
    tuned_for_import,
)
from data_access.validation import (
    ROW,
    RULES,
    FileProblemError,
    TableRules,
    Validated,
    combined,
    error_frame,
    file_problem_frame,
    validate,
    validate_in_chunks,
)

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20
# Shares of the progress bar: reading the file, then the rows written, then the summaries.
_READ_SHARE = 0.05
_SUMMARY_SHARE = 0.15
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
    # From the start until the rows were committed (the rest: the summaries catching up).
    committed_seconds: float = 0.0
    # False when the summaries could not catch up: the rows stand, and pages read the facts
    # until the next refresh (the next import, or ``python -m data_access prepare``).
    summaries_caught_up: bool = True
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
    rules = _rules(table)
    identity = _identity(table=table, file_name=file_name, content=content)
    try:
        text = _read(rules=rules, content=content, max_bytes=max_bytes)
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


def _rules(table: str) -> TableRules:
    if table not in RULES:
        raise ValueError(f"unknown table {table!r}; choose one of {', '.join(RULES)}")
    return RULES[table]


def _identity(*, table: str, file_name: str, content: bytes) -> dict[str, object]:
    return {
        "table": table,
        "file_name": file_name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }


def _read(*, rules: TableRules, content: bytes, max_bytes: int) -> TextTable:
    return read_table(
        content=content,
        expected_columns=[rule.name for rule in rules.columns],
        sheet=rules.name,
        max_bytes=max_bytes,
    )


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

    The file is checked ``chunk_rows`` rows at a time, and the database writes the valid rows
    of one chunk while the next is checked (two cores at work). Whatever was written is rolled
    back when the file turns out not to be importable, and nothing commits before the whole
    file is checked. ``progress(fraction, message)`` is called (from this thread) after
    reading and after every chunk written; an exception from it (or anything else) rolls the
    whole import back.
    """
    started_at = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    progress(0.0, f"Reading and checking {file_name}")
    rules = _rules(table)
    identity = _identity(table=table, file_name=file_name, content=content)
    failure: Exception | None = None
    counts, log_id = WriteCounts(), None
    with TransactionThread(database_url=database_url) as transaction:
        # The database side starts (connection, transaction, known codes) while the file is
        # read.
        known = transaction.submit(partial(known_codes, table=table))
        writing = _Writing(transaction=transaction, rules=rules, progress=progress)
        try:
            text = _read(rules=rules, content=content, max_bytes=max_bytes)
        except FileProblemError as problem:
            text = None
            check = CheckResult(**identity, errors=file_problem_frame(problem))
        if text is not None:
            check = _check_and_write(
                identity=identity,
                text=text,
                rules=rules,
                known=known.result(),
                writing=writing,
                skip_invalid=skip_invalid,
                chunk_rows=chunk_rows,
            )
        log = _LogEntry(
            started_at=started_at, started=started, imported_by=imported_by, via=via, check=check
        )
        if check.importable(skip_invalid=skip_invalid):
            progress(writing.share(), f"{check.rows_valid:,} rows valid; writing into {table}")
            try:
                counts = writing.finish(total=check.rows_valid, dry_run=dry_run)
                if not dry_run:
                    log_id = transaction.submit(
                        partial(log.write, status=_status(check), counts=counts)
                    ).result()
                transaction.close(commit=not dry_run)
            except (SQLAlchemyError, MissingReferenceError) as error:
                failure = error
    # The transaction is over (committed, or rolled back on leaving the block): a refused or
    # failed attempt is logged in a transaction of its own.
    if not check.importable(skip_invalid=skip_invalid):
        if not dry_run:
            log.write_alone(database_url=database_url, status=Status.REJECTED)
        return ImportReport(
            status=Status.REJECTED,
            check=check,
            duration_seconds=log.elapsed(),
            errors=check.errors,
        )
    if failure is not None:
        return _failed(failure, check=check, log=log, database_url=database_url, dry_run=dry_run)
    committed = log.elapsed()
    caught_up = writing.catch_up(database_url=database_url)
    progress(1.0, "Done")
    return ImportReport(
        status=Status.DRY_RUN if dry_run else _status(check),
        check=check,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        duration_seconds=log.elapsed(),
        committed_seconds=committed,
        summaries_caught_up=caught_up,
        log_id=log_id,
        errors=check.errors,
    )


def _check_and_write(
    *,
    identity: Mapping[str, object],
    text: TextTable,
    rules: TableRules,
    known: Mapping[str, set[str]],
    writing: _Writing,
    skip_invalid: bool,
    chunk_rows: int,
) -> CheckResult:
    """Validate ``text`` chunk by chunk, handing the valid rows to ``writing`` as long as the
    file may still be imported (all rows valid so far, or ``skip_invalid``)."""
    parts: list[Validated] = []
    for part in validate_in_chunks(
        rules=rules,
        cells=text.cells,
        row_numbers=text.row_numbers,
        known_codes=known,
        header_row=text.header_row,
        extra_errors=text.row_problems,
        chunk_rows=chunk_rows,
    ):
        parts.append(part)
        if part.header_ok and (skip_invalid or all(done.errors.empty for done in parts)):
            writing.add(part.rows, total=text.cells.shape[0])
    return _result(identity=identity, text=text, validated=combined(parts))


class _Writing:
    """The valid rows on their way into the table (through ``TransactionThread``), and the
    progress reports as chunks land."""

    def __init__(
        self, *, transaction: TransactionThread, rules: TableRules, progress: Progress
    ) -> None:
        self.transaction = transaction
        self.rules = rules
        self.progress = progress
        self.writer: Future[TableWriter] | None = None
        self.pending: list[tuple[Future[None], int]] = []
        self.written = 0
        self.total = 1
        # Pre-aggregated summaries follow the rows (issue 8), once they are committed.
        self.summaries = summary.ImportRefresh(table=rules.name)
        self.pending_id: int | None = None

    def add(self, rows: pd.DataFrame, *, total: int) -> None:
        """Queue ``rows`` (validated) for writing; ``total`` rows are expected in all."""
        self.total = max(total, 1)
        if rows.empty:
            return
        if self.writer is None:
            names = [name for name in rows.columns if name != ROW]
            self.writer = self.transaction.submit(
                partial(_table_writer, rules=self.rules, names=names, changes=self.summaries)
            )
        writer = self.writer
        self.pending.append(
            (self.transaction.submit(lambda c: self._write(c, writer, rows)), len(rows))
        )
        self._report(wait=False)

    def share(self) -> float:
        rows = (1 - _READ_SHARE - _SUMMARY_SHARE) * min(self.written / self.total, 1.0)
        return _READ_SHARE + rows

    def finish(self, *, total: int, dry_run: bool) -> WriteCounts:
        """Wait for every chunk (reporting progress); the closing checks; the summaries
        (unless ``dry_run``: rolled back anyway); the counts."""
        self.total = max(total, 1)
        self._report(wait=True)
        if self.writer is None:
            return WriteCounts()
        writer = self.writer
        counts = self.transaction.submit(lambda _: writer.result().finish()).result()
        # A file imported again changes no summary.
        if not dry_run and (counts.inserted or counts.updated):
            self.pending_id = self.transaction.submit(self.summaries.list_pending).result()
        return counts

    def catch_up(self, *, database_url: str) -> bool:
        """After the commit: bring the summaries in line with the rows; False when that
        failed (the rows stand; the summaries stay unread until a later refresh)."""
        if self.pending_id is None:
            return True
        start = self.share()
        message = f"{self.rules.name}: rows committed; updating the summaries"

        def summarising(done: float) -> None:
            self.progress(start + _SUMMARY_SHARE * done, message)

        summarising(0.0)
        try:
            with (
                get_engine(database_url).connect() as connection,
                tuned_for_import(connection),
                connection.begin(),
            ):
                self.summaries.catch_up(
                    connection, pending_id=self.pending_id, progress=summarising
                )
        except SQLAlchemyError as error:
            logger.warning(
                "summaries not caught up after an import into %s: %s",
                self.rules.name,
                _first_line(error),
            )
            return False
        return True

    def _write(self, _connection: Connection, writer: Future[TableWriter], rows: pd.DataFrame):
        writer.result().write(rows)

    def _report(self, *, wait: bool) -> None:
        """Progress for the chunks written so far (all of them when ``wait``); a failed
        chunk stops the count, and ``finish`` raises its error."""
        while self.pending and (wait or self.pending[0][0].done()):
            future, rows = self.pending[0]
            if not wait and future.exception() is not None:
                return
            future.result()
            self.pending.pop(0)
            self.written += rows
            table = self.rules.name
            self.progress(self.share(), f"Writing into {table}: {self.written:,} of {self.total:,}")


def _table_writer(
    connection: Connection,
    *,
    rules: TableRules,
    names: list[str],
    changes: summary.ImportRefresh,
) -> TableWriter:
    # The writer tells the summaries which rows it changes (what they were and are).
    return TableWriter(connection, rules=rules, names=names, changes=changes)


def _failed(
    error: Exception, *, check: CheckResult, log: _LogEntry, database_url: str, dry_run: bool
) -> ImportReport:
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
        log.write_alone(database_url=database_url, status=Status.FAILED, message=_first_line(error))
    return ImportReport(
        status=Status.FAILED, check=check, duration_seconds=log.elapsed(), errors=failure
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
