"""Sign in with an API key, sign out, and the landing redirect."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from app.auth import service as auth
from app.auth.models import Role
from app.auth.principal import Principal
from app.console.render import FormErrors, chinese, page, redirect
from app.console.routing import ConsoleRoute, safe_next
from app.console.security import (
    LOGIN_CSRF_COOKIE,
    ConsoleAccess,
    csrf_matches,
    end_session,
    read_session,
    set_cookie,
    start_session,
)
from app.deps import AppSettings, DBSession
from app.errors import DomainError

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Anyone = Annotated[Principal, Depends(ConsoleAccess(*Role))]

HOME = {
    Role.admin: "/console/stats",
    Role.portal: "/console/stats",
    Role.province: "/console/stats",
    Role.institution: "/console/patents",
    Role.enterprise: "/console/enterprise",
}


def _login_form(request: Request, next_url: str, errors: FormErrors | None = None) -> Response:
    # Double-submit token: no session exists yet to hold one.
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        {"login_csrf": token, "next": next_url, "errors": errors},
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if read_session(request) is not None:
        return RedirectResponse(safe_next(next), 303)
    return _login_form(request, safe_next(next))


@router.post("/login")
def login(
    request: Request,
    db: DBSession,
    settings: AppSettings,
    api_key: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/console/",
) -> Response:
    target = safe_next(next)
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token or None):
        errors = FormErrors("登录表单已过期，请重新提交")
        return _login_form(request, target, errors)
    if not api_key.strip():
        return _login_form(request, target, FormErrors("请输入 API 密钥", {"api_key": "必填"}))
    request_id = getattr(request.state, "request_id", None)
    try:
        principal = auth.authenticate(db, settings, api_key.strip(), request_id)
    except DomainError as exc:
        errors = FormErrors("登录失败", {"api_key": chinese(exc.detail)})
        return _login_form(request, target, errors)
    if target == "/console/":
        target = HOME[principal.role]
    response = RedirectResponse(target, 303)
    start_session(request, response, principal.key_id, api_key.strip())
    return response


@router.post("/logout")
def logout(request: Request, _: Anyone) -> Response:
    response = redirect(request, "/console/login", ("info", "已退出登录"))
    end_session(response)
    return response


@router.get("/")
def home(actor: Anyone) -> Response:
    return RedirectResponse(HOME[actor.role], 303)
