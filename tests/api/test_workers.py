"""Several uvicorn workers starting on one database and one index directory."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.matches import tasks
from app.matches.engine import MatchEngine
from app.migrate import upgrade_head
from app.sample import load_sample
from tests import factories as f


@pytest.fixture
def sample_url(fresh_database_url: Callable[[], str]) -> str:
    url = fresh_database_url()
    upgrade_head(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        load_sample(session, Settings(database_url=url).data_dir)
    engine.dispose()
    return url


def test_index_build_at_start_up_holds_no_write_lock(
    sample_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While one worker builds its index, another must be able to write (on SQLite a
    # write transaction held through the build locked the second worker out).
    writes: list[str] = []
    original = MatchEngine.start

    def start_and_let_another_write(self: MatchEngine, session: object) -> None:
        other = make_engine(sample_url)
        with other.connect() as conn:
            if other.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 200")
            conn.execute(text("UPDATE match_runs SET per_need = per_need WHERE 1 = 0"))
            conn.commit()
            writes.append("ok")
        other.dispose()
        original(self, session)  # type: ignore[arg-type]

    monkeypatch.setattr(MatchEngine, "start", start_and_let_another_write)
    app = create_app(Settings(database_url=sample_url, index_dir=tmp_path / "index"))
    with TestClient(app) as http:
        assert http.get("/ready").status_code == 200
    assert writes == ["ok"]


def test_workers_starting_together_build_once_and_share_the_files(
    sample_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fits: list[int] = []
    original = MatchEngine._fit

    def counting_fit(self: MatchEngine, *args: object) -> None:
        fits.append(1)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(MatchEngine, "_fit", counting_fit)
    settings = Settings(database_url=sample_url, index_dir=tmp_path / "index")
    statuses: list[dict[str, object]] = []

    def worker() -> None:
        with TestClient(create_app(settings)) as http:
            statuses.append(http.get("/ready").json()["index"])

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(statuses) == 2 and statuses[0]["patents"] == statuses[1]["patents"] == 300
    assert len(fits) == 1  # the second worker waited for the first one's files and loaded them


def test_batch_run_survives_another_workers_write(
    sample_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process commits while a chunk is being ranked. On SQLite a transaction that
    # read before that commit cannot write afterwards ("database is locked" at once), so
    # ranking and storing a chunk must not share one transaction.
    original = tasks._rank_chunk

    def rank_then_another_write(*args: Any) -> list[dict[str, Any]]:
        rows = original(*args)
        other = make_engine(sample_url)
        with other.begin() as conn:
            conn.execute(text("UPDATE match_runs SET per_need = per_need"))
        other.dispose()
        return rows

    monkeypatch.setattr(tasks, "_rank_chunk", rank_then_another_write)
    engine = make_engine(sample_url)
    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="t", role=Role.admin)).key
    engine.dispose()
    app = create_app(Settings(database_url=sample_url, index_dir=None))
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as http:
        run = http.post("/v1/match-runs", json={"per_need": 3}).json()
        done = http.get(f"/v1/match-runs/{run['id']}").json()
    assert done["state"] == "succeeded", done["errors"]
    assert done["processed"] == done["total"] > 0


def test_only_writing_requests_take_sqlite_write_lock(sample_url: str) -> None:
    if not sample_url.startswith("sqlite"):
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL locks rows")
    engine = make_engine(sample_url)
    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="t", role=Role.admin)).key
    engine.dispose()
    app = create_app(Settings(database_url=sample_url, index_dir=None))
    begins: list[str] = []
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as http:

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            # Only the requests': the feed worker thread's writes begin IMMEDIATE too.
            worker = threading.current_thread().name.startswith("panhuo-worker")
            if statement.startswith("BEGIN") and not worker:
                begins.append(statement)

        event.listen(app.state.engine, "before_cursor_execute", record)
        assert http.post("/v1/match", json={"text": "无人机巡检"}).status_code == 200
        matched, begins[:] = list(begins), []
        assert http.post("/v1/enterprises", json=f.enterprise()).status_code == 201
    assert "BEGIN IMMEDIATE" not in matched  # read-only POST: matches must not queue
    assert "BEGIN IMMEDIATE" in begins
