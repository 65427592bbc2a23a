from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, status

from app.auth.deps import Access, Admin
from app.auth.models import Role
from app.auth.principal import Principal
from app.common import jobs
from app.common.enums import TransactionMode
from app.common.paging import Page, Paging
from app.common.params import Id, ResourceId
from app.common.types import IpcPrefix, RegionCode
from app.db import DBSession, read_only
from app.matches import licensees, runs, service
from app.matches.engine import MatchEngine
from app.matches.schemas import (
    IndexStatusOut,
    MatchFilters,
    MatchRequest,
    MatchResponse,
    MatchRunCreate,
    MatchRunRead,
    NeedMatchResponse,
    RunNeedResults,
    SeiCode,
)
from app.patents.models import LegalStatus, PatentType

router = APIRouter(tags=["matching 匹配"])

NeedSide = Annotated[Principal, Depends(Access(Role.admin, Role.portal, Role.enterprise))]
SupplySide = Annotated[Principal, Depends(Access(Role.admin, Role.portal, Role.institution))]
Portal = Annotated[Principal, Depends(Access(Role.admin, Role.portal))]
Limit = Annotated[int, Query(ge=1, le=100)]


async def get_engine(request: Request) -> MatchEngine:  # async: no threadpool hop for this
    engine: MatchEngine = request.app.state.match_engine
    return engine


Engine = Annotated[MatchEngine, Depends(get_engine)]


def match_filters(
    ipc: Annotated[list[IpcPrefix], Query(max_length=50)] = [],  # noqa: B006
    sei: Annotated[list[SeiCode], Query(max_length=40)] = [],  # noqa: B006
    institution_id: Annotated[list[Id], Query(max_length=100)] = [],  # noqa: B006
    region: Annotated[list[RegionCode], Query(max_length=50)] = [],  # noqa: B006
    cross_region: bool = True,
    patent_type: Annotated[list[PatentType], Query(max_length=3)] = [],  # noqa: B006
    legal_status: Annotated[list[LegalStatus], Query(max_length=8)] = [],  # noqa: B006
    mode: Annotated[list[TransactionMode], Query(max_length=5)] = [],  # noqa: B006
    open_license_only: bool = False,
    granted_after: date | None = None,
) -> MatchFilters:
    return MatchFilters(
        ipc=ipc,
        sei=sei,
        institution_ids=institution_id,
        regions=region,
        cross_region=cross_region,
        patent_types=patent_type,
        legal_statuses=legal_status,
        modes=mode,
        open_license_only=open_license_only,
        granted_after=granted_after,
    )


Filters = Annotated[MatchFilters, Depends(match_filters)]


@router.post("/v1/match", response_model=MatchResponse)
@read_only
def match(body: MatchRequest, session: DBSession, engine: Engine, actor: NeedSide) -> object:
    """Rank pool patents for a need written on the spot."""
    return service.match_text(session, engine, actor, body)


@router.get("/v1/needs/{need_id}/matches", response_model=MatchResponse)
def match_need(
    need_id: ResourceId,
    session: DBSession,
    engine: Engine,
    actor: NeedSide,
    filters: Filters,
    limit: Limit = 20,
) -> object:
    return service.match_need(session, engine, actor, need_id, filters, limit)


@router.get("/v1/patents/{patent_id}/matches", response_model=NeedMatchResponse)
def match_patent(
    patent_id: ResourceId,
    session: DBSession,
    engine: Engine,
    actor: SupplySide,
    filters: Filters,
    limit: Limit = 20,
) -> object:
    """Potential licensees for a (sleeping) patent: ranked open needs and their enterprises."""
    return licensees.match_patent(session, engine, actor, patent_id, filters, limit)


@router.post("/v1/match-runs", status_code=status.HTTP_202_ACCEPTED, response_model=MatchRunRead)
def create_match_run(
    body: MatchRunCreate,
    request: Request,
    session: DBSession,
    engine: Engine,
    actor: Portal,
    background: BackgroundTasks,
) -> object:
    schedule = jobs.scheduler(background.add_task, request.app.state.sessionmaker)
    return runs.create(session, actor, body, engine, schedule)


@router.get("/v1/match-runs/{run_id}", response_model=MatchRunRead)
def get_match_run(run_id: ResourceId, session: DBSession, _: Portal) -> object:
    return runs.get(session, run_id)


@router.get("/v1/match-runs/{run_id}/results", response_model=Page[RunNeedResults])
def match_run_results(run_id: ResourceId, session: DBSession, _: Portal, paging: Paging) -> object:
    return runs.results_page(session, run_id, paging)


@router.post("/v1/admin/index/rebuild", response_model=IndexStatusOut)
def rebuild_index(session: DBSession, engine: Engine, _: Admin) -> object:
    """Refit the matchers from the database in this worker and save them."""
    return engine.rebuild(session)
