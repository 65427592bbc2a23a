"""Another connection commits in the middle of an import, a digest and an admin CLI call.

On SQLite a deferred transaction that has read cannot write once another connection
committed after its read: SQLite answers "database is locked" at once. Every transaction
that may write must therefore begin as a writer (``BEGIN IMMEDIATE``); the other writer
then waits for it instead of breaking it. Real database file, real second connection.
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app import cli
from app.auth import service as auth_service
from app.auth.models import ApiKey
from app.auth.principal import SYSTEM
from app.common import jobs
from app.common.jobs import JobState
from app.db import make_engine, make_sessionmaker
from app.enterprises.models import Enterprise
from app.feeds import digest
from app.feeds.models import FeedItem, Reason, WebhookDelivery, WebhookEndpoint
from app.imports import service as imports
from app.imports import tasks
from app.imports.models import ImportJob
from app.patents.models import Patent
from tests import factories as f
from tests.imports.helpers import csv_bytes


class OtherWriter:
    """Commits from a second engine on a thread, while the code under test is mid-way."""

    def __init__(self, url: str) -> None:
        self.url, self.errors, self.done = url, list[BaseException](), 0
        self.threads: list[threading.Thread] = []

    def _write(self) -> None:
        other = make_engine(self.url)
        try:
            with other.begin() as conn:
                conn.execute(text("UPDATE feed_producer SET last_change_id = last_change_id + 1"))
            self.done += 1
        except BaseException as exc:  # reported by finish()
            self.errors.append(exc)
        finally:
            other.dispose()

    def commit_now(self, session: Session) -> None:
        """The caller's transaction reads, then another connection commits (or, when the
        caller holds the write lock, waits for it)."""
        session.execute(select(func.count()).select_from(Patent))
        thread = threading.Thread(target=self._write)
        thread.start()
        thread.join(0.5)  # committed by now unless it waits for our write lock
        self.threads.append(thread)

    def finish(self) -> None:
        for thread in self.threads:
            thread.join(60)
        assert not self.errors, self.errors
        assert self.done == len(self.threads) > 0


def test_import_survives_a_commit_from_another_connection(
    committed: tuple[str, Engine], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    other = OtherWriter(url)
    original = tasks.land

    def land_beside_another_writer(session: Session, *args: Any) -> Any:
        other.commit_now(session)
        return original(session, *args)

    monkeypatch.setattr(tasks, "land", land_beside_another_writer)
    rows = [[f.application_number(), "无人机", "发明", "2020-01-02", "", "", "有效", "甲大学"]]
    path = tmp_path / "one.csv"
    path.write_bytes(csv_bytes(rows))
    job_id = _queue_import(factory, path, tmp_path)
    tasks.run_import(factory, job_id, None, SYSTEM)
    other.finish()
    with factory() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        assert (job.state, job.inserted, job.error) == (JobState.succeeded, 1, None)


def _queue_import(factory: sessionmaker[Session], path: Any, store: Any) -> int:
    with path.open("rb") as fh, factory() as session, session.begin():
        upload = imports.Upload(fh, path.name, None, None)
        job = imports.create(session, SYSTEM, upload, store, lambda *a: None, None)
        return job.id


def test_digest_survives_a_commit_from_another_connection(
    committed: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    with factory() as session, session.begin():
        ent = Enterprise(name="湖北企业", uscc=f.credit_code(), region_code="420100")
        patent = Patent(**_patent_row())
        session.add_all([ent, patent])
        session.flush()
        session.add(
            WebhookEndpoint(
                enterprise_id=ent.id,
                url="https://example.com/h",
                secret="s" * 32,
                events=["digest"],
                state="healthy",
            )
        )
        yesterday = datetime.now(digest.CST) - timedelta(days=1)  # the digest's day
        session.add(
            FeedItem(
                enterprise_id=ent.id,
                patent_id=patent.id,
                reason=Reason.match,
                score=0.5,
                explanation={},
                created_at=yesterday.replace(hour=4),
            )
        )
    other = OtherWriter(url)
    original = digest.build

    def build_beside_another_writer(session: Session, *args: Any) -> Any:
        other.commit_now(session)
        return original(session, *args)

    monkeypatch.setattr(digest, "build", build_beside_another_writer)
    assert digest.enqueue_yesterday(factory) == 1
    other.finish()
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1


def _patent_row() -> dict[str, Any]:
    from app.patents.models import ImplementationStatus, LegalStatus, PatentType, PoolStatus

    return {
        "application_number": f.application_number(),
        "patent_type": PatentType.invention,
        "title": "无人机巡检装置",
        "legal_status": LegalStatus.valid,
        "pool_status": PoolStatus.in_pool,
        "implementation_status": ImplementationStatus.not_implemented,
    }


def test_admin_create_key_survives_a_commit_from_another_connection(
    committed: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    url, engine = committed
    monkeypatch.setenv("DATABASE_URL", url)
    cli.get_settings.cache_clear()
    other = OtherWriter(url)
    original = auth_service._check_binding

    def check_beside_another_writer(session: Session, *args: Any) -> None:
        other.commit_now(session)
        original(session, *args)

    monkeypatch.setattr(auth_service, "_check_binding", check_beside_another_writer)
    try:
        assert cli.main(["admin", "create-key", "--role", "admin"]) == 0
    finally:
        cli.get_settings.cache_clear()
    other.finish()
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ApiKey)) == 1


def _busy() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


def test_finishing_an_import_retries_while_the_database_is_busy(
    committed: tuple[str, Engine], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _url, engine = committed
    factory = make_sessionmaker(engine)
    path = tmp_path / "one.csv"
    path.write_bytes(csv_bytes([[f.application_number(), "无人机", "发明", "2020-01-02"]]))
    job_id = _queue_import(factory, path, tmp_path)
    busy = {"left": 0}
    original = jobs.write_session

    @contextmanager
    def sometimes_busy(factory: sessionmaker[Session]) -> Iterator[Session]:
        if busy["left"]:
            busy["left"] -= 1
            raise _busy()
        with original(factory) as session:
            yield session

    def arm_after_last_batch(job: ImportJob) -> None:
        if job.processed == 1:  # the next write is the job's finish: busy twice
            busy["left"] = 2

    monkeypatch.setattr(jobs, "write_session", sometimes_busy)
    tasks.run_import(factory, job_id, None, SYSTEM, arm_after_last_batch)
    with factory() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None and (job.state, job.inserted) == (JobState.succeeded, 1)
    assert busy["left"] == 0


def test_a_database_error_fails_the_import_without_showing_sql(
    committed: tuple[str, Engine], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _url, engine = committed
    factory = make_sessionmaker(engine)
    path = tmp_path / "one.csv"
    path.write_bytes(csv_bytes([[f.application_number(), "无人机", "发明", "2020-01-02"]]))
    job_id = _queue_import(factory, path, tmp_path)

    def broken_land(*args: Any) -> Any:
        raise _busy()

    monkeypatch.setattr(tasks, "land", broken_land)
    tasks.run_import(factory, job_id, None, SYSTEM)
    with factory() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None and job.state is JobState.failed
        assert job.error and "数据库错误" in job.error and "database error" in job.error
        assert "BEGIN" not in job.error and "SQL" not in job.error


def test_a_busy_import_batch_is_retried_without_false_duplicates(
    committed: tuple[str, Engine], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _url, engine = committed
    factory = make_sessionmaker(engine)
    rows = [[f.application_number(), f"无人机{n}", "发明", "2020-01-02"] for n in range(3)]
    path = tmp_path / "three.csv"
    path.write_bytes(csv_bytes(rows))
    job_id = _queue_import(factory, path, tmp_path)
    original, calls = tasks.land, []

    def land_then_busy_once(session: Session, *args: Any) -> Any:
        outcomes = original(session, *args)  # remembers the rows' numbers as seen
        calls.append(1)
        if len(calls) == 1:
            raise _busy()  # the batch rolls back; its retry must not see them as duplicates
        return outcomes

    monkeypatch.setattr(tasks, "land", land_then_busy_once)
    tasks.run_import(factory, job_id, None, SYSTEM)
    with factory() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None and job.state is JobState.succeeded, job and job.error
        assert (job.inserted, job.failed, job.processed) == (3, 0, 3)


def test_a_request_that_cannot_get_the_write_lock_is_a_503_problem(
    committed: tuple[str, Engine],
) -> None:
    url, engine = committed
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from app.auth.schemas import ApiKeyCreate
    from app.config import Settings
    from app.main import create_app

    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="t", role="admin")).key
    app = create_app(Settings(database_url=url, index_dir=None, worker_in_process=False))
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as http:
        app.state.engine.pool.dispose()  # new connections wait 0.2 s, not 30 s, for the lock

        @event.listens_for(app.state.engine, "connect")
        def short_wait(dbapi: Any, _record: Any) -> None:
            dbapi.execute("PRAGMA busy_timeout = 200")

        holder = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        response = http.post("/v1/enterprises", json=f.enterprise())
        holder.rollback()
        holder.close()
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"] == "2"
        assert "数据库繁忙" in response.json()["detail"] and "busy" in response.json()["detail"]
        assert http.post("/v1/enterprises", json=f.enterprise()).status_code == 201
