"""One app and one seeded database per fuzz module, rolled back at the end.

The fuzz tests make thousands of requests, so they share one world (``tests/access_world``)
instead of building one per example; what the examples write accumulates, as it would on
a live server, and the outer transaction undoes it all.
"""

import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.config import Settings
from app.main import create_app
from tests import access_world
from tests.access_world import World


@dataclass(frozen=True)
class FuzzWorld:
    app: FastAPI
    world: World
    admin_key: str
    enterprise_key: str
    own_key_ids: frozenset[int]  # never revoked by a generated request (see _call)
    statuses: Counter[int] = field(default_factory=Counter)  # of every answer, for the summary


# Totals over the run's modules, printed at the end (docs/benchmarks.md quotes them).
STATUSES: Counter[int] = Counter()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if STATUSES:
        counts = ", ".join(f"{status}: {n}" for status, n in sorted(STATUSES.items()))
        terminalreporter.write_line(f"fuzz: {STATUSES.total()} requests ({counts})")


def _key(session: Session, role: Role, **binding: int) -> tuple[int, str]:
    created = auth_service.create(session, ApiKeyCreate(name=f"fuzz {role}", role=role, **binding))
    return created.id, created.key


@pytest.fixture(scope="module", autouse=True)
def no_dns() -> Iterator[None]:
    """Webhook URLs are resolved when saved; generated ones name random hosts. Tests never
    leave loopback, so names fail to resolve here (a 422, as for an unknown host) and only
    IP literals, which need no lookup, get through."""
    real = socket.getaddrinfo

    def numeric_only(host: str, port: str | int | None, family=0, type=0, proto=0, flags=0):
        return real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", numeric_only)
        yield


@pytest.fixture(scope="module")
def fuzz_world(
    engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzWorld]:
    with engine.connect() as connection:
        outer = connection.begin()
        factory = sessionmaker(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        with factory() as session, session.begin():
            world = access_world.build(session)
            admin_id, admin = _key(session, Role.admin)
            enterprise_id, enterprise = _key(session, Role.enterprise, enterprise_id=world.ent)
        uploads: Path = tmp_path_factory.mktemp("fuzz-imports")
        settings = Settings(
            database_url=database_url,
            max_body_bytes=200_000,
            index_dir=None,
            import_dir=uploads,
            # Thousands of requests a minute from one key: 429 is tested in test_auth.
            rate_limit_per_minute=1_000_000,
        )
        app = create_app(settings, factory)
        fuzz = FuzzWorld(app, world, admin, enterprise, frozenset({admin_id, enterprise_id}))
        yield fuzz
        STATUSES.update(fuzz.statuses)
        outer.rollback()
