"""Alembic environment: the schema's only source outside tests."""

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.config import get_settings
from app.db import Base, UTCDateTime, make_engine

target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not import app code: write the column type it stores as.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # On the driver connection: the pragma is ignored inside a transaction, and
    # SQLAlchemy would open one for any statement sent through it.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    if on and driver.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise RuntimeError("the migration left rows that break a foreign key")


def _run(connection: Connection) -> None:
    # SQLite alters a table by rebuilding it (batch mode); with foreign keys on, dropping
    # the old table would cascade-delete the rows of every table referring to it.
    rebuilds = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if rebuilds:
        _sqlite_foreign_keys(connection, on=False)
    try:
        _configure_and_run(connection)
    finally:
        if rebuilds:
            _sqlite_foreign_keys(connection, on=True)


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    # Tests hand over an open connection so migrations run inside their database.
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_online()
