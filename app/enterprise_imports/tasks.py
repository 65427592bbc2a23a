"""The enterprise list import job: stored file → batches of rows, each batch one
transaction that commits its rows, their errors and the job's counters together."""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from app.audit.recorder import ACTOR_KEY
from app.auth.principal import Principal
from app.common import jobs
from app.common.identifiers import region_prefix
from app.enterprise_imports.columns import enterprise_rows
from app.enterprise_imports.landing import LandingContext, land
from app.enterprise_imports.models import EnterpriseImport, EnterpriseImportError
from app.enterprises.schemas import EnterpriseCreate
from app.imports.readers import open_rows
from app.imports.rows import ParsedRow, TableParser
from app.imports.uploads import Rows, bad_file_fails_the_job, count_batch, land_rows

Progress = Callable[[EnterpriseImport], None]
Parser = TableParser[EnterpriseCreate]


def run_import(
    factory: sessionmaker[Session],
    job_id: int,
    actor: Principal,
    progress: Progress | None = None,
) -> None:
    """Run a queued import to the end; ``progress`` sees the job after each batch."""

    def land_file(job: jobs.Running) -> None:
        with bad_file_fails_the_job():
            _land_file(job, actor, progress)

    jobs.run(factory, EnterpriseImport, job_id, land_file)


def _land_file(job: jobs.Running, actor: Principal, progress: Progress | None) -> None:
    rows, parser, scope = job.write(lambda session: _open(session, job.id))
    ctx = LandingContext(actor, scope)

    def commit(batch: list[ParsedRow[EnterpriseCreate]], last: bool) -> None:
        seen = dict(ctx.seen)

        def attempt(session: Session) -> EnterpriseImport:
            ctx.seen.clear()  # a batch tried again rolled back whole
            ctx.seen.update(seen)
            session.info[ACTOR_KEY] = actor
            outcomes = land(session, ctx, batch) if batch else []
            stored = session.get(EnterpriseImport, job.id)
            assert stored is not None
            count_batch(
                session, job.id, stored, EnterpriseImportError, outcomes, parser, len(batch), last
            )
            return stored

        stored = job.write(attempt)
        if progress is not None:
            progress(stored)

    land_rows(rows, parser, commit)


def _open(session: Session, job_id: int) -> tuple[Rows, Parser, str]:
    """The file's rows, their parser and the region-code prefix rows must lie in."""
    job = session.get(EnterpriseImport, job_id)
    assert job is not None
    rows = open_rows(Path(job.stored_path), job.file_format, job.encoding)
    job.total_rows, job.encoding = rows.total, rows.encoding or job.encoding
    scope = region_prefix(job.province_code) if job.province_code else ""
    parser = TableParser(enterprise_rows(scope), tabular=job.file_format != "jsonl")
    return rows.rows, parser, scope
