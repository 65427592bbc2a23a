"""The access check every route declares.

``Access(*roles)`` authenticates the bearer key (401), applies the per-key rate limit (429)
and checks the role (403). Which rows a role may touch is decided in the services, which
answer 404 for rows outside the caller's scope. ``tests/test_access_matrix.py`` walks the
route table and fails for any route without an ``Access`` rule or a place in ``PUBLIC_PATHS``.
"""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.audit.recorder import ACTOR_KEY
from app.auth import service
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.labels import label_of
from app.common.messages import Msg
from app.deps import AppRateLimiter, AppSettings, DBSession
from app.errors import Forbidden, TooManyRequests, Unauthorized

PUBLIC_PATHS = frozenset(
    {
        "/health",
        "/ready",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/openapi.json",
        "/v1/feeds/{token}.atom",  # the secret URL is the credential (app/feeds/tokens.py)
    }
)

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer pk_…`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


class Access:
    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def __call__(
        self,
        request: Request,
        session: DBSession,
        settings: AppSettings,
        limiter: AppRateLimiter,
        creds: Credentials,
    ) -> Principal:
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise Unauthorized(Msg("需要 API 密钥", "missing bearer API key"))
        request_id = getattr(request.state, "request_id", None)
        principal = service.authenticate(session, settings, creds.credentials, request_id)
        wait = limiter.hit(principal.key_id or "dev")
        if wait:
            raise TooManyRequests(wait)
        if principal.role not in self.roles:
            raise Forbidden(
                Msg(
                    f"角色「{label_of('role', principal.role)}」无权访问",
                    f"role {principal.role} may not do this",
                )
            )
        session.info[ACTOR_KEY] = principal
        return principal


ALL_ROLES = tuple(Role)
Admin = Annotated[Principal, Depends(Access(Role.admin))]
