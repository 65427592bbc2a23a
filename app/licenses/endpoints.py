from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.db import DBSession
from app.licenses import service
from app.licenses.schemas import (
    AcceptanceRead,
    EnterpriseAcceptanceRead,
    OpenLicenseCreate,
    OpenLicenseRead,
)

router = APIRouter(tags=["open licences 开放许可"])

Licensor = Annotated[Principal, Depends(Access(Role.admin, Role.institution))]
Licensee = Annotated[Principal, Depends(Access(Role.enterprise))]
Anyone = Annotated[Principal, Depends(Access(*Role))]
Party = Annotated[Principal, Depends(Access(Role.admin, Role.institution, Role.enterprise))]
EnterpriseOwner = Annotated[Principal, Depends(Access(Role.admin, Role.enterprise))]


@router.post("/v1/patents/{patent_id}/open-license", status_code=status.HTTP_201_CREATED)
def declare_open_license(
    patent_id: ResourceId, body: OpenLicenseCreate, session: DBSession, actor: Licensor
) -> OpenLicenseRead:
    """Declare an open licence; 409 with the reason when the law does not allow it."""
    return service.declare(session, actor, patent_id, body)


@router.get("/v1/patents/{patent_id}/open-licenses")
def patent_open_licenses(
    patent_id: ResourceId, session: DBSession, actor: Anyone
) -> list[OpenLicenseRead]:
    return service.list_for_patent(session, actor, patent_id)


@router.get("/v1/open-licenses/{license_id}")
def get_open_license(license_id: ResourceId, session: DBSession, actor: Anyone) -> OpenLicenseRead:
    return service.read(session, actor, license_id)


@router.post("/v1/open-licenses/{license_id}/withdraw")
def withdraw_open_license(
    license_id: ResourceId, session: DBSession, actor: Licensor
) -> OpenLicenseRead:
    return service.withdraw(session, actor, license_id)


@router.post("/v1/open-licenses/{license_id}/acceptances", status_code=status.HTTP_201_CREATED)
def accept_open_license(
    license_id: ResourceId, session: DBSession, actor: Licensee
) -> AcceptanceRead:
    """Accept the published terms: a non-exclusive licence starts today."""
    return service.accept(session, actor, license_id)


@router.get("/v1/open-licenses/{license_id}/acceptances")
def open_license_acceptances(
    license_id: ResourceId, session: DBSession, actor: Party
) -> list[AcceptanceRead]:
    """The licensor sees every acceptance; an enterprise only its own."""
    return service.acceptances(session, actor, license_id)


@router.get("/v1/enterprises/{enterprise_id}/open-license-acceptances")
def enterprise_open_license_acceptances(
    enterprise_id: ResourceId, session: DBSession, actor: EnterpriseOwner, paging: Paging
) -> Page[EnterpriseAcceptanceRead]:
    """The open licences this enterprise has accepted, newest first."""
    return service.enterprise_acceptances(session, actor, enterprise_id, paging)
