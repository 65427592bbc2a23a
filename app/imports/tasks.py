"""The import job: stored file → batches of rows, each batch one transaction.

A batch commits its rows, their errors and the job counters together, so after a crash
the counters match what landed and no row is half-written. A job whose process died is
failed by any worker's sweep (``app.common.jobs``); uploading the file again is safe (rows
already landed are reported ``unchanged``).
"""

from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.recorder import ACTOR_KEY
from app.auth.principal import Principal
from app.common import jobs
from app.imports.landing import LandingContext, land
from app.imports.models import ImportJob, ImportRowError
from app.imports.readers import open_rows
from app.imports.resolve import InstitutionResolver
from app.imports.rows import ParsedRow, RowParser
from app.imports.uploads import Rows, bad_file_fails_the_job, count_batch, land_rows
from app.institutions.models import Institution
from app.matches.engine import MatchEngine
from app.patents.schemas import PatentCreate

Progress = Callable[[ImportJob], None]


def run_import(
    factory: sessionmaker[Session],
    job_id: int,
    engine: MatchEngine | None,
    actor: Principal,
    progress: Progress | None = None,
) -> None:
    """Run a queued import to the end; ``progress`` sees the job after each batch."""

    def body(job: jobs.Running) -> None:
        with bad_file_fails_the_job():
            _land_file(job, actor, progress)
        if engine is not None and engine.ready:  # the index sees the imports before done
            job.read(engine.catch_up)

    jobs.run(factory, ImportJob, job_id, body)


def _land_file(job: jobs.Running, actor: Principal, progress: Progress | None) -> None:
    rows, ctx, parser = job.write(lambda session: _open(session, job.id, actor))
    land_rows(rows, parser, partial(_commit, job, ctx, parser, progress))


def _open(
    session: Session, job_id: int, actor: Principal
) -> tuple[Rows, LandingContext, RowParser]:
    job = session.get(ImportJob, job_id)
    assert job is not None
    rows = open_rows(Path(job.stored_path), job.file_format, job.encoding)
    job.total_rows, job.encoding = rows.total, rows.encoding or job.encoding
    names = [
        (row.id, row.name) for row in session.execute(select(Institution.id, Institution.name))
    ]
    resolver = None if job.institution_id else InstitutionResolver(names)
    ctx = LandingContext(actor, job.institution_id, resolver)
    return rows.rows, ctx, RowParser(tabular=job.file_format != "jsonl")


def _commit(
    job: jobs.Running,
    ctx: LandingContext,
    parser: RowParser,
    progress: Progress | None,
    batch: list[ParsedRow[PatentCreate]],
    last: bool,
) -> None:
    """One batch in its own transaction. A batch tried again (the database stayed busy)
    rolled back whole, so only what landing remembered must be undone."""
    seen, review = dict(ctx.seen), list(ctx.review)

    def attempt(session: Session) -> ImportJob:
        ctx.seen.clear()
        ctx.seen.update(seen)
        ctx.review[:] = review
        return _land_batch(session, job.id, ctx, parser, batch, last)

    stored = job.write(attempt)
    if progress is not None:
        progress(stored)


def _land_batch(
    session: Session,
    job_id: int,
    ctx: LandingContext,
    parser: RowParser,
    batch: list[ParsedRow[PatentCreate]],
    last: bool,
) -> ImportJob:
    session.info[ACTOR_KEY] = ctx.actor
    outcomes = land(session, ctx, batch) if batch else []
    job = session.get(ImportJob, job_id)
    assert job is not None
    count_batch(session, job_id, job, ImportRowError, outcomes, parser, len(batch), last)
    job.review = list(ctx.review)
    return job
