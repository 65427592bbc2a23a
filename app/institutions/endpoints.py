from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.auth.deps import Access, Admin
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.common.types import RegionCode, SearchText
from app.deps import DBSession
from app.institutions import service
from app.institutions.models import InstitutionType
from app.institutions.schemas import InstitutionCreate, InstitutionRead, InstitutionUpdate

router = APIRouter(prefix="/v1/institutions", tags=["institutions 机构"])

Reader = Annotated[Principal, Depends(Access(*Role))]
Editor = Annotated[Principal, Depends(Access(Role.admin, Role.institution))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InstitutionRead)
def create_institution(body: InstitutionCreate, session: DBSession, _: Admin) -> object:
    return service.create(session, body)


@router.get("", response_model=Page[InstitutionRead])
def list_institutions(
    session: DBSession,
    _: Reader,
    paging: Paging,
    type: Annotated[InstitutionType | None, Query()] = None,
    region: Annotated[
        RegionCode | None, Query(description="行政区划代码，省/市级代码匹配下级")
    ] = None,
    q: Annotated[SearchText | None, Query(description="名称包含")] = None,
) -> object:
    return service.list_page(session, paging, type, region, q)


@router.get("/{institution_id}", response_model=InstitutionRead)
def get_institution(institution_id: ResourceId, session: DBSession, _: Reader) -> object:
    return service.get(session, institution_id)


@router.patch("/{institution_id}", response_model=InstitutionRead)
def update_institution(
    institution_id: ResourceId, body: InstitutionUpdate, session: DBSession, actor: Editor
) -> object:
    return service.update(session, actor, institution_id, body)


@router.delete("/{institution_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_institution(institution_id: ResourceId, session: DBSession, _: Admin) -> None:
    service.delete(session, institution_id)
