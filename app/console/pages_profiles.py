"""Screening and profiles (province, portal, admin): high-value and sleeping patents, and
the institutions and enterprises in scope with their 画像. A province key sees its own
province only: every call goes through the same scoped services as the API."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import PageParams
from app.common.params import ResourceId
from app.common.schemas import RequestModel
from app.common.types import IpcPrefix
from app.console.render import page, parse
from app.console.routing import ConsoleRoute
from app.console.security import ConsoleAccess
from app.db import DBSession
from app.enterprises import service as enterprises
from app.enterprises.repository import EnterpriseFilters
from app.institutions import service as institutions
from app.institutions.repository import InstitutionFilters
from app.stats import profiles, screening
from app.stats.scope import StatsFilters

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Watcher = Annotated[Principal, Depends(ConsoleAccess(Role.admin, Role.portal, Role.province))]
ROWS = 20


class ScreeningQuery(RequestModel):
    ipc: IpcPrefix | None = None
    years: int = Field(default=3, ge=1, le=20)
    offset: int = Field(default=0, ge=0, le=10_000_000)


@router.get("/screening")
def screening_page(request: Request, db: DBSession, actor: Watcher) -> Response:
    """High-value (documented score) and sleeping patents, in the viewer's scope."""
    query, errors = parse(ScreeningQuery, dict(request.query_params))
    query = query or ScreeningQuery()
    filters = StatsFilters(ipc=query.ipc)
    paging = PageParams(limit=ROWS, offset=query.offset)
    context = {
        "query": query,
        "errors": errors,
        "high": screening.high_value(db, actor, filters, paging),
        "sleeping": screening.sleeping(db, actor, filters, query.years, paging),
        "rows": ROWS,
    }
    return page(request, "screening.html", context)


@router.get("/profiles")
def profiles_page(request: Request, db: DBSession, actor: Watcher) -> Response:
    """Institutions and enterprises in scope, each linking to its profile."""
    first = PageParams(limit=100)
    region = actor.province_code if actor.role is Role.province else None
    context = {
        "institutions": institutions.list_page(db, first, InstitutionFilters(region=region)),
        "enterprises": enterprises.list_page(db, actor, first, EnterpriseFilters()),
    }
    return page(request, "profiles.html", context)


@router.get("/profiles/institutions/{institution_id}")
def institution_profile(
    request: Request, institution_id: ResourceId, db: DBSession, actor: Watcher
) -> Response:
    profile: dict[str, Any] = profiles.institution(db, actor, institution_id)
    return page(request, "profile_institution.html", {"profile": profile})


@router.get("/profiles/enterprises/{enterprise_id}")
def enterprise_profile(
    request: Request, enterprise_id: ResourceId, db: DBSession, actor: Watcher
) -> Response:
    profile: dict[str, Any] = profiles.enterprise(db, actor, enterprise_id)
    return page(request, "profile_enterprise.html", {"profile": profile})
