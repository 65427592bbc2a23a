"""Import jobs: upload → stored file → batches of rows, each batch one transaction.

A batch commits its rows, their errors and the job counters together, so after a crash
the counters match what landed and no row is half-written. A job whose worker died is
marked failed by any worker's sweep (see ``app.common.liveness``); uploading the file
again is safe (rows already landed are reported ``unchanged``).
"""

import logging
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.audit.recorder import ACTOR_KEY
from app.auth.models import Role
from app.auth.principal import Principal
from app.common import liveness
from app.common.messages import Msg
from app.db import retry_busy, utcnow, write_session
from app.errors import Invalid, NotFound, field_error
from app.imports.landing import LandingContext, Outcome, land
from app.imports.models import ImportJob, ImportRowError, ImportState
from app.imports.readers import FileProblem, detect_format, head_bytes, open_rows
from app.imports.resolve import InstitutionResolver
from app.imports.rows import ParsedRow, RowParser
from app.imports.schemas import BulkItemResult, BulkResult, ImportRead
from app.institutions import repository as institutions
from app.institutions.models import Institution
from app.matches.engine import MatchEngine

log = logging.getLogger("panhuo.imports")
BATCH = 500
STOPPED = (
    "执行该导入的进程已停止（崩溃或重启），请重新上传（已导入的行会显示为未变化） / the "
    "process running this import stopped (crash or restart); upload again (rows already "
    "imported are reported unchanged)"
)
Progress = Callable[[ImportJob], None]


def _institution_for(session: Session, actor: Principal, institution_id: int | None) -> int | None:
    if actor.role is Role.institution:
        if institution_id not in (None, actor.institution_id):
            raise Invalid(
                Msg("只能导入本机构的专利", "you can import only your own patents"),
                [field_error("institution_id", Msg("须为本机构", "must be your institution"))],
            )
        return actor.institution_id
    if institution_id is not None and institutions.get(session, institution_id) is None:
        raise Invalid(
            Msg("机构不存在", "institution not found"),
            [
                field_error(
                    "institution_id",
                    Msg(f"机构不存在：{institution_id}", f"institution {institution_id} not found"),
                )
            ],
        )
    return institution_id


@dataclass(frozen=True)
class Upload:
    file: BinaryIO
    filename: str
    institution_id: int | None
    encoding: str | None


def create(
    session: Session,
    actor: Principal,
    upload: Upload,
    store: Path,
    schedule: Callable[..., Any],
    factory: sessionmaker[Session],
    engine: MatchEngine | None,
) -> ImportRead:
    """Store the upload and queue its job; ``schedule`` runs it after the commit."""
    filename, encoding = upload.filename, upload.encoding
    try:
        file_format = detect_format(filename, head_bytes(upload.file))
    except FileProblem as exc:
        problem = Msg(exc.zh, exc.en)
        raise Invalid(problem, [field_error("file", problem)]) from exc
    owner = _institution_for(session, actor, upload.institution_id)
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"{uuid.uuid4().hex}.{file_format}"
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    job = ImportJob(
        state=ImportState.queued,
        filename=filename[:300],
        file_format=file_format,
        encoding=encoding,
        stored_path=str(path),
        institution_id=owner,
        created_by_key=actor.key_id,
        owner=liveness.this_process(),
        heartbeat_at=utcnow(),
    )
    session.add(job)
    session.flush()
    schedule(execute, factory, engine, job.id, actor)
    return ImportRead.model_validate(job)


def get(session: Session, actor: Principal, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or not (actor.is_admin or actor.owns_institution(job.institution_id)):
        raise NotFound(Msg(f"导入任务不存在：{job_id}", f"import {job_id} not found"))
    if _dead(job):
        # Shown failed at once; the next sweep writes it (a read must not write: on
        # SQLite its transaction may not be able to).
        session.expunge(job)
        job.state, job.error = ImportState.failed, STOPPED
    return job


def _dead(job: ImportJob) -> bool:
    active = job.state in (ImportState.queued, ImportState.running)
    return active and liveness.is_dead(job.owner, job.heartbeat_at or job.created_at)


def errors(
    session: Session, actor: Principal, job_id: int, limit: int | None = None
) -> list[ImportRowError]:
    get(session, actor, job_id)
    stmt = select(ImportRowError).where(ImportRowError.job_id == job_id)
    stmt = stmt.order_by(ImportRowError.row_number, ImportRowError.id)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def fail_stale(session: Session) -> int:
    """Fail the jobs whose process is gone; in a transaction begun as a writer."""
    active = ImportJob.state.in_([ImportState.queued, ImportState.running])
    dead = [job.id for job in session.scalars(select(ImportJob).where(active)) if _dead(job)]
    if dead:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id.in_(dead), active)
            .values(state=ImportState.failed, finished_at=utcnow(), error=STOPPED)
            .execution_options(synchronize_session=False)
        )
    return len(dead)


def has_active(session: Session) -> bool:
    active = ImportJob.state.in_([ImportState.queued, ImportState.running])
    return session.scalar(select(ImportJob.id).where(active).limit(1)) is not None


def execute(
    factory: sessionmaker[Session],
    engine: MatchEngine | None,
    job_id: int,
    actor: Principal,
    progress: Progress | None = None,
) -> None:
    """Run a queued job to the end; never leaves it running."""
    with liveness.heartbeat(lambda: _beat(factory, job_id)):
        _execute(factory, engine, job_id, actor, progress)


def _beat(factory: sessionmaker[Session], job_id: int) -> None:
    with write_session(factory) as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.state == ImportState.running)
            .values(heartbeat_at=utcnow())
        )


def _execute(
    factory: sessionmaker[Session],
    engine: MatchEngine | None,
    job_id: int,
    actor: Principal,
    progress: Progress | None,
) -> None:
    try:
        rows, ctx, parser = _start(factory, job_id, actor)
        batch: list[ParsedRow] = []
        for number, raw in rows:
            batch.append(parser.parse(number, raw))
            if len(batch) >= BATCH:
                _commit_retrying(factory, job_id, ctx, parser, batch, progress)
                batch = []
        _commit_retrying(factory, job_id, ctx, parser, batch, progress)
        _finish(factory, job_id, ImportState.succeeded, None)
        if engine is not None:  # the index sees the imports before the job reads done
            with factory() as session, session.begin():
                engine.catch_up(session)
    except FileProblem as exc:
        _fail(factory, job_id, f"{exc.zh} / {exc.en}")
    except Exception as exc:  # the job must end, never stay "running"
        log.exception("import %s failed", job_id)
        _fail(factory, job_id, public_error(exc))


def public_error(exc: Exception) -> str:
    """What users see of an unexpected error: never SQL or parameters (they are logged)."""
    if isinstance(exc, SQLAlchemyError):
        return (
            "导入因数据库错误中断（详情已记入服务日志），请重新上传（已导入的行会显示为未变化） / "
            "the import stopped on a database error (logged); upload again (rows already "
            "imported are reported unchanged)"
        )
    return f"导入中断，请重新上传 / the import stopped: {type(exc).__name__}"


def _fail(factory: sessionmaker[Session], job_id: int, error: str) -> None:
    # Last resort of a background task: if even this fails, the stale-job sweep ends it.
    try:
        _finish(factory, job_id, ImportState.failed, error)
    except Exception:
        log.exception("import %s: cannot record its failure", job_id)


def _start(
    factory: sessionmaker[Session], job_id: int, actor: Principal
) -> tuple[Iterable[tuple[int, dict[str, Any]]], LandingContext, RowParser]:
    with write_session(factory) as session:
        job = session.get(ImportJob, job_id)
        assert job is not None and job.state is ImportState.queued
        job.state, job.started_at, job.heartbeat_at = ImportState.running, utcnow(), utcnow()
        job.owner = liveness.this_process()
        rows = open_rows(Path(job.stored_path), job.file_format, job.encoding)
        job.total_rows, job.encoding = rows.total, rows.encoding or job.encoding
        names = [
            (row.id, row.name) for row in session.execute(select(Institution.id, Institution.name))
        ]
        resolver = None if job.institution_id else InstitutionResolver(names)
        ctx = LandingContext(actor, job.institution_id, resolver)
    return rows.rows, ctx, RowParser(tabular=job.file_format != "jsonl")


def _commit_retrying(
    factory: sessionmaker[Session],
    job_id: int,
    ctx: LandingContext,
    parser: RowParser,
    batch: list[ParsedRow],
    progress: Progress | None,
) -> None:
    """A batch again while the database stays busy (SQLite's write lock held beyond its
    timeout): it rolled back whole, so only what landing remembered must be undone."""
    seen, review = dict(ctx.seen), list(ctx.review)

    def attempt() -> None:
        ctx.seen.clear()
        ctx.seen.update(seen)
        ctx.review[:] = review
        _commit_batch(factory, job_id, ctx, parser, batch, progress)

    retry_busy(attempt)


def _commit_batch(
    factory: sessionmaker[Session],
    job_id: int,
    ctx: LandingContext,
    parser: RowParser,
    batch: list[ParsedRow],
    progress: Progress | None,
) -> None:
    with write_session(factory) as session:
        session.info[ACTOR_KEY] = ctx.actor
        outcomes = land(session, ctx, batch) if batch else []
        _record(session, job_id, outcomes)
        job = session.get(ImportJob, job_id)
        assert job is not None
        for status in ("inserted", "updated", "unchanged", "failed"):
            setattr(job, status, getattr(job, status) + sum(o.status == status for o in outcomes))
        job.processed += len(batch)
        job.unknown_columns, job.review = list(parser.unknown), list(ctx.review)
        job.heartbeat_at = utcnow()
    if progress is not None:
        progress(job)


def _record(session: Session, job_id: int, outcomes: list[Outcome]) -> None:
    rows = [
        {
            "job_id": job_id,
            "row_number": o.number,
            "column": p.column,
            "raw_value": p.raw,
            "reason_zh": p.zh[:300],
            "reason_en": p.en[:300],
        }
        for o in outcomes
        for p in o.problems
    ]
    if rows:
        session.execute(insert(ImportRowError), rows)


def _finish(
    factory: sessionmaker[Session], job_id: int, state: ImportState, error: str | None
) -> None:
    def finish() -> None:
        with write_session(factory) as session:
            job = session.get(ImportJob, job_id)
            if job is not None and job.state in (ImportState.queued, ImportState.running):
                job.state, job.finished_at, job.error = state, utcnow(), error
                if state is ImportState.succeeded:  # the reader's count was an estimate
                    job.total_rows = job.processed

    retry_busy(finish)


def bulk(session: Session, actor: Principal, items: list[dict[str, Any]]) -> BulkResult:
    """``POST /v1/patents/bulk``: the same rows as a file, landed in the request's transaction."""
    names = [
        (row.id, row.name) for row in session.execute(select(Institution.id, Institution.name))
    ]
    owner = actor.institution_id if actor.role is Role.institution else None
    ctx = LandingContext(actor, owner, None if owner else InstitutionResolver(names))
    parser = RowParser()
    outcomes = land(session, ctx, [parser.parse(i, item) for i, item in enumerate(items)])
    results = [
        BulkItemResult(
            index=o.number,
            status=o.status,
            patent_id=o.patent_id,
            errors=[{"field": p.column, "reason_zh": p.zh, "reason_en": p.en} for p in o.problems],
        )
        for o in outcomes
    ]
    counts = {
        s: sum(r.status == s for r in results)
        for s in ("inserted", "updated", "unchanged", "failed")
    }
    return BulkResult(items=results, review=ctx.review, **counts)
