from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import Id, ResourceId
from app.db import DBSession
from app.deals import service
from app.deals.models import DealStatus
from app.deals.repository import DealFilters
from app.deals.schemas import DealCreate, DealRead, DealTransition

router = APIRouter(prefix="/v1/deals", tags=["deals 交易"])

Recorder = Annotated[Principal, Depends(Access(Role.admin, Role.institution))]
Reader = Annotated[
    Principal, Depends(Access(Role.admin, Role.portal, Role.institution, Role.enterprise))
]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_deal(body: DealCreate, session: DBSession, actor: Recorder) -> DealRead:
    """Record a deal (status 意向) between an institution's patent(s) and an enterprise."""
    return service.create(session, actor, body)


def deal_filters(
    status: DealStatus | None = None, patent_id: Annotated[Id | None, Query()] = None
) -> DealFilters:
    return DealFilters(status=status, patent_id=patent_id)


@router.get("")
def list_deals(
    session: DBSession,
    actor: Reader,
    paging: Paging,
    filters: Annotated[DealFilters, Depends(deal_filters)],
) -> Page[DealRead]:
    return service.list_page(session, actor, paging, filters)


@router.get("/{deal_id}")
def get_deal(deal_id: ResourceId, session: DBSession, actor: Reader) -> DealRead:
    return service.get(session, actor, deal_id)


@router.post("/{deal_id}/transition")
def transition_deal(
    deal_id: ResourceId, body: DealTransition, session: DBSession, actor: Recorder
) -> DealRead:
    """Move one step: 意向 → 洽谈 → 签约 → 登记/备案 → 实施 → 产业化 (409 otherwise)."""
    return service.transition(session, actor, deal_id, body)
