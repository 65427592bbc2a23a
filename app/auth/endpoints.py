from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth import service
from app.auth.deps import Admin
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.deps import DBSession

router = APIRouter(prefix="/v1/api-keys", tags=["api keys 密钥"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyCreate, session: DBSession, _: Admin) -> object:
    """Issue a key. The secret is in the response once and never again."""
    return service.create(session, body)


@router.get("", response_model=Page[ApiKeyRead])
def list_api_keys(
    session: DBSession, paging: Paging, _: Admin, role: Annotated[Role | None, Query()] = None
) -> object:
    return service.list_page(session, paging, role)


@router.get("/{key_id}", response_model=ApiKeyRead)
def get_api_key(key_id: ResourceId, session: DBSession, _: Admin) -> object:
    return service.get(session, key_id)


@router.post("/{key_id}/revoke", response_model=ApiKeyRead)
def revoke_api_key(key_id: ResourceId, session: DBSession, _: Admin) -> object:
    return service.revoke(session, key_id)
