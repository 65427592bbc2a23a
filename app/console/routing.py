"""Console routes answer people, not programs: errors become pages, not problem+json.

``ConsoleRoute`` wraps each console endpoint: a missing session on a page redirects to the
login form; any other ``DomainError`` or invalid parameter renders the error page with
the same status. Requests from the console's own scripts (``Accept: application/json``)
keep the API's problem+json, so the page can show field errors next to the fields.
"""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from app.console.security import SAFE_METHODS, LoginRequired
from app.errors import DomainError

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

        return console_handler


def _error_page(request: Request, exc: Exception) -> Response:
    from app.console.render import chinese, page  # render imports security; avoid a cycle

    if isinstance(exc, DomainError):
        status, message = exc.status, chinese(exc.detail)
    else:
        status, message = 422, "请求参数无效，请检查链接或表单"
    titles = {401: "请先登录", 403: "无权访问", 404: "未找到", 409: "无法完成", 429: "请求过多"}
    context = {"title": titles.get(status, "出错了"), "message": message, "status": status}
    return page(request, "error.html", context, status)
