"""Writing validated rows into their table: upsert by natural key, inside the caller's
transaction, counting what was inserted, updated and left unchanged.

All rows go into a temporary staging table first (COPY on PostgreSQL, executemany on SQLite).
Then, a chunk of rows at a time, one query compares the chunk with the table (the counts, and
which agencies' rows change) and one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` writes it.
The update only touches rows whose values differ, so importing the same file twice changes
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

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
import pyarrow
from pyarrow import csv as arrow_csv
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    distinct,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from data_access import schema
from data_access.bulk import bulk_insert
from data_access.validation import ROW, TableRules

CHUNK_ROWS = 50_000
"""Rows compared and upserted per statement: paces the progress bar and bounds each step."""

STAGING_TABLE = "import_staging"
# SQLite's page cache is 2 MB by default; an import into indexed tables of a few hundred
# thousand rows runs several times faster with room for the indexes' pages.
_SQLITE_IMPORT_CACHE_KIB = 262_144
_POSTGRESQL_IMPORT_WORK_MEM = "64MB"
# Share of the write progress spent staging (the rest: comparing and upserting).
_STAGING_SHARE = 0.3


class MissingReferenceError(RuntimeError):
    """A referenced row disappeared between validation and writing (set-based check)."""


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_by_agency: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Dialect:
    """Everything that differs between SQLite and PostgreSQL when importing, in one place."""

    name: str
    insert: Callable
    staging_options: dict[str, object]
    drop_staging_sql: str
    tuning: tuple[str, ...]
    untuning: tuple[str, ...]


def _dialect(connection: Connection) -> _Dialect:
    if connection.dialect.name == "postgresql":
        return _Dialect(
            name="postgresql",
            insert=postgresql.insert,
            staging_options={"postgresql_on_commit": "DROP"},
            drop_staging_sql=f"DROP TABLE IF EXISTS pg_temp.{STAGING_TABLE}",
            # The per-chunk comparison sorts by agency; the default 4 MB spills it to disk.
            tuning=(f"SET work_mem = '{_POSTGRESQL_IMPORT_WORK_MEM}'",),
            untuning=("RESET work_mem",),
        )
    return _Dialect(
        name="sqlite",
        insert=sqlite.insert,
        staging_options={},
        drop_staging_sql=f"DROP TABLE IF EXISTS temp.{STAGING_TABLE}",
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

    ``progress`` hears the share of the work done (0–1) after every step; whatever it raises
    aborts the import, and the caller's transaction then leaves the table as it was.
    ``set_based_checks=False`` keeps PostgreSQL's per-row foreign-key triggers.
    """
    dialect = _dialect(connection)
    names = [name for name in rows.columns if name != ROW]
    staging = _staging_table(dialect=dialect, rules=rules, names=names)
    connection.exec_driver_sql(dialect.drop_staging_sql)
    staging.create(connection)
    for start in range(0, len(rows), chunk_rows):
        chunk = rows.iloc[start : start + chunk_rows]
        _stage(connection, dialect=dialect, staging=staging, chunk=chunk[[ROW, *names]])
        progress(_STAGING_SHARE * (start + len(chunk)) / len(rows))
    if any(rule.references == rules.name for rule in rules.columns):
        # A row may name a parent further down the file; one statement sees them all.
        chunk_rows = len(rows)
    counts = WriteCounts()
    bypass = set_based_checks and _skip_row_triggers(connection, dialect=dialect)
    for start in range(0, len(rows), chunk_rows):
        first, last = rows[ROW].iloc[start], rows[ROW].iloc[min(start + chunk_rows, len(rows)) - 1]
        chunk = staging.c[ROW].between(int(first), int(last))
        found = connection.execute(
            _counting_query(rules=rules, staging=staging, names=names, chunk=chunk)
        )
        _add_counts(counts=counts, result=found.mappings().all())
        connection.execute(
            _upsert_statement(
                insert=dialect.insert, rules=rules, staging=staging, names=names, chunk=chunk
            )
        )
        done = min(start + chunk_rows, len(rows)) / len(rows)
        progress(_STAGING_SHARE + (1 - _STAGING_SHARE) * done)
    if bypass:
        _check_references(connection, rules=rules, staging=staging, names=names)
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
    connection.exec_driver_sql(dialect.drop_staging_sql)
    return counts


def _staging_table(*, dialect: _Dialect, rules: TableRules, names: Sequence[str]) -> Table:
    return Table(
        STAGING_TABLE,
        MetaData(),
        Column(ROW, Integer, primary_key=True, autoincrement=False),
        *[Column(name, rules.table.c[name].type) for name in names],
        prefixes=["TEMPORARY"],
        **dialect.staging_options,
    )


def _stage(
    connection: Connection, *, dialect: _Dialect, staging: Table, chunk: pd.DataFrame
) -> None:
    if dialect.name != "postgresql":
        bulk_insert(connection, table=staging, frame=chunk)
        return
    # COPY in CSV form, written by pyarrow in one go (several times faster than row by row):
    # strings come quoted, and an unquoted empty field is NULL.
    buffer = io.BytesIO()
    arrow_csv.write_csv(
        pyarrow.Table.from_pandas(chunk, preserve_index=False),
        buffer,
        arrow_csv.WriteOptions(include_header=False),
    )
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in chunk.columns)
    statement = f"COPY {preparer.format_table(staging)} ({columns}) FROM STDIN WITH (FORMAT csv)"
    driver_connection = connection.connection.driver_connection
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(buffer.getvalue())


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
    connection: Connection, *, rules: TableRules, staging: Table, names: Sequence[str]
) -> None:
    """What the skipped triggers would have done, one statement per key: lock every
    referenced row against deletion and make sure each referenced code exists."""
    for rule in rules.columns:
        if not rule.references or rule.name not in names:
            continue
        referenced = schema.metadata.tables[rule.references]
        needed = select(staging.c[rule.name]).where(staging.c[rule.name].is_not(None))
        wanted = connection.execute(select(func.count(distinct(staging.c[rule.name])))).scalar_one()
        locked = connection.execute(
            select(referenced.c.code)
            .where(referenced.c.code.in_(needed))
            .with_for_update(read=True, key_share=True)
        ).scalars()
        found = len(list(locked))
        if found != wanted:
            raise MissingReferenceError(
                f"{wanted - found} code(s) in {rule.name} no longer exist in {rule.references}"
            )


def _value_columns(*, rules: TableRules, names: Sequence[str]) -> list[str]:
    return [name for name in names if name not in rules.key]


def _differs(*, left: Mapping, right: Mapping, names: Sequence[str]) -> ColumnElement:
    """Any of ``names`` differs between two column collections (NULL = NULL counts as equal)."""
    if not names:
        return false()
    return or_(*[left[name].is_distinct_from(right[name]) for name in names])


def _counting_query(
    *, rules: TableRules, staging: Table, names: Sequence[str], chunk: ColumnElement
):
    """Per agency: rows of the chunk that are new, that change a stored row, and all rows."""
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
    query = (
        select(
            agency.label("agency"),
            func.count().label("rows"),
            func.coalesce(func.sum(case((exists, 0), else_=1)), 0).label("inserted"),
            func.coalesce(func.sum(case((and_(exists, changed), 1), else_=0)), 0).label("updated"),
        )
        .select_from(source)
        .where(chunk)
    )
    # PostgreSQL refuses GROUP BY NULL; tables that belong to no agency are counted as one.
    return query.group_by(agency) if link is not None else query


def _add_counts(*, counts: WriteCounts, result: Sequence) -> None:
    for row in result:
        inserted, updated = int(row["inserted"]), int(row["updated"])
        counts.inserted += inserted
        counts.updated += updated
        counts.unchanged += int(row["rows"]) - inserted - updated
        if row["agency"] is not None and inserted + updated:
            agency = str(row["agency"])
            counts.changed_by_agency[agency] = (
                counts.changed_by_agency.get(agency, 0) + inserted + updated
            )


def _upsert_statement(
    *,
    insert: Callable,
    rules: TableRules,
    staging: Table,
    names: Sequence[str],
    chunk: ColumnElement,
):
    target = rules.table
    # The WHERE also tells SQLite's parser the upsert from a join (it needs one there).
    statement = insert(target).from_select(
        list(names), select(*[staging.c[name] for name in names]).where(chunk)
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
