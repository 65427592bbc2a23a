"""Many rows at once, duplicates skipped, and the rows that were new read back.

The producer writes about twenty feed items per new patent (≈ 200k for a 10k-patent
import). A multi-row ``INSERT … RETURNING`` through SQLAlchemy cost more than the database
spent on it: psycopg re-parses every 1,000-row statement (too long for its query cache) and
SQLite's batches are assembled in Python. Instead:

- PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO
  NOTHING RETURNING`` in the rows' order;
- SQLite: one ``executemany`` without ``RETURNING``, then the rows above the previous
  largest id read back. SQLite has one writer at a time and a transaction that read an
  older snapshot cannot start writing, so between that read and the insert no one else
  wrote; rowids only grow, so those rows are exactly the ones inserted.

Values go through each column's bind processing (enums, JSON, ``UTCDateTime``), so rows
read back as if the ORM had written them.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Row, Table, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session


def insert_new(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    returning: Sequence[Column[Any]],
) -> list[Row[Any]]:
    """Insert ``rows`` (all with the same keys), skipping those that violate a unique key;
    the ``returning`` columns of the inserted ones, in insertion order."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _copy_then_insert(session, table, rows, returning)
    conn = session.connection()
    before = conn.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
    stmt = select(*returning).where(table.c.id > before).order_by(table.c.id)
    return list(conn.execute(stmt).all())


def _copy_then_insert(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    returning: Sequence[Column[Any]],
) -> list[Row[Any]]:
    columns = [table.c[key] for key in rows[0]]
    names = ", ".join(f'"{c.name}"' for c in columns)
    stage = f"_stage_{table.name}"
    conn = session.connection()
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{stage}")
    # Column types copied from the table, without its defaults (no ids drawn for staging).
    conn.exec_driver_sql(
        f'CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT 0::bigint AS "ord", {names} '
        f'FROM "{table.name}" WITH NO DATA'
    )
    dialect = conn.dialect
    processors = [(c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f'COPY {stage} ("ord", {names}) FROM STDIN') as copy:
        for n, row in enumerate(rows):
            values = [row[k] if p is None else p(row[k]) for k, p in processors]
            copy.write_row([n, *values])
    out = ", ".join(f'"{c.name}"' for c in returning)
    stmt = text(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {stage} ORDER BY "ord" '
        f"ON CONFLICT DO NOTHING RETURNING {out}"
    ).columns(*returning)  # typed results, as from the ORM
    return list(conn.execute(stmt).all())
