from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.deps import DBSession
from app.pushes import service
from app.pushes.schemas import PartitionRead, PushRunCreate, PushRunRead

router = APIRouter(prefix="/v1/push-runs", tags=["push runs 精准推送"])
# Province principals push to (and see the runs of) their own province only.
Pusher = Annotated[Principal, Depends(Access(Role.admin, Role.portal, Role.province))]


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def create_push_run(body: PushRunCreate, session: DBSession, actor: Pusher) -> PushRunRead:
    """Rank the selected patents for each selected enterprise's profile and push the best
    into its feed (reason ``profile``); worked by the feed workers, partition by partition."""
    return service.create(session, actor, body)


@router.get("")
def list_push_runs(session: DBSession, actor: Pusher, paging: Paging) -> Page[PushRunRead]:
    return service.list_page(session, actor, paging)


@router.get("/{run_id}")
def get_push_run(run_id: ResourceId, session: DBSession, actor: Pusher) -> PushRunRead:
    return service.get(session, actor, run_id)


@router.get("/{run_id}/partitions")
def push_run_partitions(
    run_id: ResourceId, session: DBSession, actor: Pusher
) -> list[PartitionRead]:
    return service.partitions_of(session, actor, run_id)
