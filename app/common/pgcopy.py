"""Bulk inserts with PostgreSQL ``COPY`` on the session's own connection.

Multi-row ``INSERT ... VALUES`` statements are too big for psycopg's query cache, so
converting each one cost more than the database spent on it (≈ 40 % of a CSV import).
``COPY`` streams the same rows in the same transaction. Values go through each column's
SQLAlchemy bind processing (enums, JSON, ``UTCDateTime``) and Python-side defaults, so
they read back exactly as rows written by the ORM. Other backends keep the ORM path.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Column, Table, insert, text
from sqlalchemy.orm import Session

from app.db import Base

Value = Callable[[Mapping[str, Any]], Any]


def enabled(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_rows(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """``COPY`` on PostgreSQL, else a Core multi-row insert on the session's connection."""
    if not rows:
        return
    if enabled(session):
        copy_rows(session, model, rows)
    else:
        session.connection().execute(insert(model), list(rows))


def reserve_ids(session: Session, model: type[Base], n: int) -> list[int]:
    """``n`` fresh primary keys from the table's serial sequence, in allocation order."""
    sql = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
    return [int(i) for i in session.scalars(sql, {"table": _table(model).name, "n": n})]


def copy_rows(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (column key → Python value) as the ORM would, with one ``COPY``."""
    if not rows:
        return
    table = _table(model)
    keys = set().union(*(row.keys() for row in rows))
    columns = [c for c in table.columns if c.key in keys or _python_default(c) is not None]
    values = [_value(session, c) for c in columns]
    names = ", ".join(f'"{c.name}"' for c in columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([value(row) for value in values])


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _python_default(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    if default.is_callable:
        return lambda: default.arg(None)  # type: ignore[attr-defined]
    return lambda: default.arg  # type: ignore[attr-defined]


def _value(session: Session, column: Column[Any]) -> Value:
    """Row → the value the ORM would bind for ``column`` (its default when the row lacks it)."""
    dialect = session.get_bind().dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    default = _python_default(column)
    key = column.key

    def value(row: Mapping[str, Any]) -> Any:
        raw = row[key] if key in row else (default() if default is not None else None)
        return process(raw) if process is not None else raw

    return value
