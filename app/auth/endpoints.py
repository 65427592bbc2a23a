from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth import service
from app.auth.deps import Admin
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.db import DBSession

router = APIRouter(prefix="/v1/api-keys", tags=["api keys 密钥"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_api_key(body: ApiKeyCreate, session: DBSession, _: Admin) -> ApiKeyCreated:
    """Issue a key. The secret is in the response once and never again."""
    return service.create(session, body)


@router.get("")
def list_api_keys(
    session: DBSession, paging: Paging, _: Admin, role: Annotated[Role | None, Query()] = None
) -> Page[ApiKeyRead]:
    return service.list_page(session, paging, role)


@router.get("/{key_id}")
def get_api_key(key_id: ResourceId, session: DBSession, _: Admin) -> ApiKeyRead:
    return service.get(session, key_id)


@router.post("/{key_id}/revoke")
def revoke_api_key(key_id: ResourceId, session: DBSession, _: Admin) -> ApiKeyRead:
    return service.revoke(session, key_id)
