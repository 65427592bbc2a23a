"""Import page: upload (drag-and-drop or plain form), live job progress, errors, template.

The upload goes through ``app.imports.service.create`` exactly as ``POST /v1/imports``
does; the page's script polls the job's status as JSON until it finishes.
"""

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common import jobs
from app.common.exports import CsvEncoding, download
from app.common.paging import PageParams
from app.common.params import Id, ResourceId
from app.console.render import FormErrors, attempt, page, redirect
from app.console.routing import ConsoleRoute, wants_json
from app.console.security import ConsoleAccess
from app.db import DBSession
from app.imports import exports, history, service
from app.imports.template import TEMPLATE_NAME, template_xlsx
from app.matches.endpoints import Engine

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Uploader = Annotated[Principal, Depends(ConsoleAccess(Role.admin, Role.institution))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ERRORS = 50


HISTORY = 20


def _form(
    request: Request, db: Session, actor: Principal, errors: FormErrors | None = None
) -> Response:
    offset = request.query_params.get("offset", "0")
    paging = PageParams(limit=HISTORY, offset=int(offset) if offset.isdigit() else 0)
    past = history.list_page(db, actor, paging)
    context = {
        "errors": errors,
        "past": past,
        "newer": max(0, paging.offset - HISTORY) if paging.offset else None,
        "older": paging.offset + HISTORY if paging.offset + HISTORY < past["total"] else None,
    }
    return page(request, "import.html", context)


@router.get("/import")
def import_page(request: Request, db: DBSession, actor: Uploader) -> Response:
    """Upload form and the past imports (newest first; an institution sees its own)."""
    return _form(request, db, actor)


_ID: TypeAdapter[int] = TypeAdapter(Id)


def _institution_id(raw: str | None) -> tuple[int | None, FormErrors | None]:
    if not raw:
        return None, None
    try:
        return _ID.validate_python(raw), None  # ASCII digits within 1..2³¹-1, as the API
    except ValidationError:
        return None, FormErrors("请修改标出的字段", {"institution_id": "请输入有效的机构编号"})


@router.post("/import")
def upload(
    request: Request,
    db: DBSession,
    engine: Engine,
    actor: Uploader,
    background: BackgroundTasks,
    file: Annotated[UploadFile | None, File()] = None,
    institution_id: Annotated[str | None, Form(max_length=20)] = None,
) -> Response:
    institution, errors = _institution_id(institution_id)
    if file is None or not file.filename:
        errors = FormErrors("请选择要导入的文件", {"file": "请选择 .xlsx、.csv 或 .jsonl 文件"})
    job = None
    if errors is None and file is not None:
        upload = service.Upload(file.file, file.filename or "upload", institution, None)
        settings = request.app.state.settings
        job, errors = attempt(
            db,
            service.create,
            db,
            actor,
            upload,
            settings.import_dir,
            jobs.scheduler(background.add_task, request.app.state.sessionmaker),
            engine,
        )
    if errors is not None or job is None:
        errors = errors or FormErrors("导入失败")
        if wants_json(request):
            body = {"message": errors.message, "fields": errors.fields}
            return JSONResponse(body, status_code=422)
        return _form(request, db, actor, errors)
    url = f"/console/import/{job.id}"
    if wants_json(request):
        return JSONResponse({"id": job.id, "url": url}, status_code=202)
    return redirect(request, url)


def _job(db: Any, actor: Principal, import_id: int) -> dict[str, Any]:
    return history.read(db, actor, import_id).model_dump(mode="json")


@router.get("/import/template.xlsx")
def template(_: Uploader) -> Response:
    return download(template_xlsx(), XLSX, TEMPLATE_NAME, "panhuo-import-template.xlsx")


@router.get("/import/{import_id}")
def job_page(request: Request, import_id: ResourceId, db: DBSession, actor: Uploader) -> Response:
    job = _job(db, actor, import_id)
    rows = service.errors(db, actor, import_id, limit=PREVIEW_ERRORS)
    return page(request, "import_job.html", {"job": job, "error_rows": rows})


@router.get("/import/{import_id}/status")
def job_status(import_id: ResourceId, db: DBSession, actor: Uploader) -> JSONResponse:
    # Never cached: the page polls it for the progress bar.
    headers = {"Cache-Control": "no-store"}
    return JSONResponse(_job(db, actor, import_id), headers=headers)


@router.get("/import/{import_id}/errors.csv")
def job_errors(
    import_id: ResourceId, db: DBSession, actor: Uploader, encoding: CsvEncoding = "utf-8"
) -> Response:
    return download(*exports.errors_file(db, actor, import_id, encoding))
