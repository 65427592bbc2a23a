from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.auth.deps import Access, Admin
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.common.types import RegionCode, SearchText
from app.db import DBSession
from app.institutions import service
from app.institutions.models import InstitutionType
from app.institutions.repository import InstitutionFilters
from app.institutions.schemas import InstitutionCreate, InstitutionRead, InstitutionUpdate

router = APIRouter(prefix="/v1/institutions", tags=["institutions 机构"])

Reader = Annotated[Principal, Depends(Access(*Role))]
Editor = Annotated[Principal, Depends(Access(Role.admin, Role.institution))]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_institution(body: InstitutionCreate, session: DBSession, _: Admin) -> InstitutionRead:
    return service.create(session, body)


def institution_filters(
    type: Annotated[InstitutionType | None, Query()] = None,
    region: Annotated[
        RegionCode | None, Query(description="行政区划代码，省/市级代码匹配下级")
    ] = None,
    q: Annotated[SearchText | None, Query(description="名称包含")] = None,
) -> InstitutionFilters:
    return InstitutionFilters(type=type, region=region, q=q)


@router.get("")
def list_institutions(
    session: DBSession,
    _: Reader,
    paging: Paging,
    filters: Annotated[InstitutionFilters, Depends(institution_filters)],
) -> Page[InstitutionRead]:
    return service.list_page(session, paging, filters)


@router.get("/{institution_id}")
def get_institution(institution_id: ResourceId, session: DBSession, _: Reader) -> InstitutionRead:
    return service.get(session, institution_id)


@router.patch("/{institution_id}")
def update_institution(
    institution_id: ResourceId, body: InstitutionUpdate, session: DBSession, actor: Editor
) -> InstitutionRead:
    return service.update(session, actor, institution_id, body)


@router.delete("/{institution_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_institution(institution_id: ResourceId, session: DBSession, _: Admin) -> None:
    service.delete(session, institution_id)
