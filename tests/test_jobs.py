"""The job runner (``app.common.jobs``) on a real database: how a job ends, the sweep of
dead jobs, and the writer transactions of its steps; and services never own one."""

import ast
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.common import jobs, liveness
from app.common.jobs import JobState
from app.common.messages import Msg
from app.db import make_sessionmaker, utcnow
from app.imports.models import ImportJob
from app.matches.models import MatchRun

ROOT = Path(__file__).resolve().parents[1]


def _queued(factory: sessionmaker[Session], **fields: Any) -> int:
    with factory() as session, session.begin():
        run = MatchRun(per_need=5, **fields)
        session.add(run)
        session.flush()
        return run.id


def _run(factory: sessionmaker[Session], run_id: int) -> MatchRun:
    with factory() as session:
        run = session.get(MatchRun, run_id)
        assert run is not None
        return run


def test_a_body_that_returns_succeeds_in_this_process(committed: tuple[str, Engine]) -> None:
    factory = make_sessionmaker(committed[1])
    run_id = _queued(factory)
    assert _run(factory, run_id).state is JobState.queued
    seen: list[JobState] = []
    jobs.run(factory, MatchRun, run_id, lambda job: seen.append(_run(factory, job.id).state))
    run = _run(factory, run_id)
    assert seen == [JobState.running]
    assert (run.state, run.errors, run.owner) == (JobState.succeeded, [], liveness.this_process())
    assert run.started_at is not None and run.finished_at is not None


def test_a_failing_body_marks_the_job_failed_with_its_error(
    committed: tuple[str, Engine],
) -> None:
    factory = make_sessionmaker(committed[1])
    explained, unexpected = _queued(factory), _queued(factory)

    def bad_input(job: jobs.Running) -> None:
        raise jobs.JobFailed(Msg("文件为空", "the file is empty"))

    def broken(job: jobs.Running) -> None:
        raise ValueError("secret detail")

    jobs.run(factory, MatchRun, explained, bad_input)
    jobs.run(factory, MatchRun, unexpected, broken)
    run = _run(factory, explained)
    assert run.state is JobState.failed
    assert run.errors == [{"reason": "文件为空 / the file is empty"}]
    run = _run(factory, unexpected)
    [error] = run.errors
    assert run.state is JobState.failed and run.finished_at is not None
    assert "匹配任务中断" in error["reason"] and "ValueError" in error["reason"]
    assert "secret" not in error["reason"]  # logged, not shown


def test_a_job_not_queued_is_not_run(committed: tuple[str, Engine]) -> None:
    factory = make_sessionmaker(committed[1])
    run_id = _queued(factory, state=JobState.failed)
    ran: list[int] = []
    jobs.run(factory, MatchRun, run_id, lambda job: ran.append(job.id))
    assert ran == [] and _run(factory, run_id).state is JobState.failed


def test_a_read_step_that_writes_fails_the_job(committed: tuple[str, Engine]) -> None:
    factory = make_sessionmaker(committed[1])
    run_id = _queued(factory)

    def write_in_read(session: Session) -> None:
        run = session.get(MatchRun, run_id)
        assert run is not None
        run.processed = 99
        session.flush()

    def update_in_read(session: Session) -> None:
        session.execute(update(MatchRun).values(processed=99))

    core = _queued(factory)
    jobs.run(factory, MatchRun, run_id, lambda job: job.read(write_in_read))
    jobs.run(factory, MatchRun, core, lambda job: job.read(update_in_read))
    for failed in (run_id, core):
        run = _run(factory, failed)
        assert (run.state, run.processed) == (JobState.failed, 0)
        assert "RuntimeError" in run.errors[0]["reason"]


def test_stale_jobs_of_every_kind_are_failed_by_fail_stale(
    committed: tuple[str, Engine],
) -> None:
    factory = make_sessionmaker(committed[1])
    stale = utcnow() - liveness.STALE_AFTER - timedelta(seconds=1)
    with factory() as session, session.begin():
        session.add_all(
            [
                ImportJob(
                    state=JobState.running,
                    filename="a.csv",
                    file_format="csv",
                    stored_path="/nowhere",
                    owner="another-host:1",
                    heartbeat_at=stale,
                ),
                MatchRun(per_need=5, state=JobState.running, owner="another-host:1"),
                MatchRun(per_need=5, owner="another-host:2", heartbeat_at=stale),
                MatchRun(per_need=5, state=JobState.succeeded, heartbeat_at=stale),
            ]
        )
    assert {ImportJob, MatchRun} <= set(jobs.kinds())
    with factory() as session, session.begin():
        assert jobs.fail_stale(session) == 2
    with factory() as session:
        job = session.scalars(select(ImportJob)).one()
        assert (job.state, job.error) == (JobState.failed, ImportJob.wording.stopped)
        assert job.finished_at is not None
        runs = session.scalars(select(MatchRun).order_by(MatchRun.id)).all()
        assert [r.state for r in runs] == [
            JobState.running,  # a fresh heartbeat: alive
            JobState.failed,
            JobState.succeeded,
        ]
        assert runs[1].errors == [{"reason": MatchRun.wording.stopped}]
    assert jobs.sweep(factory) == 0


def test_a_write_step_takes_sqlites_write_lock_before_its_first_statement(
    committed: tuple[str, Engine],
) -> None:
    url, engine = committed
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL locks rows")
    factory = make_sessionmaker(engine)
    run_id = _queued(factory)
    begins: list[str] = []
    outcome: list[str] = []

    def other_writer() -> None:
        other = sqlite3.connect(url.split("///", 1)[1], timeout=0.2, isolation_level=None)
        try:
            other.execute("UPDATE match_runs SET per_need = per_need")
            outcome.append("wrote")
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))
        finally:
            other.close()

    def read_then_let_another_write(session: Session) -> None:
        session.scalar(select(func.count()).select_from(MatchRun))  # only a read so far
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(10)

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("BEGIN") and threading.current_thread().name != "job-heartbeat":
            begins.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    jobs.run(factory, MatchRun, run_id, lambda job: job.write(read_then_let_another_write))
    event.remove(engine, "before_cursor_execute", record)
    assert outcome == ["database is locked"]  # the step held the lock from its BEGIN
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}  # claim, step and end
    assert _run(factory, run_id).state is JobState.succeeded


def _transaction_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func_ = node.func
        name = func_.attr if isinstance(func_, ast.Attribute) else getattr(func_, "id", "")
        if name in ("commit", "rollback", "begin", "write_session", "retry_busy"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    return found


def test_services_never_commit() -> None:
    """Requests and tasks own the transactions; a service only flushes."""
    services = sorted((ROOT / "app").glob("*/service.py"))
    assert len(services) >= 10
    assert [call for path in services for call in _transaction_calls(path)] == []
