"""Console routes answer people, not programs: errors become pages, not problem+json.

``ConsoleRoute`` wraps each console endpoint: a missing session on a page redirects to the
login form; any other ``DomainError`` or invalid parameter renders the error page with
the same status, and an unexpected error a Chinese 500 page. Requests from the console's
own scripts (``Accept: application/json``) keep the API's problem+json, so the page can
show field errors next to the fields.
"""

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from app.console.security import SAFE_METHODS, LoginRequired
from app.errors import DomainError

log = logging.getLogger("panhuo.console")
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def safe_next(target: str | None) -> str:
    """Only console paths: a ``next`` parameter must never send users to another site."""
    if target and target.startswith("/console/") and not target.startswith("/console//"):
        return target
    return "/console/"


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (DomainError, RequestValidationError) as exc:
                if wants_json(request):
                    raise
                if isinstance(exc, LoginRequired) and request.method in SAFE_METHODS:
                    query = f"?{request.url.query}" if request.url.query else ""
                    here = quote(request.url.path + query)
                    return RedirectResponse(f"/console/login?next={here}", 303)
                return _error_page(request, exc)
            except (HTTPException, IntegrityError):  # their own handlers answer these
                raise
            except Exception:  # a bug: people get a page in Chinese, the log gets the trace
                if wants_json(request):
                    raise
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                return _server_error_page(request)

        return console_handler


def _server_error_page(request: Request) -> Response:
    from app.console.render import page

    ref = getattr(request.state, "request_id", None)
    message = "服务器内部错误，本次操作未保存。请稍后重试；如果一再出现，请联系平台管理员"
    context = {
        "title": "服务器出错了",
        "message": f"{message}（请求编号 {ref}）。" if ref else f"{message}。",
        "status": 500,
    }
    return page(request, "error.html", context, 500)


def _error_page(request: Request, exc: Exception) -> Response:
    from app.console.render import chinese, page  # render imports security; avoid a cycle

    if isinstance(exc, DomainError):
        status, message = exc.status, chinese(exc.detail)
    else:
        status, message = 422, "请求参数无效，请检查链接或表单"
    titles = {401: "请先登录", 403: "无权访问", 404: "未找到", 409: "无法完成", 429: "请求过多"}
    context = {"title": titles.get(status, "出错了"), "message": message, "status": status}
    return page(request, "error.html", context, status)
