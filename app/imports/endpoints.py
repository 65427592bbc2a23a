from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    Depends,
    File,
    Form,
    Query,
    Request,
    UploadFile,
    status,
)
from fastapi.responses import Response

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common import jobs
from app.common.exports import CsvEncoding, download
from app.common.paging import Page, Paging
from app.common.params import Id, ResourceId
from app.common.types import Encoding
from app.db import DBSession
from app.imports import exports, history, service
from app.imports.schemas import BulkResult, ImportRead, RowErrorRead
from app.imports.template import TEMPLATE_NAME, template_xlsx
from app.matches.endpoints import Engine

router = APIRouter(tags=["imports 批量导入"])

Uploader = Annotated[Principal, Depends(Access(Role.admin, Role.institution))]
# ?format= and ?encoding= of every import kind's failed rows
ErrorsFormat = Literal["json", "csv"]
ErrorsEncoding = Annotated[CsvEncoding, Query(description="CSV 编码：utf-8（带 BOM）或 gb18030")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/v1/imports/template.xlsx", response_class=Response)
def import_template(_: Uploader) -> Response:
    """Excel template: canonical headers, a field guide sheet, drop-downs for enums."""
    return download(template_xlsx(), XLSX, TEMPLATE_NAME, "panhuo-import-template.xlsx")


@router.post("/v1/imports", status_code=status.HTTP_202_ACCEPTED, response_model=ImportRead)
def create_import(
    request: Request,
    session: DBSession,
    engine: Engine,
    actor: Uploader,
    background: BackgroundTasks,
    file: Annotated[UploadFile, File(description=".xlsx/.csv/.jsonl")],
    institution_id: Annotated[Id | None, Form()] = None,
    encoding: Annotated[Encoding | None, Query(description="CSV 编码，如 gbk")] = None,
) -> object:
    """Upload a patent list; it is processed in the background (poll GET /v1/imports/{id})."""
    upload = service.Upload(file.file, file.filename or "upload", institution_id, encoding)
    settings = request.app.state.settings
    return service.create(
        session,
        actor,
        upload,
        settings.import_dir,
        jobs.scheduler(background.add_task, request.app.state.sessionmaker),
        engine,
    )


@router.get("/v1/imports", response_model=Page[ImportRead])
def list_imports(session: DBSession, actor: Uploader, paging: Paging) -> object:
    """Past imports, newest first: an institution sees its own, the admin all."""
    return history.list_page(session, actor, paging)


@router.get("/v1/imports/{import_id}", response_model=ImportRead)
def get_import(import_id: ResourceId, session: DBSession, actor: Uploader) -> object:
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
) -> Any:
    """Failed rows: row number in the file, column, raw value, reason (中文 and English)."""
    if format == "json":
        return service.errors(session, actor, import_id)
    return download(*exports.errors_file(session, actor, import_id, encoding))


@router.post("/v1/patents/bulk", response_model=BulkResult)
def bulk_patents(
    session: DBSession,
    actor: Uploader,
    items: Annotated[list[dict[str, Any]], Body(min_length=1, max_length=1000)],
) -> object:
    """Up to 1,000 patents as JSON; same columns and semantics as a file import.

    Valid items land, failed ones land nowhere; each item reports what happened to it.
    """
    return service.bulk(session, actor, items)
