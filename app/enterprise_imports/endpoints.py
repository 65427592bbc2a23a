from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile, status
from fastapi.responses import Response

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.exports import XLSX, ErrorsEncoding, ErrorsFormat, download
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.common.types import Encoding
from app.deps import AppSettings, DBSession, JobScheduler
from app.enterprise_imports import service
from app.enterprise_imports.models import EnterpriseImportError
from app.enterprise_imports.schemas import EnterpriseImportRead
from app.enterprise_imports.template import TEMPLATE_NAME, enterprise_template
from app.imports.schemas import RowErrorRead

router = APIRouter(prefix="/v1/enterprise-imports", tags=["enterprise imports 企业名录导入"])

# Provinces import their own enterprises; enterprise, institution and portal keys cannot.
Importer = Annotated[Principal, Depends(Access(Role.admin, Role.province))]


@router.get("/template.xlsx", response_class=Response)
def enterprise_import_template(_: Importer) -> Response:
    """Excel template: the columns of provincial lists, a field guide sheet, drop-downs."""
    body = enterprise_template()
    return download(body, XLSX, TEMPLATE_NAME, "panhuo-enterprise-template.xlsx")


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def create_enterprise_import(
    session: DBSession,
    schedule: JobScheduler,
    settings: AppSettings,
    actor: Importer,
    file: Annotated[UploadFile, File(description=".xlsx/.csv/.jsonl")],
    encoding: Annotated[Encoding | None, Query(description="CSV 编码，如 gbk")] = None,
) -> EnterpriseImportRead:
    """Upload an enterprise list (企业名录); it is processed in the background (poll GET
    /v1/enterprise-imports/{id}). Rows upsert on the 统一社会信用代码."""
    upload = service.Upload(file.file, file.filename or "upload", encoding)
    return service.create(session, actor, upload, settings.import_dir, schedule)


@router.get("")
def list_enterprise_imports(
    session: DBSession, actor: Importer, paging: Paging
) -> Page[EnterpriseImportRead]:
    """Past enterprise imports, newest first: a province sees its own, the admin all."""
    return service.list_page(session, actor, paging)


@router.get("/{import_id}")
def get_enterprise_import(
    import_id: ResourceId, session: DBSession, actor: Importer
) -> EnterpriseImportRead:
    """One import: progress, counters, file-level error, repeated-error summary."""
    return service.read(session, actor, import_id)


@router.get(
    "/{import_id}/errors",
    response_model=list[RowErrorRead],
    responses={200: {"content": {"text/csv": {}}}},  # ?format=csv
)
def enterprise_import_errors(
    import_id: ResourceId,
    session: DBSession,
    actor: Importer,
    format: ErrorsFormat = "json",
    encoding: ErrorsEncoding = "utf-8",
) -> list[EnterpriseImportError] | Response:
    """Failed rows: row number in the file, column, raw value, reason (中文 and English)."""
    if format == "json":
        return service.errors(session, actor, import_id)
    return download(*service.errors_file(session, actor, import_id, encoding))
