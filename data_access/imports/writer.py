"""Writing validated rows into their table: upsert by natural key, inside the caller's
transaction, counting what was inserted, updated and left unchanged.

Rows come in chunks (``TableWriter.write``). Each chunk is first copied straight into the table
(COPY on PostgreSQL, executemany on SQLite) inside a savepoint: when none of its keys is stored
yet, that is all. Otherwise the savepoint is rolled back and the chunk goes into a temporary
staging table, one query compares it with the table (the counts, and which agencies' rows
change) and, when something changes, one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` writes
it. The update only touches rows whose values differ, so importing the same file twice changes
nothing the second time. Columns missing from the file keep their stored values on update and
get their defaults on insert.

PostgreSQL checks foreign keys with one trigger call per row and key, which costs more than the
insert itself (four keys on a task). When the database role may set
``session_replication_role`` (a superuser, or ``GRANT SET ON PARAMETER`` in PostgreSQL 15+),
those per-row checks are replaced by one set-based check per key after the writes: the
referenced rows are locked ``FOR KEY SHARE`` (what the triggers do, so nobody can delete them
before the commit) and every referenced code must have been found, else the import fails and
rolls back. Otherwise the triggers run as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import pandas as pd
import pyarrow
from sqlalchemy import (
    ARRAY,
    Column,
    ColumnElement,
    Connection,
    FromClause,
    MetaData,
    RootTransaction,
    Table,
    and_,
    any_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from data_access import schema
from data_access.bulk import bulk_insert, copy_arrow
from data_access.db import get_engine
from data_access.validation import ROW, TableRules

CHUNK_ROWS = 50_000
"""Rows written per statement: paces the progress bar and bounds each step."""

STAGING_TABLE = "import_staging"
_T = TypeVar("_T")
# SQLite's page cache is 2 MB by default; an import into indexed tables of a few hundred
# thousand rows runs several times faster with room for the indexes' pages.
_SQLITE_IMPORT_CACHE_KIB = 262_144
_POSTGRESQL_IMPORT_WORK_MEM = "64MB"


class ChangeListener(Protocol):
    """Hears which rows a write changes, in the columns it tracks (the pre-aggregated
    summaries, ``summary.ImportRefresh``): rows inserted or changed in a tracked column as
    written (``sign`` +1) and the stored rows those changes replace as they were (-1)."""

    tracked: Sequence[str]

    def note(self, *, rows: pd.DataFrame, sign: int) -> None: ...

    def lost(self) -> None:
        """The writer cannot tell (a tracked column neither in the file nor defaulted)."""


class MissingReferenceError(RuntimeError):
    """A referenced row disappeared between validation and writing (set-based check)."""


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_by_agency: dict[str, int] = field(default_factory=dict)

    def add_changed(self, *, agency: str, rows: int) -> None:
        if rows:
            self.changed_by_agency[agency] = self.changed_by_agency.get(agency, 0) + rows


@dataclass(frozen=True)
class _Dialect:
    """Everything that differs between SQLite and PostgreSQL when importing, in one place."""

    name: str
    insert: Callable
    staging_options: dict[str, object]
    drop_staging_sql: str
    empty_staging_sql: str
    tuning: tuple[str, ...]
    untuning: tuple[str, ...]


def _dialect(connection: Connection) -> _Dialect:
    if connection.dialect.name == "postgresql":
        return _Dialect(
            name="postgresql",
            insert=postgresql.insert,
            staging_options={"postgresql_on_commit": "DROP"},
            drop_staging_sql=f"DROP TABLE IF EXISTS pg_temp.{STAGING_TABLE}",
            empty_staging_sql=f"TRUNCATE pg_temp.{STAGING_TABLE}",
            # The per-chunk comparison sorts by agency; the default 4 MB spills it to disk.
            tuning=(f"SET work_mem = '{_POSTGRESQL_IMPORT_WORK_MEM}'",),
            untuning=("RESET work_mem",),
        )
    return _Dialect(
        name="sqlite",
        insert=sqlite.insert,
        staging_options={},
        drop_staging_sql=f"DROP TABLE IF EXISTS temp.{STAGING_TABLE}",
        empty_staging_sql=f"DELETE FROM temp.{STAGING_TABLE}",
        tuning=(f"PRAGMA cache_size = -{_SQLITE_IMPORT_CACHE_KIB}",),
        untuning=("PRAGMA cache_size = -2000",),
    )


def dialect_insert(connection: Connection) -> Callable:
    """The INSERT construct with ON CONFLICT support for this connection's database."""
    return _dialect(connection).insert


@contextmanager
def tuned_for_import(connection: Connection) -> Iterator[None]:
    """Per-connection settings for a bulk import, put back afterwards (pooled connections
    serve the dashboard next). Wrap it around the import's transaction, not inside it."""
    dialect = _dialect(connection)
    _settings(connection, statements=dialect.tuning)
    try:
        yield
    finally:
        _settings(connection, statements=dialect.untuning)


def _settings(connection: Connection, *, statements: Sequence[str]) -> None:
    # Outside the import's transaction: SQLite's PRAGMAs are not transactional anyway.
    for statement in statements:
        connection.exec_driver_sql(statement)
    if statements:
        connection.commit()


class TransactionThread:
    """One database transaction driven from another thread, so that reading and checking a
    file (Python, one core) and writing it (the database server, the other core) overlap.

    The worker thread owns the connection from start to end (tuned for the import, see
    ``tuned_for_import``): ``submit(work)`` queues ``work(connection)`` and returns its
    future; work runs in the order submitted, and once one fails the rest is skipped (its
    futures hold the first error). ``close(commit=...)`` ends the transaction and the thread;
    leaving the ``with`` block without ``close`` (an error, Ctrl-C) skips the work still queued
    and rolls everything back.
    """

    def __init__(self, *, database_url: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._resources = ExitStack()
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._failure: Exception | None = None
        self._closed = False
        self._opened = self._executor.submit(self._open, database_url)

    def __enter__(self) -> TransactionThread:
        return self

    def __exit__(self, *_exception: object) -> None:
        if not self._closed:
            self.close(commit=False)

    def submit(self, work: Callable[[Connection], _T]) -> Future[_T]:
        return self._executor.submit(self._run, work)

    def close(self, *, commit: bool) -> None:
        """Commit (when ``commit`` and nothing failed) or roll back, then free the thread;
        raises the first failure of the submitted work when committing."""
        self._closed = True
        if not commit:  # what is still queued would only be rolled back
            self._failure = self._failure or _AbandonedError("the transaction was abandoned")
        try:
            self._executor.submit(self._end, commit).result()
        finally:
            self._executor.shutdown(wait=True)

    def _open(self, database_url: str) -> None:
        connection = self._resources.enter_context(get_engine(database_url).connect())
        self._resources.enter_context(tuned_for_import(connection))
        self._transaction = connection.begin()
        self._connection = connection

    def _run(self, work: Callable[[Connection], _T]) -> _T:
        if self._failure is not None:
            raise self._failure
        try:
            self._opened.result()
            assert self._connection is not None
            return work(self._connection)
        except Exception as error:
            self._failure = error
            raise

    def _end(self, commit: bool) -> None:
        try:
            failure = self._failure or self._opened.exception()
            if commit and failure is not None:
                raise failure
            if self._transaction is not None and commit:
                self._transaction.commit()
        finally:
            try:
                if self._transaction is not None and self._transaction.is_active:
                    self._transaction.rollback()
            finally:
                self._resources.close()


class _AbandonedError(RuntimeError):
    """Work queued on a ``TransactionThread`` closed without committing: skipped."""


def write_rows(
    connection: Connection,
    *,
    rules: TableRules,
    rows: pd.DataFrame,
    chunk_rows: int,
    progress: Callable[[float], None],
    set_based_checks: bool = True,
) -> WriteCounts:
    """Upsert ``rows`` (validated, with a ``_row`` column) into ``rules.table``.

    ``progress`` hears the share of the work done (0–1) after every chunk; whatever it raises
    aborts the import, and the caller's transaction then leaves the table as it was.
    ``set_based_checks=False`` keeps PostgreSQL's per-row foreign-key triggers.
    """
    writer = TableWriter(
        connection,
        rules=rules,
        names=[name for name in rows.columns if name != ROW],
        set_based_checks=set_based_checks,
    )
    if writer.needs_whole_file:
        # A row may name a parent further down the file; one statement sees them all.
        chunk_rows = max(len(rows), 1)
    for start in range(0, len(rows), chunk_rows):
        writer.write(rows.iloc[start : start + chunk_rows])
        progress(min(start + chunk_rows, len(rows)) / len(rows))
    return writer.finish()


class TableWriter:
    """Writes the validated rows of one file into ``rules.table``, chunk by chunk, inside the
    caller's transaction; ``finish`` makes the closing checks and returns the counts.

    A chunk is first copied straight into the table inside a savepoint: when none of its keys
    is stored yet (new rows, the common case), that is all, and the cheapest way in. When a
    key is already there, the savepoint is rolled back and the chunk takes the general way:
    staged, compared with the table (the counts), and upserted only if something changes.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        rules: TableRules,
        names: Sequence[str],
        set_based_checks: bool = True,
        changes: ChangeListener | None = None,
    ) -> None:
        self.connection = connection
        self.rules = rules
        self.dialect = _dialect(connection)
        self.names = list(names)
        self.defaults = _insert_defaults(rules=rules, names=self.names)
        self.counts = WriteCounts()
        self.needs_whole_file = any(rule.references == rules.name for rule in rules.columns)
        self.direct = (
            self.defaults is not None
            and not self.needs_whole_file
            and (rules.agency is None or rules.agency.via is None)
        )
        self.staging = _staging_table(
            rules=rules, names=[*self.names, *(self.defaults or {})], dialect=self.dialect
        )
        connection.exec_driver_sql(self.dialect.drop_staging_sql)
        self.staging.create(connection)
        # Python's sqlite3 opens the transaction lazily, at the first INSERT, UPDATE or
        # DELETE; a savepoint before that would open one of its own, and releasing it would
        # commit. This (empty) DELETE opens the caller's transaction first.
        connection.exec_driver_sql(self.dialect.empty_staging_sql)
        self.bypass = set_based_checks and _skip_row_triggers(connection, dialect=self.dialect)
        self.referenced: dict[str, set[str]] = {
            rule.name: set() for rule in rules.columns if rule.references and rule.name in names
        }
        # A listener that tracks no column of this table learns nothing from the rows.
        self.changes = changes if changes is not None and changes.tracked else None
        if self.changes is not None and not set(self.changes.tracked) <= set(self.staging.c.keys()):
            self.changes.lost()
            self.changes = None

    def write(self, rows: pd.DataFrame) -> None:
        """Insert or update ``rows`` (validated; a ``_row`` column is ignored)."""
        if rows.empty:
            return
        chunk = rows[self.names].assign(**(self.defaults or {}))
        if self.bypass:
            for name, codes in self.referenced.items():
                codes.update(chunk[name].dropna().unique().tolist())
        if self.direct and self._inserted_whole(chunk):
            return
        self._upsert(chunk)

    def finish(self) -> WriteCounts:
        """The set-based reference checks (when the triggers were skipped); the counts."""
        if self.bypass:
            _check_references(self.connection, rules=self.rules, codes=self.referenced)
            self.connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        self.connection.exec_driver_sql(self.dialect.drop_staging_sql)
        return self.counts

    def _inserted_whole(self, chunk: pd.DataFrame) -> bool:
        """Copy ``chunk`` straight into the table; False (and nothing written) when one of
        its keys is already stored, or anything else stops it: the general way then decides."""
        savepoint = self.connection.begin_nested()
        try:
            _copy(self.connection, dialect=self.dialect, table=self.rules.table, frame=chunk)
        except IntegrityError:
            savepoint.rollback()
            return False
        savepoint.commit()
        if self.changes is not None:
            self.changes.note(rows=chunk, sign=1)
        self.counts.inserted += len(chunk)
        link = self.rules.agency
        if link is not None:
            for agency, count in chunk[link.column].value_counts().items():
                self.counts.add_changed(agency=str(agency), rows=int(count))
        return True

    def _upsert(self, chunk: pd.DataFrame) -> None:
        connection, rules, staging = self.connection, self.rules, self.staging
        connection.exec_driver_sql(self.dialect.empty_staging_sql)
        _copy(connection, dialect=self.dialect, table=staging, frame=chunk)
        tracked = self.changes.tracked if self.changes is not None else ()
        found = (
            connection.execute(
                _counting_query(rules=rules, staging=staging, names=self.names, tracked=tracked)
            )
            .mappings()
            .all()
        )
        changes = _add_counts(counts=self.counts, result=found)
        # Rows that change only what no summary reads (a title) need not be told.
        if self.changes is not None and any(int(row["tracked"]) for row in found):
            self._note_changes()
        if changes:
            connection.execute(
                _upsert_statement(
                    insert=self.dialect.insert, rules=rules, staging=staging, names=self.names
                )
            )

    def _note_changes(self) -> None:
        """Tell the listener, before the upsert, which staged rows are new or change a tracked
        column (as they will be) and what those stored rows were."""
        assert self.changes is not None
        tracked = list(self.changes.tracked)
        result = self.connection.execute(
            _tracked_changes_query(
                rules=self.rules, staging=self.staging, names=self.names, tracked=tracked
            )
        )
        found = pd.DataFrame(result.all(), columns=list(result.keys()))
        if found.empty:
            return
        written = found[[f"new_{name}" for name in tracked]]
        self.changes.note(rows=written.set_axis(tracked, axis=1), sign=1)
        stored = found.loc[found["stored"].astype(bool), [f"old_{name}" for name in tracked]]
        if not stored.empty:
            self.changes.note(rows=stored.set_axis(tracked, axis=1), sign=-1)


def _tracked_changes_query(
    *, rules: TableRules, staging: Table, names: Sequence[str], tracked: Sequence[str]
):
    """Staged rows that are new or differ from the stored row in a ``tracked`` column: each
    tracked column as the row will be (``new_``: a column left out of the file keeps its
    stored value on update) and as it is stored (``old_``), and whether a row is stored."""
    target = rules.table
    source = staging.outerjoin(
        target, and_(*[target.c[name] == staging.c[name] for name in rules.key])
    )
    stored = target.c[rules.key[0]].is_not(None)
    written = [
        (
            staging.c[name]
            if name in names
            else case((stored, target.c[name]), else_=staging.c[name])
        ).label(f"new_{name}")
        for name in tracked
    ]
    differs = _differs(
        left=target.c,
        right=staging.c,
        names=[name for name in tracked if name in names and name not in rules.key],
    )
    return (
        select(
            *written,
            *[target.c[name].label(f"old_{name}") for name in tracked],
            case((stored, true()), else_=false()).label("stored"),
        )
        .select_from(source)
        .where(or_(~stored, differs))
    )


def _insert_defaults(*, rules: TableRules, names: Sequence[str]) -> dict[str, object] | None:
    """The constant defaults of the table's columns missing from the file, which a new row
    gets (SQLAlchemy adds them to its INSERTs; a COPY needs them as columns). None when a
    missing column's default is computed, which only an INSERT statement can do."""
    defaults: dict[str, object] = {}
    for column in rules.table.columns:
        if column.name in names or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        defaults[column.name] = column.default.arg
    return defaults


def _staging_table(*, dialect: _Dialect, rules: TableRules, names: Sequence[str]) -> Table:
    return Table(
        STAGING_TABLE,
        MetaData(),
        *[Column(name, rules.table.c[name].type) for name in names],
        prefixes=["TEMPORARY"],
        **dialect.staging_options,
    )


def _copy(connection: Connection, *, dialect: _Dialect, table: Table, frame: pd.DataFrame) -> None:
    """Every row of ``frame`` into ``table``: COPY on PostgreSQL, executemany on SQLite."""
    if dialect.name != "postgresql":
        bulk_insert(connection, table=table, frame=frame)
        return
    copy_arrow(connection, table=table, data=pyarrow.Table.from_pandas(frame, preserve_index=False))


def _skip_row_triggers(connection: Connection, *, dialect: _Dialect) -> bool:
    """On PostgreSQL, turn the per-row foreign-key triggers off for this transaction when the
    role may (see the module's docstring); say whether it did."""
    if dialect.name != "postgresql":
        return False
    savepoint = connection.begin_nested()
    try:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    except DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _check_references(
    connection: Connection, *, rules: TableRules, codes: Mapping[str, set[str]]
) -> None:
    """What the skipped triggers would have done, one statement per key: lock every
    referenced row against deletion and make sure each referenced code exists."""
    for rule in rules.columns:
        wanted = codes.get(rule.name)
        if not wanted or not rule.references:
            continue
        referenced = schema.metadata.tables[rule.references]
        listed = bindparam("codes", sorted(wanted), type_=ARRAY(referenced.c.code.type))
        locked = connection.execute(
            select(referenced.c.code)
            .where(referenced.c.code == any_(listed))
            .with_for_update(read=True, key_share=True)
        ).scalars()
        missing = len(wanted) - len(list(locked))
        if missing:
            raise MissingReferenceError(
                f"{missing} code(s) in {rule.name} no longer exist in {rule.references}"
            )


def _value_columns(*, rules: TableRules, names: Sequence[str]) -> list[str]:
    return [name for name in names if name not in rules.key]


def _differs(*, left: Mapping, right: Mapping, names: Sequence[str]) -> ColumnElement:
    """Any of ``names`` differs between two column collections (NULL = NULL counts as equal)."""
    if not names:
        return false()
    return or_(*[left[name].is_distinct_from(right[name]) for name in names])


def _counting_query(
    *, rules: TableRules, staging: Table, names: Sequence[str], tracked: Sequence[str]
):
    """Per agency: staged rows that are new, that change a stored row, and all of them; and
    those that are new or change one of the ``tracked`` columns (what the summaries read)."""
    target = rules.table
    key = rules.key
    source: FromClause = staging.outerjoin(
        target, and_(*[target.c[name] == staging.c[name] for name in key])
    )
    link = rules.agency
    agency: ColumnElement = literal(None)
    if link is not None and link.via is None:
        agency = staging.c[link.column]
    elif link is not None:
        via = link.via.alias("owner")
        source = source.outerjoin(via, via.c.code == staging.c[link.column])
        agency = via.c[link.via_column]
    exists = target.c[key[0]].is_not(None)
    changed = _differs(
        left=target.c, right=staging.c, names=_value_columns(rules=rules, names=names)
    )
    moved = _differs(
        left=target.c,
        right=staging.c,
        names=[name for name in tracked if name in names and name not in key],
    )
    query = select(
        agency.label("agency"),
        func.count().label("rows"),
        func.coalesce(func.sum(case((exists, 0), else_=1)), 0).label("inserted"),
        func.coalesce(func.sum(case((and_(exists, changed), 1), else_=0)), 0).label("updated"),
        func.coalesce(func.sum(case((or_(~exists, moved), 1), else_=0)), 0).label("tracked"),
    ).select_from(source)
    # PostgreSQL refuses GROUP BY NULL; tables that belong to no agency are counted as one.
    return query.group_by(agency) if link is not None else query


def _add_counts(*, counts: WriteCounts, result: Sequence) -> int:
    """Add the counting query's ``result`` to ``counts``; the rows that will change."""
    changes = 0
    for row in result:
        inserted, updated = int(row["inserted"]), int(row["updated"])
        counts.inserted += inserted
        counts.updated += updated
        counts.unchanged += int(row["rows"]) - inserted - updated
        changes += inserted + updated
        if row["agency"] is not None:
            counts.add_changed(agency=str(row["agency"]), rows=inserted + updated)
    return changes


def _upsert_statement(
    *,
    insert: Callable,
    rules: TableRules,
    staging: Table,
    names: Sequence[str],
):
    target = rules.table
    # The WHERE tells SQLite's parser where the SELECT ends and the upsert clause begins.
    statement = insert(target).from_select(
        list(names), select(*[staging.c[name] for name in names]).where(true())
    )
    values = _value_columns(rules=rules, names=names)
    if not values:
        return statement.on_conflict_do_nothing(index_elements=list(rules.key))
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=list(rules.key),
        set_={name: excluded[name] for name in values},
        where=_differs(left=target.c, right=excluded, names=values),
    )
