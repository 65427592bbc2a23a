from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import Id, ResourceId
from app.common.types import SearchText
from app.db import DBSession
from app.needs import service
from app.needs.models import NeedStatus
from app.needs.repository import NeedFilters
from app.needs.schemas import NeedCreate, NeedRead, NeedUpdate

router = APIRouter(prefix="/v1/needs", tags=["needs 技术需求"])

Reader = Annotated[Principal, Depends(Access(Role.admin, Role.portal, Role.enterprise))]
Writer = Annotated[Principal, Depends(Access(Role.admin, Role.enterprise))]


def need_filters(
    enterprise_id: Annotated[Id | None, Query()] = None,
    status: NeedStatus | None = None,
    q: Annotated[SearchText | None, Query(description="标题包含")] = None,
) -> NeedFilters:
    return NeedFilters(enterprise_id=enterprise_id, status=status, q=q)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_need(body: NeedCreate, session: DBSession, actor: Writer) -> NeedRead:
    return service.create(session, actor, body)


@router.get("")
def list_needs(
    session: DBSession,
    actor: Reader,
    paging: Paging,
    filters: Annotated[NeedFilters, Depends(need_filters)],
) -> Page[NeedRead]:
    return service.list_page(session, actor, paging, filters)


@router.get("/{need_id}")
def get_need(need_id: ResourceId, session: DBSession, actor: Reader) -> NeedRead:
    return service.get(session, actor, need_id)


@router.patch("/{need_id}")
def update_need(
    need_id: ResourceId, body: NeedUpdate, session: DBSession, actor: Writer
) -> NeedRead:
    return service.update(session, actor, need_id, body)


@router.delete("/{need_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_need(need_id: ResourceId, session: DBSession, actor: Writer) -> None:
    service.delete(session, actor, need_id)
