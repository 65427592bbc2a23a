"""Many rows at once, on the session's own connection, in its transaction.

Multi-row ``INSERT ... VALUES`` statements through SQLAlchemy cost more than the database
spent on them: psycopg re-parses every statement too long for its query cache (≈ 40 % of
a CSV import), and SQLite's batches are assembled in Python. So on PostgreSQL rows are
streamed with ``COPY``; on SQLite they go in with one ``executemany``. Either way values go
through each column's bind processing (enums, JSON, ``UTCDateTime``) and Python-side
defaults, so rows read back exactly as rows written by the ORM.

- ``insert_rows``: plain inserts (audit entries, index changes, IPC codes);
- ``insert_returning_ids``: inserts whose new ids the caller needs, in the rows' order;
- ``insert_new``: inserts that skip rows violating a unique key and read back the new ones.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Column, Dialect, Row, Table, func, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from app.db import Base

Rows = Sequence[Mapping[str, Any]]


def insert_rows(session: Session, model: type[Base], rows: Rows) -> None:
    if not rows:
        return
    if uses_copy(session):
        table = _table(model)
        _copy(session, f'"{table.name}"', _columns(table, rows), rows)
    else:
        session.connection().execute(insert(model), list(rows))


def insert_returning_ids(session: Session, model: type[Base], rows: Rows) -> list[int]:
    """Insert ``rows``; their new primary keys, in the rows' order."""
    if not rows:
        return []
    if not uses_copy(session):
        stmt = insert(model).returning(_table(model).c.id, sort_by_parameter_order=True)
        return [int(i) for i in session.scalars(stmt, list(rows))]
    # Keys drawn from the table's sequence first, then the rows copied with them.
    sql = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
    ids = [int(i) for i in session.scalars(sql, {"table": _table(model).name, "n": len(rows)})]
    insert_rows(session, model, [{**r, "id": i} for r, i in zip(rows, ids, strict=True)])
    return ids


def insert_new(
    session: Session, model: type[Base], rows: Rows, returning: Sequence[Column[Any]]
) -> list[Row[Any]]:
    """Insert ``rows``, skipping those that violate a unique key; the ``returning``
    columns of the inserted ones, in insertion order.

    PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO
    NOTHING RETURNING`` in the rows' order. SQLite: one ``executemany`` without
    ``RETURNING``, then the rows above the previous largest id read back. SQLite has one
    writer at a time and a transaction that read an older snapshot cannot start writing,
    so between that read and the insert no one else wrote; rowids only grow, so those rows
    are exactly the ones inserted.
    """
    if not rows:
        return []
    table = _table(model)
    conn = session.connection()
    if not uses_copy(session):
        before = conn.scalar(select(func.coalesce(func.max(table.c.id), 0)))
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))
        stmt = select(*returning).where(table.c.id > before).order_by(table.c.id)
        return list(conn.execute(stmt).all())
    columns = _columns(table, rows)
    names = ", ".join(f'"{c.name}"' for c in columns)
    stage = f"_stage_{table.name}"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{stage}")
    # Column types copied from the table, without its defaults (no ids drawn for staging).
    conn.exec_driver_sql(
        f'CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT 0::bigint AS "ord", {names} '
        f'FROM "{table.name}" WITH NO DATA'
    )
    _copy(session, stage, columns, rows, numbered=True)
    out = ", ".join(f'"{c.name}"' for c in returning)
    copied = text(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {stage} ORDER BY "ord" '
        f"ON CONFLICT DO NOTHING RETURNING {out}"
    ).columns(*returning)  # typed results, as from the ORM
    return list(conn.execute(copied).all())


def uses_copy(session: Session) -> bool:
    """PostgreSQL: rows go in with ``COPY``."""
    return session.get_bind().dialect.name == "postgresql"


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _columns(table: Table, rows: Rows) -> list[Column[Any]]:
    """The columns the rows give, and those the ORM would fill from a Python default."""
    keys = set().union(*(row.keys() for row in rows))
    return [c for c in table.columns if c.key in keys or _python_default(c) is not None]


def _copy(
    session: Session, into: str, columns: list[Column[Any]], rows: Rows, numbered: bool = False
) -> None:
    """``COPY`` ``rows`` into ``into``; ``numbered``: an ``"ord"`` column first, 0, 1, …"""
    dialect = session.get_bind().dialect
    values = [_value(dialect, c) for c in columns]
    names = ", ".join((['"ord"'] if numbered else []) + [f'"{c.name}"' for c in columns])
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {into} ({names}) FROM STDIN") as copy:
        for n, row in enumerate(rows):
            fields = [value(row) for value in values]
            copy.write_row([n, *fields] if numbered else fields)


def _python_default(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    if default.is_callable:
        return lambda: default.arg(None)  # type: ignore[attr-defined]
    return lambda: default.arg  # type: ignore[attr-defined]


def _value(dialect: Dialect, column: Column[Any]) -> Callable[[Mapping[str, Any]], Any]:
    """Row → the value the ORM would bind for ``column`` (its default when the row lacks it)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    default = _python_default(column)
    key = column.key

    def value(row: Mapping[str, Any]) -> Any:
        raw = row[key] if key in row else (default() if default is not None else None)
        return process(raw) if process is not None else raw

    return value
