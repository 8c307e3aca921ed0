"""Fast loading of whole DataFrames into one table: executemany on SQLite, COPY on PostgreSQL.

Row-by-row INSERTs through the ORM take minutes for the national demo dataset; these two paths
take seconds. Values are converted column by column (not cell by cell) into what each driver
accepts: ISO date strings, 0/1 or bool, and None for every kind of missing value.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow
from pyarrow import csv as arrow_csv
from sqlalchemy import Column, Connection, Date, DateTime, Table
from sqlalchemy.exc import DBAPIError

CHUNK_ROWS = 50_000
"""Rows converted and sent at a time: bounds memory for millions of rows."""


def bulk_insert(connection: Connection, *, table: Table, frame: pd.DataFrame) -> int:
    """Insert all rows of ``frame`` (columns = a subset of the table's columns); returns the count.

    Runs inside the caller's transaction. SQLite: one executemany per chunk of tuples through
    ``connection.exec_driver_sql``. PostgreSQL: ``COPY ... FROM STDIN`` through psycopg 3.
    """
    unknown = [name for name in frame.columns if name not in table.columns]
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {', '.join(map(str, unknown))}")
    if frame.empty:
        return 0
    columns = [table.columns[name] for name in frame.columns]
    if connection.dialect.name == "postgresql":
        _copy_into(connection, table=table, columns=columns, frame=frame)
    else:
        _executemany_into(connection, table=table, columns=columns, frame=frame)
    return len(frame)


def copy_arrow(connection: Connection, *, table: Table, data: pyarrow.Table) -> None:
    """PostgreSQL only: every row of ``data`` (columns named as ``table``'s) into ``table`` by one
    COPY in CSV form, written by pyarrow in one go (several times faster than row by row):
    strings come quoted, and an unquoted empty field is NULL."""
    buffer = io.BytesIO()
    arrow_csv.write_csv(data, buffer, arrow_csv.WriteOptions(include_header=False))
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in data.column_names)
    statement = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN WITH (FORMAT csv)"
    # The psycopg connection under SQLAlchemy's: COPY then joins the caller's transaction.
    driver_connection = connection.connection.driver_connection
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(buffer.getvalue())
    except connection.dialect.loaded_dbapi.Error as error:
        # What SQLAlchemy would have raised had it run the statement itself.
        raise DBAPIError.instance(
            statement, None, error, connection.dialect.loaded_dbapi.Error
        ) from error


def _executemany_into(
    connection: Connection, *, table: Table, columns: list[Column], frame: pd.DataFrame
) -> None:
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(column.name) for column in columns)
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    placeholders = ", ".join([marker] * len(columns))
    statement = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({placeholders})"
    for rows in _row_chunks(columns=columns, frame=frame, booleans_as_int=True):
        connection.exec_driver_sql(statement, rows)


def _copy_into(
    connection: Connection, *, table: Table, columns: list[Column], frame: pd.DataFrame
) -> None:
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(column.name) for column in columns)
    statement = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN"
    # The psycopg connection under SQLAlchemy's: COPY then joins the caller's transaction.
    driver_connection = connection.connection.driver_connection
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for rows in _row_chunks(columns=columns, frame=frame, booleans_as_int=False):
            for row in rows:
                copy.write_row(row)


def _row_chunks(
    *, columns: list[Column], frame: pd.DataFrame, booleans_as_int: bool
) -> Iterator[list[tuple]]:
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        values = [
            _python_values(
                series=chunk[column.name], column=column, booleans_as_int=booleans_as_int
            )
            for column in columns
        ]
        yield list(zip(*values, strict=True))


def _python_values(*, series: pd.Series, column: Column, booleans_as_int: bool) -> list:
    """Plain Python values (str, int, float, bool, None) that every DB-API driver accepts."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _datetimes_as_text(series=series, column=column)
    if pd.api.types.is_bool_dtype(series.dtype):
        booleans = series.to_numpy(dtype=object, na_value=None)
        return [None if value is None else _boolean(value, booleans_as_int) for value in booleans]
    values = series.to_numpy(dtype=object, na_value=None)
    if series.dtype == object:
        return [_scalar(value, column=column, booleans_as_int=booleans_as_int) for value in values]
    if pd.api.types.is_float_dtype(series.dtype):
        # NaN survives to_numpy for plain float64; databases want NULL.
        return [None if value is None or value != value else value for value in values]
    return values.tolist()


def _datetimes_as_text(*, series: pd.Series, column: Column) -> list:
    unit = "s" if isinstance(column.type, DateTime) else "D"
    stamps = series.to_numpy(dtype=f"datetime64[{unit}]")
    text = np.datetime_as_string(stamps, unit=unit).astype(object)
    if unit == "s":
        # SQLAlchemy's SQLite DateTime format; PostgreSQL parses it as well.
        text = np.char.replace(text.astype(str), "T", " ").astype(object)
    text[np.isnat(stamps)] = None
    return text.tolist()


def _boolean(value: object, booleans_as_int: bool) -> int | bool:
    return int(bool(value)) if booleans_as_int else bool(value)


def _scalar(value: object, *, column: Column, booleans_as_int: bool) -> object:
    """One cell of an object column (hand-made frames: dates, bools, None, numpy scalars)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return _boolean(value, booleans_as_int)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "isoformat"):
        if isinstance(column.type, Date) and not isinstance(column.type, DateTime):
            return value.isoformat()[:10]
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return value
