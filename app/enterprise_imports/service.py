"""Enterprise list imports (企业名录): an upload is stored and queued here; ``tasks`` lands it.

An admin imports any list; a province imports its own enterprises (rows outside it are row
errors) and sees its own imports only. Enterprise and institution keys cannot import.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common import jobs
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.enterprise_imports.models import EnterpriseImport, EnterpriseImportError
from app.enterprise_imports.schemas import EnterpriseImportRead
from app.enterprise_imports.tasks import run_import
from app.errors import NotFound
from app.imports import history
from app.imports.exports import errors_csv
from app.imports.uploads import store_upload, upload_format


@dataclass(frozen=True)
class Upload:
    file: BinaryIO
    filename: str
    encoding: str | None


def create(
    session: Session, actor: Principal, upload: Upload, store: Path, schedule: jobs.Schedule
) -> EnterpriseImportRead:
    """Store the upload and queue its job; ``schedule`` runs it after the commit."""
    file_format = upload_format(upload.file, upload.filename)
    stored = store_upload(upload.file, upload.filename, upload.encoding, store, file_format)
    job = EnterpriseImport(
        **stored,
        province_code=actor.province_code if actor.role is Role.province else None,
        created_by_key=actor.key_id,
    )
    session.add(job)
    session.flush()
    schedule(run_import, job.id, actor)
    return EnterpriseImportRead.model_validate(job)


def _visible(actor: Principal, job: EnterpriseImport) -> bool:
    return actor.is_admin or (
        actor.role is Role.province and job.province_code == actor.province_code
    )


def get(session: Session, actor: Principal, job_id: int) -> EnterpriseImport:
    job = session.get(EnterpriseImport, job_id)
    if job is None or not _visible(actor, job):
        raise NotFound(Msg(f"导入任务不存在：{job_id}", f"import {job_id} not found"))
    return jobs.as_read(session, job)


def read(session: Session, actor: Principal, job_id: int) -> EnterpriseImportRead:
    job = get(session, actor, job_id)
    out = EnterpriseImportRead.model_validate(job)
    out.error_summary = history.repeated_errors(session, EnterpriseImportError, job.id)
    return out


def errors(session: Session, actor: Principal, job_id: int) -> list[EnterpriseImportError]:
    get(session, actor, job_id)
    stmt = select(EnterpriseImportError).where(EnterpriseImportError.job_id == job_id)
    return list(
        session.scalars(stmt.order_by(EnterpriseImportError.row_number, EnterpriseImportError.id))
    )


def errors_file(
    session: Session, actor: Principal, job_id: int, encoding: Any
) -> tuple[bytes, str, str, str]:
    job = get(session, actor, job_id)
    return errors_csv(job, errors(session, actor, job_id), encoding)


def list_page(session: Session, actor: Principal, paging: PageParams) -> Page[EnterpriseImportRead]:
    """Newest first: a province sees its own imports, the admin every import."""
    stmt = select(EnterpriseImport).order_by(EnterpriseImport.id.desc())
    if not actor.is_admin:
        stmt = stmt.where(EnterpriseImport.province_code == actor.province_code)
    return paginate(session, stmt, paging, EnterpriseImportRead.model_validate)
