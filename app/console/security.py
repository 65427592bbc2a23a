"""Console sign-in: an API key checked once, then a signed, HttpOnly session cookie.

The cookie carries the key's id and hash, a CSRF token and its issue time, signed with
HMAC-SHA256. Every request re-reads the key, so revoking or expiring it ends console
sessions at once, and the cookie alone is not an API key: it cannot call ``/v1``.
CSRF: unsafe methods must echo the session's token (form field ``csrf_token`` or header
``X-CSRF-Token``); the login form, which has no session yet, uses a double-submit cookie.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy import select

from app.audit.recorder import ACTOR_KEY
from app.auth import service as auth_service
from app.auth.devkey import DEV_KEY_PATH, dev_key_enabled
from app.auth.models import ApiKey, Role
from app.auth.principal import Principal
from app.config import ROOT, Settings
from app.console.queries import organisation
from app.deps import AppRateLimiter, AppSettings, DBSession, app_settings
from app.errors import DomainError, TooManyRequests

SESSION_COOKIE = "panhuo_console"
LOGIN_CSRF_COOKIE = "panhuo_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECRET_PATH = ROOT / "var" / "console-secret"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Reachable without a session (the test of the route table checks every other one).
CONSOLE_PUBLIC_PATHS = frozenset({"/console/login"})


class LoginRequired(DomainError):
    status = 401
    title = "Unauthorized"


class ConsoleForbidden(DomainError):
    status = 403
    title = "Forbidden"


@cache
def _file_secret() -> bytes:
    # O_EXCL: two workers starting together agree on whichever secret was written first.
    SECRET_PATH.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(SECRET_PATH, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SECRET_PATH.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_hex(32).encode())
    return SECRET_PATH.read_bytes().strip()


def _secret(request: Request) -> bytes:
    configured = app_settings(request).console_secret
    return configured.get_secret_value().encode() if configured else _file_secret()


def _mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def sign(request: Request, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    return f"{body}.{_mac(_secret(request), body)}"


def unsign(request: Request, value: str | None) -> dict[str, Any] | None:
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(_secret(request), body)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class ConsoleSession:
    key_id: int | None  # None: the local development key
    key_hash: str
    csrf: str
    issued: float


def read_session(request: Request) -> ConsoleSession | None:
    data = unsign(request, request.cookies.get(SESSION_COOKIE))
    settings = app_settings(request)
    if data is None or time.time() - data.get("t", 0) > settings.console_session_hours * 3600:
        return None
    return ConsoleSession(data.get("k"), str(data.get("h")), str(data.get("c")), data["t"])


def _secure(request: Request) -> bool:
    configured = app_settings(request).console_cookie_secure
    return request.url.scheme == "https" if configured is None else bool(configured)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/console",
        max_age=int(app_settings(request).console_session_hours * 3600),
    )


def start_session(request: Request, response: Response, key_id: int | None, token: str) -> None:
    payload = {
        "k": key_id,
        "h": hashlib.sha256(token.encode()).hexdigest(),
        "c": secrets.token_urlsafe(24),
        "t": time.time(),
    }
    set_cookie(request, response, SESSION_COOKIE, sign(request, payload))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/console")


def _dev_key_hash(settings: Settings) -> str | None:
    if not dev_key_enabled(settings) or not DEV_KEY_PATH.exists():
        return None
    return hashlib.sha256(DEV_KEY_PATH.read_text(encoding="ascii").strip().encode()).hexdigest()


def principal_for(
    db: Any, settings: Settings, cs: ConsoleSession, request_id: str | None
) -> Principal:
    """The key behind a session, checked as ``auth.service.authenticate`` checks a token."""
    if cs.key_id is None:
        if cs.key_hash != _dev_key_hash(settings):
            raise LoginRequired("请重新登录 / please sign in again")
        return Principal(role=Role.admin, request_id=request_id)
    key = db.scalar(select(ApiKey).where(ApiKey.id == cs.key_id))
    same = key is not None and hmac.compare_digest(key.key_hash, cs.key_hash)
    principal = auth_service.principal_of(key, request_id) if same else None
    if principal is None:
        raise LoginRequired("密钥已失效，请重新登录 / the key is no longer valid")
    return principal


async def posted_csrf(request: Request) -> str | None:
    """The CSRF token an unsafe request echoes (header for fetch, form field for forms)."""
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


PostedCsrf = Annotated[str | None, Depends(posted_csrf)]


def csrf_matches(expected: str, posted: str | None) -> bool:
    return posted is not None and hmac.compare_digest(expected.encode(), posted.encode())


class ConsoleAccess:
    """Like ``Access`` for the console: session cookie (401/redirect), CSRF, role (403)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def __call__(
        self,
        request: Request,
        db: DBSession,
        settings: AppSettings,
        limiter: AppRateLimiter,
        posted: PostedCsrf,
    ) -> Principal:
        cs = read_session(request)
        if cs is None:
            raise LoginRequired("请先登录 / please sign in")
        if request.method not in SAFE_METHODS and not csrf_matches(cs.csrf, posted):
            raise ConsoleForbidden("表单已过期，请刷新页面后重试 / CSRF check failed")
        principal = principal_for(db, settings, cs, getattr(request.state, "request_id", None))
        wait = limiter.hit(principal.key_id or "dev")
        if wait:
            raise TooManyRequests(wait)
        if principal.role not in self.roles:
            raise ConsoleForbidden(f"当前角色（{principal.role}）无权访问此页面")
        db.info[ACTOR_KEY] = principal
        request.state.console_csrf = cs.csrf
        request.state.principal = principal
        request.state.organisation = organisation(db, principal)
        return principal
