from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.params import ResourceId
from app.db import DBSession
from app.matches.endpoints import Engine
from app.profiles import service
from app.profiles.schemas import ProfileRead

router = APIRouter(tags=["enterprises 企业"])

# No institution: a profile is built from confidential needs (see app.profiles.service).
ProfileReader = Annotated[
    Principal, Depends(Access(Role.admin, Role.portal, Role.province, Role.enterprise))
]


@router.get("/v1/enterprises/{enterprise_id}/profile", response_model=ProfileRead)
def enterprise_profile(
    enterprise_id: ResourceId, session: DBSession, engine: Engine, actor: ProfileReader
) -> object:
    """企业画像: sources, main terms, IPC areas, 战略性新兴产业; its needs, intents, deals."""
    return service.read(session, engine, actor, enterprise_id)
