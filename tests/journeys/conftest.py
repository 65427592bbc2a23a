"""Where the journeys run: in-process, or a real two-worker uvicorn on SQLite.

``site`` is parametrized. ``in_process`` uses the suite's app and database (SQLite or
PostgreSQL, as the pass chooses) with the feed worker driven by hand. ``uvicorn`` starts
``uvicorn app.main:app --workers 2`` on a free port, once per module, on a fresh migrated
SQLite file, with each worker's own feed/webhook thread; it runs in the SQLite pass only
(whatever the pass, its database would be the same SQLite file). Every journey acts only
through HTTP: the one key made outside it is the first admin key, as in production.
"""

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.feeds.worker import Worker
from app.migrate import upgrade_head
from tests.console.browser import run_uvicorn
from tests.feeds.conftest import LOOPBACK, receiver  # noqa: F401  (the webhook receiver fixture)

WAIT_SECONDS = 30  # background work (imports, match runs, feeds) on a loaded machine


@dataclass
class Site:
    """An admin client, a way to act with any key, and a nudge for background work."""

    name: str
    admin: httpx.Client
    connect: Callable[[str], httpx.Client]
    settle: Callable[[], object]  # in-process: run the feed worker; a server runs its own

    def eventually(self, check: Callable[[], Any], what: str) -> Any:
        """Poll ``check`` until it returns something truthy; fail after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            self.settle()
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name}: timed out waiting for {what}")
            time.sleep(0.2)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The suite's settings, with webhooks allowed to the loopback receiver."""
    return Settings(
        database_url=database_url,
        max_body_bytes=200_000,
        index_dir=None,
        webhook_allow_networks=LOOPBACK,
        webhook_retry_base_seconds=0.01,
        outbound_timeout_seconds=2.0,
    )


def _in_process(request: pytest.FixtureRequest) -> Iterator[Site]:
    app: FastAPI = request.getfixturevalue("app")
    admin: TestClient = request.getfixturevalue("client")  # also runs the app's lifespan
    factory: sessionmaker[Session] = request.getfixturevalue("session_factory")
    worker = Worker(factory, app.state.match_engine, request.getfixturevalue("settings"))

    def connect(key: str) -> httpx.Client:
        return TestClient(app, headers={"Authorization": f"Bearer {key}"})

    yield Site("in-process", admin, connect, worker.run_until_idle)
    worker.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A two-worker uvicorn on a fresh SQLite file: (base URL, admin key)."""
    if os.environ.get("PANHUO_TEST_DATABASE_URL"):
        pytest.skip("the two-worker server runs on SQLite, in the SQLite pass")
    workdir = tmp_path_factory.mktemp("journeys")
    url = f"sqlite:///{workdir / 'panhuo.db'}"
    upgrade_head(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="first admin", role=Role.admin)).key
    engine.dispose()
    env = {
        "PANHUO_WORKER_IN_PROCESS": "true",
        "PANHUO_WEBHOOK_ALLOW_NETWORKS": json.dumps(LOOPBACK),
        "PANHUO_WEBHOOK_RETRY_BASE_SECONDS": "0.01",
    }
    with run_uvicorn(url, workdir, "journeys-server.log", env, workers=2) as base:
        yield base, key


def _over_http(request: pytest.FixtureRequest) -> Iterator[Site]:
    base, admin_key = request.getfixturevalue("server")
    clients: list[httpx.Client] = []

    def connect(key: str) -> httpx.Client:
        clients.append(
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        )
        return clients[-1]

    yield Site("uvicorn --workers 2", connect(admin_key), connect, lambda: None)
    for c in clients:
        c.close()


@pytest.fixture(params=["in_process", "uvicorn"])
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    yield from (_in_process if request.param == "in_process" else _over_http)(request)
