from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Body,
    Depends,
    File,
    Form,
    Query,
    UploadFile,
    status,
)
from fastapi.responses import Response

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.exports import XLSX, ErrorsEncoding, ErrorsFormat, download
from app.common.paging import Page, Paging
from app.common.params import Id, ResourceId
from app.common.types import Encoding
from app.deps import AppMatchEngine, AppSettings, DBSession, JobScheduler
from app.imports import exports, history, service
from app.imports.models import ImportRowError
from app.imports.schemas import BulkResult, ImportRead, RowErrorRead
from app.imports.template import TEMPLATE_NAME, template_xlsx

router = APIRouter(tags=["imports 批量导入"])

Uploader = Annotated[Principal, Depends(Access(Role.admin, Role.institution))]


@router.get("/v1/imports/template.xlsx", response_class=Response)
def import_template(_: Uploader) -> Response:
    """Excel template: canonical headers, a field guide sheet, drop-downs for enums."""
    return download(template_xlsx(), XLSX, TEMPLATE_NAME, "panhuo-import-template.xlsx")


@router.post("/v1/imports", status_code=status.HTTP_202_ACCEPTED)
def create_import(
    session: DBSession,
    schedule: JobScheduler,
    settings: AppSettings,
    match_engine: AppMatchEngine,
    actor: Uploader,
    file: Annotated[UploadFile, File(description=".xlsx/.csv/.jsonl")],
    institution_id: Annotated[Id | None, Form()] = None,
    encoding: Annotated[Encoding | None, Query(description="CSV 编码，如 gbk")] = None,
) -> ImportRead:
    """Upload a patent list; it is processed in the background (poll GET /v1/imports/{id})."""
    upload = service.Upload(file.file, file.filename or "upload", institution_id, encoding)
    return service.create(session, actor, upload, settings.import_dir, schedule, match_engine)


@router.get("/v1/imports")
def list_imports(session: DBSession, actor: Uploader, paging: Paging) -> Page[ImportRead]:
    """Past imports, newest first: an institution sees its own, the admin all."""
    return history.list_page(session, actor, paging)


@router.get("/v1/imports/{import_id}")
def get_import(import_id: ResourceId, session: DBSession, actor: Uploader) -> ImportRead:
    """One import: counters, file-level error, rows to review, repeated-error summary."""
    return history.read(session, actor, import_id)


@router.get(
    "/v1/imports/{import_id}/errors",
    response_model=list[RowErrorRead],
    responses={200: {"content": {"text/csv": {}}}},  # ?format=csv
)
def import_errors(
    import_id: ResourceId,
    session: DBSession,
    actor: Uploader,
    format: ErrorsFormat = "json",
    encoding: ErrorsEncoding = "utf-8",
) -> list[ImportRowError] | Response:
    """Failed rows: row number in the file, column, raw value, reason (中文 and English)."""
    if format == "json":
        return service.errors(session, actor, import_id)
    return download(*exports.errors_file(session, actor, import_id, encoding))


@router.post("/v1/patents/bulk")
def bulk_patents(
    session: DBSession,
    actor: Uploader,
    items: Annotated[list[dict[str, Any]], Body(min_length=1, max_length=1000)],
) -> BulkResult:
    """Up to 1,000 patents as JSON; same columns and semantics as a file import.

    Valid items land, failed ones land nowhere; each item reports what happened to it.
    """
    return service.bulk(session, actor, items)
