from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import Id, ResourceId
from app.common.types import IpcPrefix, RegionCode, SearchText
from app.db import DBSession
from app.patents import service
from app.patents.models import ValueGrade
from app.patents.repository import PatentFilters
from app.patents.schemas import (
    ImplementationIn,
    LegalStatusIn,
    PatentCreate,
    PatentRead,
    PatentTypeIn,
    PatentUpdate,
    PoolStatusIn,
)

router = APIRouter(prefix="/v1/patents", tags=["patents 专利"])

Reader = Annotated[Principal, Depends(Access(*Role))]
Writer = Annotated[Principal, Depends(Access(Role.admin, Role.institution))]


def patent_filters(
    institution_id: Annotated[Id | None, Query()] = None,
    ipc: Annotated[IpcPrefix | None, Query(description="IPC 前缀，如 G06F 或 G06F16/")] = None,
    legal_status: LegalStatusIn | None = None,
    pool_status: PoolStatusIn | None = None,
    patent_type: PatentTypeIn | None = None,
    region: Annotated[RegionCode | None, Query(description="行政区划代码，省/市级匹配下级")] = None,
    value_grade: ValueGrade | None = None,
    state_funded: bool | None = None,
    implementation_status: ImplementationIn | None = None,
    q: Annotated[SearchText | None, Query(description="标题包含")] = None,
) -> PatentFilters:
    return PatentFilters(**locals())


@router.post("", status_code=status.HTTP_201_CREATED)
def create_patent(body: PatentCreate, session: DBSession, actor: Writer) -> PatentRead:
    return service.create(session, actor, body)


@router.get("")
def list_patents(
    session: DBSession,
    actor: Reader,
    paging: Paging,
    filters: Annotated[PatentFilters, Depends(patent_filters)],
) -> Page[PatentRead]:
    return service.list_page(session, actor, paging, filters)


@router.get("/{patent_id}")
def get_patent(patent_id: ResourceId, session: DBSession, actor: Reader) -> PatentRead:
    return service.get(session, actor, patent_id)


@router.patch("/{patent_id}")
def update_patent(
    patent_id: ResourceId, body: PatentUpdate, session: DBSession, actor: Writer
) -> PatentRead:
    return service.update(session, actor, patent_id, body)


@router.delete("/{patent_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_patent(patent_id: ResourceId, session: DBSession, actor: Writer) -> None:
    service.delete(session, actor, patent_id)
