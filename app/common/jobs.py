"""Background jobs: one state machine, one runner and one sweep for every kind of job.

A kind of job is a model using ``JobMixin`` and a task function (``<domain>/tasks.py``)
that hands ``run`` its body. The runner claims the queued job, keeps its heartbeat, runs
the body and records how it ended; the body does its work in steps, each in a transaction
of its own that the runner opens (``Running.read`` / ``Running.write``). Every step that
may write begins as a writer (``write_session``): on SQLite a transaction that read first
cannot write once another connection has committed ("database is locked" at once).

Endpoints queue a job through a ``Schedule`` (``scheduler``); it runs after the request's
transaction has committed. A job whose process is gone is failed by any worker's ``sweep``
and shown failed at once by ``as_read`` (see ``app.common.liveness``).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import String, event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, sessionmaker

from app.common import liveness
from app.common.messages import Msg
from app.db import Base, TimestampMixin, UTCDateTime, retry_busy, str_enum, utcnow, write_session

log = logging.getLogger("panhuo.jobs")
T = TypeVar("T")


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


ACTIVE = (JobState.queued, JobState.running)


@dataclass(frozen=True)
class Wording:
    """How a kind's failures read: ``noun`` names the job, ``again`` tells what to do."""

    noun: Msg
    again: Msg

    @property
    def stopped(self) -> str:
        zh, en = self.noun, self.again
        return (
            f"执行该{zh.zh}的进程已停止（崩溃或重启），{en.zh} / the process running this "
            f"{zh.en} stopped (crash or restart); {en.en}"
        )

    def interrupted(self, exc: Exception) -> str:
        """What users see of an unexpected error: never SQL or parameters (they are logged)."""
        noun, again = self.noun, self.again
        if isinstance(exc, SQLAlchemyError):
            return (
                f"{noun.zh}因数据库错误中断（详情已记入服务日志），{again.zh} / the {noun.en} "
                f"stopped on a database error (logged); {again.en}"
            )
        return (
            f"{noun.zh}中断，{again.zh} / the {noun.en} stopped: {type(exc).__name__}; {again.en}"
        )


class JobMixin(TimestampMixin):
    """State, owner and heartbeat of a background job. A new job is queued by this process."""

    wording: ClassVar[Wording]

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[JobState] = mapped_column(
        str_enum(JobState, 16), index=True, default=JobState.queued
    )
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Refreshed by the process executing the job; a stale heartbeat means it died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    owner: Mapped[str | None] = mapped_column(  # "host:pid" running it
        String(200), default=liveness.this_process
    )
    created_by_key: Mapped[int | None]

    def record_error(self, reason: str) -> None:
        """Keep ``reason`` where this kind shows its errors."""
        raise NotImplementedError


J = TypeVar("J", bound=JobMixin)


class JobFailed(Exception):
    """A failure the body can explain to users (a bad file, say); nothing is logged."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(str(msg))
        self.msg = msg


def is_dead(job: JobMixin) -> bool:
    active = job.state in ACTIVE
    return active and liveness.is_dead(job.owner, job.heartbeat_at or job.created_at)


def as_read(session: Session, job: J) -> J:
    """``job`` as readers see it: failed at once when its process is gone.

    The next sweep writes it (a read must not write: on SQLite its transaction may not be
    able to).
    """
    if is_dead(job):
        session.expunge(job)
        job.state = JobState.failed
        job.record_error(job.wording.stopped)
    return job


def kinds() -> list[type[JobMixin]]:
    """Every mapped model using the mixin (the worker imports ``app.models``)."""
    found = (mapper.class_ for mapper in Base.registry.mappers)
    return sorted((c for c in found if issubclass(c, JobMixin)), key=lambda c: c.__name__)


def has_active(session: Session) -> bool:
    return any(
        session.scalar(select(kind.id).where(kind.state.in_(ACTIVE)).limit(1)) is not None
        for kind in kinds()
    )


def fail_stale(session: Session) -> int:
    """Fail the jobs of every kind whose process is gone; in a transaction begun as a writer."""
    failed = 0
    for kind in kinds():
        # FOR UPDATE (PostgreSQL): a job finishing meanwhile is re-read, and left alone.
        stmt = select(kind).where(kind.state.in_(ACTIVE)).order_by(kind.id).with_for_update()
        for job in session.scalars(stmt):
            if is_dead(job):
                job.state, job.finished_at = JobState.failed, utcnow()
                job.record_error(kind.wording.stopped)
                failed += 1
    session.flush()
    return failed


def sweep(factory: sessionmaker[Session]) -> int:
    """Fail the jobs whose process is gone (whichever worker notices)."""
    with factory() as session, session.begin():  # most rounds: nothing running, no lock
        if not has_active(session):
            return 0
    with write_session(factory) as session:
        failed = fail_stale(session)
    if failed:
        log.warning("failed %d background jobs whose process is gone", failed)
    return failed


class Schedule(Protocol):
    """``schedule(task, job_id, *args)`` runs ``task(factory, job_id, *args)`` later."""

    def __call__(self, task: Callable[..., None], /, *args: Any) -> None: ...


def scheduler(add_task: Callable[..., Any], factory: sessionmaker[Session]) -> Schedule:
    """A ``Schedule`` over ``add_task`` (FastAPI's ``BackgroundTasks.add_task``: the task
    runs after the response, so after the request's transaction committed)."""

    def schedule(task: Callable[..., None], /, *args: Any) -> None:
        add_task(task, factory, *args)

    return schedule


@dataclass(frozen=True)
class Running:
    """A claimed job as its body sees it: the transactions its steps run in."""

    factory: sessionmaker[Session]
    kind: type[JobMixin]
    id: int

    def write(self, step: Callable[[Session], T]) -> T:
        """``step`` in a transaction begun as a writer, committed on return; run again
        while the database stays busy (it rolled back whole, so ``step`` must be
        repeatable)."""

        def attempt() -> T:
            with write_session(self.factory) as session:
                return step(session)

        return retry_busy(attempt)

    def read(self, step: Callable[[Session], T]) -> T:
        """``step`` in a transaction that only reads (it raises on a write), rolled back."""
        with self.factory() as session:
            event.listen(session, "do_orm_execute", _refuse_writes)
            event.listen(session, "before_flush", _refuse_flush)
            return step(session)

    def beat(self) -> None:
        with write_session(self.factory) as session:
            session.execute(
                update(self.kind)
                .where(self.kind.id == self.id, self.kind.state == JobState.running)
                .values(heartbeat_at=utcnow())
            )

    def claim(self, session: Session) -> bool:
        job = session.get(self.kind, self.id, with_for_update=True)
        if job is None or job.state is not JobState.queued:
            return False
        job.state, job.owner = JobState.running, liveness.this_process()
        job.started_at = job.heartbeat_at = utcnow()
        return True

    def end(self, state: JobState, error: str | None) -> None:
        """Record the outcome, unless the sweep failed the job already."""

        def record(session: Session) -> None:
            job = session.get(self.kind, self.id)
            if job is not None and job.state in ACTIVE:
                job.state, job.finished_at = state, utcnow()
                if error:
                    job.record_error(error)

        self.write(record)


def _refuse_writes(orm_execute: ORMExecuteState) -> None:
    if orm_execute.is_insert or orm_execute.is_update or orm_execute.is_delete:
        raise RuntimeError("a job's read step must not write; use Running.write")


def _refuse_flush(session: Session, *_args: object) -> None:
    raise RuntimeError("a job's read step must not write; use Running.write")


Body = Callable[[Running], None]


def run(factory: sessionmaker[Session], kind: type[JobMixin], job_id: int, body: Body) -> None:
    """Claim the queued job, run ``body`` and record how it ended; never leaves it running."""
    job = Running(factory, kind, job_id)
    with liveness.heartbeat(job.beat):
        try:
            if not job.write(job.claim):
                log.warning("%s %s is not queued; not run", kind.__name__, job_id)
                return
            body(job)
            state, error = JobState.succeeded, None
        except JobFailed as exc:
            state, error = JobState.failed, str(exc.msg)
        except Exception as exc:  # the job must end, never stay "running"
            log.exception("%s %s failed", kind.__name__, job_id)
            state, error = JobState.failed, kind.wording.interrupted(exc)
        try:
            job.end(state, error)
        except Exception:  # the last resort: if even this fails, the sweep ends the job
            log.exception("%s %s: cannot record its end", kind.__name__, job_id)
