"""Our patents (institution): searchable table, open licence declaration and withdrawal."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import PageParams
from app.common.params import ResourceId
from app.common.schemas import RequestModel
from app.common.types import IpcPrefix, SearchText
from app.console import queries
from app.console.render import FormErrors, FormValues, attempt, chinese, page, parse, redirect
from app.console.routing import ConsoleRoute
from app.console.security import ConsoleAccess
from app.db import DBSession
from app.licenses import service as licences
from app.licenses.schemas import OpenLicenseCreate
from app.patents import service as patents
from app.patents.models import LegalStatus, PatentType, PoolStatus, ValueGrade
from app.patents.repository import PatentFilters

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Owner = Annotated[Principal, Depends(ConsoleAccess(Role.admin, Role.institution))]
PAGE = 20


class PatentQuery(RequestModel):
    """The filter form; the same filters as ``GET /v1/patents``."""

    q: SearchText | None = None
    ipc: IpcPrefix | None = None
    legal_status: LegalStatus | None = None
    pool_status: PoolStatus | None = None
    patent_type: PatentType | None = None
    value_grade: ValueGrade | None = None
    offset: int = Field(default=0, ge=0, le=10_000_000)


@router.get("/patents")
def patent_list(request: Request, db: DBSession, actor: Owner) -> Response:
    query, errors = parse(PatentQuery, dict(request.query_params))
    query = query or PatentQuery()
    filters = PatentFilters(**query.model_dump(exclude={"offset"}))
    paging = PageParams(limit=PAGE, offset=query.offset)
    result = patents.list_page(db, actor, paging, filters)
    ids = [p.id for p in result.items]
    context = {
        "query": query,
        "errors": errors,
        "result": result,
        "intents": queries.intents_received(db, ids),
        "licences": queries.declared_licences(db, ids),
        "exclusive": queries.exclusive_in_force(db, ids),
        "pages": _pages(request, result.total, query.offset),
    }
    return page(request, "patents.html", context)


def _pages(request: Request, total: int, offset: int) -> dict[str, str | None]:
    """Previous/next links keeping the current filters."""

    def link(to: int) -> str:
        return "?" + str(request.url.include_query_params(offset=to).query)

    return {
        "prev": link(max(0, offset - PAGE)) if offset > 0 else None,
        "next": link(offset + PAGE) if offset + PAGE < total else None,
        "range": f"{min(total, offset + 1)}–{min(total, offset + PAGE)} / {total}",
    }


def _licence_form(
    request: Request, patent: Any, values: dict[str, Any], errors: FormErrors | None
) -> Response:
    context = {"patent": patent, "values": values, "errors": errors}
    return page(request, "open_license.html", context)


@router.get("/patents/{patent_id}/open-license")
def licence_form(request: Request, patent_id: ResourceId, db: DBSession, actor: Owner) -> Response:
    patent = patents.find(db, actor, patent_id, write=True)
    return _licence_form(request, patent, {"fee_type": "one_off", "term_years": "3"}, None)


@router.post("/patents/{patent_id}/open-license")
def declare_licence(
    request: Request, patent_id: ResourceId, db: DBSession, actor: Owner, values: FormValues
) -> Response:
    patent = patents.find(db, actor, patent_id, write=True)
    data, errors = parse(OpenLicenseCreate, values)
    created = None
    if data is not None:
        created, errors = attempt(db, licences.declare, db, actor, patent_id, data)
    if created is None:
        return _licence_form(request, patent, values, errors or FormErrors("声明失败"))
    notes = [("ok", f"已声明开放许可：{patent.title}")]
    notes += [("warn", "费用提示：" + chinese(a)) for a in created.advice]
    return redirect(request, "/console/patents", *notes)


@router.post("/open-licenses/{license_id}/withdraw")
def withdraw_licence(
    request: Request, license_id: ResourceId, db: DBSession, actor: Owner
) -> Response:
    _, errors = attempt(db, licences.withdraw, db, actor, license_id)
    if errors is not None:
        return redirect(request, "/console/patents", ("error", errors.message))
    return redirect(request, "/console/patents", ("ok", "已撤回开放许可声明（已有许可不受影响）"))
