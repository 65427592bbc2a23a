"""Test database per run, rolled back per test.

``PANHUO_TEST_DATABASE_URL`` picks the server (``scripts/test`` sets it for the PostgreSQL
pass); without it the suite uses a fresh SQLite file. On PostgreSQL a new database is created
for the run and dropped afterwards. The schema is built by the Alembic migrations.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.config import Settings
from app.db import make_engine
from app.hooks import install as install_hooks
from app.main import create_app
from app.migrate import upgrade_head

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
install_hooks()  # as create_app and the CLI do: tests that write without an app are audited


def _create_pg_database(server_url: str) -> tuple[str, str]:
    name = f"panhuo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A factory of empty databases on the configured server, dropped at the end."""
    server_url = os.environ.get("PANHUO_TEST_DATABASE_URL")
    created: list[str] = []

    def make() -> str:
        if not server_url:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'panhuo.db'}"
        url, name = _create_pg_database(server_url)
        created.append(name)
        return url

    yield make
    for name in created:
        _drop_pg_database(str(server_url), name)


@pytest.fixture
def committed(fresh_database_url: Callable[[], str]) -> Iterator[tuple[str, Engine]]:
    """A database of its own, at head, for code that commits (jobs, workers, processes)."""
    url = fresh_database_url()
    upgrade_head(url)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(fresh_database_url: object) -> str:
    url = fresh_database_url()  # type: ignore[operator]
    upgrade_head(url)
    return str(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Each request's commit only releases a savepoint; the outer rollback undoes the test.
    return sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_body_bytes=200_000, index_dir=None)


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    return create_app(settings, session_factory)


@pytest.fixture
def anon(app: FastAPI) -> Iterator[TestClient]:
    """An unauthenticated client; its context runs the app's lifespan for the test."""
    with TestClient(app) as test_client:
        yield test_client


MakeKey = Callable[..., str]


@pytest.fixture
def make_key(session_factory: sessionmaker[Session]) -> MakeKey:
    def make(role: str, **binding: Any) -> str:
        with session_factory() as session, session.begin():
            data = ApiKeyCreate(name=f"test {role}", role=Role(role), **binding)
            return auth_service.create(session, data).key

    return make


ClientFor = Callable[..., TestClient]


@pytest.fixture
def client_for(app: FastAPI, anon: TestClient, make_key: MakeKey) -> ClientFor:
    """``client_for("enterprise", enterprise_id=3)``: a client holding a fresh key."""

    def make(role: str, **binding: Any) -> TestClient:
        key = make_key(role, **binding)
        return TestClient(app, headers={"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def client(client_for: ClientFor) -> TestClient:
    """An admin client: the CRUD tests are about behaviour, the access tests about roles."""
    return client_for("admin")


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED
