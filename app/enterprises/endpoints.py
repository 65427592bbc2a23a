from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.auth.deps import Access, Admin
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.common.types import IndustryCode, RegionCode, SearchText
from app.db import DBSession
from app.enterprises import service
from app.enterprises.repository import EnterpriseFilters
from app.enterprises.schemas import EnterpriseCreate, EnterpriseRead, EnterpriseUpdate

router = APIRouter(prefix="/v1/enterprises", tags=["enterprises 企业"])

Reader = Annotated[
    Principal, Depends(Access(Role.admin, Role.portal, Role.enterprise, Role.province))
]
Editor = Annotated[Principal, Depends(Access(Role.admin, Role.enterprise))]


def enterprise_filters(
    region: Annotated[RegionCode | None, Query(description="行政区划代码，省/市级匹配下级")] = None,
    industry_code: Annotated[IndustryCode | None, Query(description="国民经济行业分类前缀")] = None,
    is_specialized: Annotated[bool | None, Query(description="专精特新")] = None,
    is_high_tech: Annotated[bool | None, Query(description="高新技术企业")] = None,
    is_soe: Annotated[bool | None, Query(description="国有企业")] = None,
    is_little_giant: Annotated[bool | None, Query(description='专精特新"小巨人"')] = None,
    is_tech_sme: Annotated[bool | None, Query(description="科技型中小企业")] = None,
    is_ip_advantage: Annotated[bool | None, Query(description="知识产权优势示范企业")] = None,
    q: Annotated[SearchText | None, Query(description="名称包含")] = None,
) -> EnterpriseFilters:
    return EnterpriseFilters(**locals())


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EnterpriseRead)
def create_enterprise(body: EnterpriseCreate, session: DBSession, actor: Admin) -> object:
    return service.create(session, actor, body)


@router.get("", response_model=Page[EnterpriseRead])
def list_enterprises(
    session: DBSession,
    actor: Reader,
    paging: Paging,
    filters: Annotated[EnterpriseFilters, Depends(enterprise_filters)],
) -> object:
    return service.list_page(session, actor, paging, filters)


@router.get("/{enterprise_id}", response_model=EnterpriseRead)
def get_enterprise(enterprise_id: ResourceId, session: DBSession, actor: Reader) -> object:
    return service.get(session, actor, enterprise_id)


@router.patch("/{enterprise_id}", response_model=EnterpriseRead)
def update_enterprise(
    enterprise_id: ResourceId, body: EnterpriseUpdate, session: DBSession, actor: Editor
) -> object:
    return service.update(session, actor, enterprise_id, body)


@router.delete("/{enterprise_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_enterprise(enterprise_id: ResourceId, session: DBSession, actor: Admin) -> None:
    service.delete(session, actor, enterprise_id)
