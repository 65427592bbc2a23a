from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.params import ResourceId
from app.db import DBSession
from app.feedback import service
from app.feedback.schemas import FeedbackCreate, FeedbackRead, RatingSummary

router = APIRouter(tags=["feedback 企业反馈"])

EnterpriseOnly = Annotated[Principal, Depends(Access(Role.enterprise))]
Readers = Annotated[
    Principal, Depends(Access(Role.admin, Role.portal, Role.institution, Role.enterprise))
]
Anyone = Annotated[Principal, Depends(Access(*Role))]


@router.post("/v1/patents/{patent_id}/feedback", status_code=status.HTTP_201_CREATED)
def give_feedback(
    patent_id: ResourceId, body: FeedbackCreate, session: DBSession, actor: EnterpriseOnly
) -> FeedbackRead:
    """An intent (转让/许可/作价入股/技术改进/产学研合作/无需求) and an optional rating."""
    return service.submit(session, actor, patent_id, body)


@router.get("/v1/patents/{patent_id}/feedback")
def patent_feedback(
    patent_id: ResourceId, session: DBSession, actor: Readers
) -> list[FeedbackRead]:
    return service.for_patent(session, actor, patent_id)


@router.get("/v1/patents/{patent_id}/ratings")
def patent_ratings(patent_id: ResourceId, session: DBSession, actor: Anyone) -> RatingSummary:
    """Aggregated 产业化前景评价: count, mean per dimension, comments."""
    return service.ratings(session, actor, patent_id)
