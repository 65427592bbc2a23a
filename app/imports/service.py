"""Import jobs: upload → stored file → batches of rows, each batch one transaction.

A batch commits its rows, their errors and the job counters together, so after a crash
the counters match what landed and no row is half-written. A job whose worker died is
marked failed at start-up; uploading the file again is safe (rows already landed are
reported ``unchanged``).
"""

import logging
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.audit.recorder import ACTOR_KEY
from app.auth.models import Role
from app.auth.principal import Principal
from app.db import utcnow
from app.errors import Invalid, NotFound, field_error
from app.imports.landing import LandingContext, Outcome, land
from app.imports.models import ImportJob, ImportRowError, ImportState
from app.imports.readers import FileProblem, detect_format, head_bytes, open_rows
from app.imports.resolve import InstitutionResolver
from app.imports.rows import ParsedRow, RowParser
from app.imports.schemas import BulkItemResult, BulkResult
from app.institutions import repository as institutions
from app.institutions.models import Institution
from app.matches.engine import MatchEngine

log = logging.getLogger("panhuo.imports")
BATCH = 500
STALE_AFTER = timedelta(minutes=5)
Progress = Callable[[ImportJob], None]


def _institution_for(session: Session, actor: Principal, institution_id: int | None) -> int | None:
    if actor.role is Role.institution:
        if institution_id not in (None, actor.institution_id):
            raise Invalid(
                "只能导入本机构的专利 / you can import only your own patents",
                [field_error("institution_id", "must be your institution")],
            )
        return actor.institution_id
    if institution_id is not None and institutions.get(session, institution_id) is None:
        raise Invalid(
            "机构不存在 / institution not found",
            [field_error("institution_id", f"institution {institution_id} not found")],
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
) -> ImportJob:
    """Store the upload and queue its job; ``schedule`` runs it after the commit."""
    filename, encoding = upload.filename, upload.encoding
    try:
        file_format = detect_format(filename, head_bytes(upload.file))
    except FileProblem as exc:
        raise Invalid(f"{exc.zh} / {exc.en}", [field_error("file", exc.en)]) from exc
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
    )
    session.add(job)
    session.flush()
    schedule(execute, factory, engine, job.id, actor)
    return job


def get(session: Session, actor: Principal, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or not (actor.is_admin or actor.owns_institution(job.institution_id)):
        raise NotFound(f"导入任务不存在 / import {job_id} not found")
    return job


def errors(
    session: Session, actor: Principal, job_id: int, limit: int | None = None
) -> list[ImportRowError]:
    get(session, actor, job_id)
    stmt = select(ImportRowError).where(ImportRowError.job_id == job_id)
    stmt = stmt.order_by(ImportRowError.row_number, ImportRowError.id)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def fail_stale(session: Session) -> None:
    cutoff = utcnow() - STALE_AFTER
    session.execute(
        update(ImportJob)
        .where(
            ImportJob.state.in_([ImportState.queued, ImportState.running]),
            func.coalesce(ImportJob.heartbeat_at, ImportJob.created_at) < cutoff,
        )
        .values(
            state=ImportState.failed,
            finished_at=utcnow(),
            error="服务重启中断，请重新上传（已导入的行会显示为未变化） / interrupted by a "
            "restart; upload again (rows already imported are reported unchanged)",
        )
    )


def execute(
    factory: sessionmaker[Session],
    engine: MatchEngine | None,
    job_id: int,
    actor: Principal,
    progress: Progress | None = None,
) -> None:
    """Run a queued job to the end; never leaves it running."""
    try:
        rows, ctx, parser = _start(factory, job_id, actor)
        batch: list[ParsedRow] = []
        for number, raw in rows:
            batch.append(parser.parse(number, raw))
            if len(batch) >= BATCH:
                _commit_batch(factory, job_id, ctx, parser, batch, progress)
                batch = []
        _commit_batch(factory, job_id, ctx, parser, batch, progress)
        _finish(factory, job_id, ImportState.succeeded, None)
        if engine is not None:  # the index sees the imports before the job reads done
            with factory() as session, session.begin():
                engine.catch_up(session)
    except FileProblem as exc:
        _finish(factory, job_id, ImportState.failed, f"{exc.zh} / {exc.en}")
    except Exception as exc:  # the job must end, never stay "running"
        log.exception("import %s failed", job_id)
        _finish(factory, job_id, ImportState.failed, f"{type(exc).__name__}: {exc}"[:500])


def _start(
    factory: sessionmaker[Session], job_id: int, actor: Principal
) -> tuple[Iterable[tuple[int, dict[str, Any]]], LandingContext, RowParser]:
    with factory() as session, session.begin():
        job = session.get(ImportJob, job_id)
        assert job is not None and job.state is ImportState.queued
        job.state, job.started_at, job.heartbeat_at = ImportState.running, utcnow(), utcnow()
        rows = open_rows(Path(job.stored_path), job.file_format, job.encoding)
        job.total_rows, job.encoding = rows.total, rows.encoding or job.encoding
        names = [
            (row.id, row.name) for row in session.execute(select(Institution.id, Institution.name))
        ]
        resolver = None if job.institution_id else InstitutionResolver(names)
        ctx = LandingContext(actor, job.institution_id, resolver)
    return rows.rows, ctx, RowParser(tabular=job.file_format != "jsonl")


def _commit_batch(
    factory: sessionmaker[Session],
    job_id: int,
    ctx: LandingContext,
    parser: RowParser,
    batch: list[ParsedRow],
    progress: Progress | None,
) -> None:
    with factory() as session, session.begin():
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
    with factory() as session, session.begin():
        job = session.get(ImportJob, job_id)
        if job is not None:
            job.state, job.finished_at, job.error = state, utcnow(), error
            if state is ImportState.succeeded:  # the reader's count was an estimate
                job.total_rows = job.processed


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
