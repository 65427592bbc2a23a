"""Engine, sessions and declarative base; the request's session is ``app.deps.DBSession``."""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    Enum,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(cls: type[StrEnum], length: int = 20) -> Enum:
    """Enums stored as plain strings: portable, and adding a value needs no type migration."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A transaction marked by begin_write takes SQLite's write lock up front (waiting up to
    # the busy timeout). A deferred one that read before another connection committed can
    # no longer write: SQLite answers "database is locked" at once, without waiting.
    immediate = conn.get_execution_options().get(_WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_WRITE_OPTION = "panhuo_write"
T = TypeVar("T")
log = logging.getLogger("panhuo.db")


def begin_write(session: Session) -> None:
    """Declare, before its first statement, that ``session``'s transaction will write.

    Only SQLite acts on it (see ``_sqlite_begin``); PostgreSQL locks rows, not the file.
    """
    session.connection(execution_options={_WRITE_OPTION: True})


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose one transaction begins as a writer and commits on exit.

    For work outside requests (jobs, the feed worker, the CLI) that may write: on SQLite a
    transaction that read first fails at its first write if another connection committed
    meanwhile, even when it would have waited for the lock.
    """
    with factory() as session, session.begin():
        begin_write(session)
        yield session


def retry_busy(action: Callable[[], T], attempts: int = 5, pause: float = 0.5) -> T:
    """Run ``action``; again (after a growing pause) when the database is busy or gone.

    For the steps that must happen although the database hiccups, e.g. marking a job
    finished: its last state must never be lost to one "database is locked".
    """
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except OperationalError:
            if attempt == attempts:
                raise
            log.warning("database busy, retrying (%d/%d)", attempt, attempts)
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")


def make_engine(url: str, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        # timeout: how long a writer waits for SQLite's single write lock. With several
        # workers (and their feed threads) the 5 s default failed a worker's start-up write
        # while another held a long producer transaction.
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def make_sessionmaker(bind: Any) -> sessionmaker[Session]:
    # Its sessions audit their writes and log index changes once the process has installed
    # the hooks (app.hooks): create_app and the CLI do.
    # expire_on_commit=False: responses are serialized after the commit.
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)
