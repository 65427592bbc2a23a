"""Import jobs: an upload is stored and queued here; ``app.imports.tasks`` lands it."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common import jobs
from app.common.messages import Msg
from app.errors import Invalid, NotFound, field_error
from app.imports.landing import LandingContext, land
from app.imports.models import ImportJob, ImportRowError
from app.imports.resolve import InstitutionResolver
from app.imports.rows import RowParser
from app.imports.schemas import BulkItemResult, BulkResult, ImportRead
from app.imports.tasks import run_import
from app.imports.uploads import store_upload, upload_format
from app.institutions import repository as institutions
from app.institutions.models import Institution
from app.matches.engine import MatchEngine


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
    schedule: jobs.Schedule,
    engine: MatchEngine | None,
) -> ImportRead:
    """Store the upload and queue its job; ``schedule`` runs it after the commit."""
    file_format = upload_format(upload.file, upload.filename)
    owner = _institution_for(session, actor, upload.institution_id)
    stored = store_upload(upload.file, upload.filename, upload.encoding, store, file_format)
    job = ImportJob(
        **stored,
        institution_id=owner,
        created_by_key=actor.key_id,
    )
    session.add(job)
    session.flush()
    schedule(run_import, job.id, engine, actor)
    return ImportRead.model_validate(job)


def get(session: Session, actor: Principal, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or not actor.acts_for_institution(job.institution_id):
        raise NotFound(Msg(f"导入任务不存在：{job_id}", f"import {job_id} not found"))
    return jobs.as_read(session, job)


def errors(
    session: Session, actor: Principal, job_id: int, limit: int | None = None
) -> list[ImportRowError]:
    get(session, actor, job_id)
    stmt = select(ImportRowError).where(ImportRowError.job_id == job_id)
    stmt = stmt.order_by(ImportRowError.row_number, ImportRowError.id)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


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
