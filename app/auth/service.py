"""API keys: issue, look up, revoke. Keys are ``pk_`` + 32 random bytes; only SHA-256 is kept.

A fast hash is enough here: the secret has 256 bits of entropy, so there is nothing to
brute-force, and a lookup by hash keeps authentication to one indexed query.
"""

import hashlib
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.devkey import is_dev_key
from app.auth.models import ApiKey, Role
from app.auth.principal import Principal
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.common.labels import label_of
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.config import Settings
from app.db import utcnow
from app.enterprises import repository as enterprises
from app.errors import Invalid, NotFound, Unauthorized, field_error
from app.institutions import repository as institutions

_BINDING = {
    Role.institution: "institution_id",
    Role.enterprise: "enterprise_id",
    Role.province: "province_code",
}


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _role(data: ApiKeyCreate) -> str:
    return label_of("role", data.role)


def _check_binding(session: Session, data: ApiKeyCreate) -> None:
    required = _BINDING.get(data.role)
    errors = [
        field_error(
            f, Msg(f"角色「{_role(data)}」不能设置此项", f"not allowed for role {data.role}")
        )
        for f in _BINDING.values()
        if f != required and getattr(data, f) is not None
    ]
    if required and getattr(data, required) is None:
        errors.append(
            field_error(
                required, Msg(f"角色「{_role(data)}」必填", f"required for role {data.role}")
            )
        )
    if data.institution_id and institutions.get(session, data.institution_id) is None:
        errors.append(field_error("institution_id", Msg("机构不存在", "institution not found")))
    if data.enterprise_id and enterprises.get(session, data.enterprise_id) is None:
        errors.append(field_error("enterprise_id", Msg("企业不存在", "enterprise not found")))
    if data.province_code and not data.province_code.endswith("0000"):
        errors.append(
            field_error(
                "province_code",
                Msg("应为省级代码，如 410000", "must be a province-level code like 410000"),
            )
        )
    if data.expires_at and data.expires_at <= utcnow():
        errors.append(field_error("expires_at", Msg("应为将来的时间", "must be in the future")))
    if errors:
        raise Invalid(Msg("密钥参数无效", "invalid key parameters"), errors)


def create(session: Session, data: ApiKeyCreate) -> ApiKeyCreated:
    _check_binding(session, data)
    secret = "pk_" + secrets.token_urlsafe(32)
    key = ApiKey(**data.model_dump(), prefix=secret[:10], key_hash=hash_key(secret))
    session.add(key)
    session.flush()
    return ApiKeyCreated.model_validate({**_as_dict(key), "key": secret})


def _as_dict(key: ApiKey) -> dict[str, Any]:
    return {c: getattr(key, c) for c in ApiKeyCreated.model_fields if c != "key"}


def _find(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(Msg(f"密钥不存在：{key_id}", f"api key {key_id} not found"))
    return key


def get(session: Session, key_id: int) -> ApiKeyRead:
    return ApiKeyRead.model_validate(_find(session, key_id))


def revoke(session: Session, key_id: int) -> ApiKeyRead:
    key = _find(session, key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return ApiKeyRead.model_validate(key)


def list_page(session: Session, paging: PageParams, role: Role | None) -> Page[ApiKeyRead]:
    stmt = select(ApiKey).order_by(ApiKey.id)
    if role is not None:
        stmt = stmt.where(ApiKey.role == role)
    return paginate(session, stmt, paging, ApiKeyRead.model_validate)


def authenticate(
    session: Session, settings: Settings, token: str, request_id: str | None
) -> Principal:
    """Resolve a bearer token to a Principal, or raise 401 without saying which check failed."""
    if is_dev_key(settings, token):
        return Principal(role=Role.admin, request_id=request_id)
    # Columns, not the entity: this runs on every request, and the ORM's identity-map
    # bookkeeping for a whole row cost more than the indexed lookup itself.
    key = session.execute(
        select(
            ApiKey.id,
            ApiKey.role,
            ApiKey.institution_id,
            ApiKey.enterprise_id,
            ApiKey.province_code,
            ApiKey.revoked_at,
            ApiKey.expires_at,
        ).where(ApiKey.key_hash == hash_key(token))
    ).first()
    principal = principal_of(key, request_id)
    if principal is None:
        raise Unauthorized(
            Msg("API 密钥无效、已过期或已吊销", "invalid, expired or revoked API key")
        )
    return principal


def principal_of(key: Any, request_id: str | None) -> Principal | None:
    """The Principal of an API-key row (entity or columns); None if revoked or expired."""
    if key is None or key.revoked_at is not None or (key.expires_at and key.expires_at <= utcnow()):
        return None
    return Principal(
        role=key.role,
        key_id=key.id,
        institution_id=key.institution_id,
        enterprise_id=key.enterprise_id,
        province_code=key.province_code,
        request_id=request_id,
    )
