"""RFC 9457 problem details for every error the API returns.

Domain errors carry their HTTP status, so services raise them and routers stay thin.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.common.messages import Msg, translate

log = logging.getLogger("panhuo")

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """``detail`` and each error's ``message`` are ``Msg`` (joined when rendered)."""

    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: Msg | str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(detail))
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"

    def __init__(self, detail: Msg | str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="panhuo"'})


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            Msg(
                f"请求过于频繁，请 {retry_after} 秒后重试",
                f"rate limit exceeded, retry in {retry_after}s",
            ),
            headers={"Retry-After": str(retry_after)},
        )


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Invalid(DomainError):
    """Input that passed the schema but breaks a rule needing the database or several fields."""

    status = 422
    title = "Validation failed"


def field_error(field: str, message: Msg | str, type_: str = "value_error") -> dict[str, Any]:
    return {
        "field": field,
        "pointer": "/" + field.replace(".", "/"),
        "message": message,
        "type": type_,
    }


def problem(status: int, title: str, detail: Msg | str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = str(detail)
    body.update({k: v for k, v in extra.items() if v is not None})
    if body.get("errors"):  # the one place a message's two halves are joined
        body["errors"] = [{**e, "message": str(e["message"])} for e in body["errors"]]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        # Drop the "body"/"query" prefix so the field reads like the JSON the client sent.
        where = loc[0] if loc else "body"
        # A JSON syntax error's loc is a character offset, not a field.
        field = where if err.get("type") == "json_invalid" else ".".join(loc[1:]) or where
        item = field_error(field, translate(dict(err)), str(err.get("type", "value_error")))
        item["in"] = where
        errors.append(item)
    return errors


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    fields = ", ".join(e["field"] for e in errors)
    detail = Msg(f"请求参数无效：{fields}", f"invalid input: {fields}")
    return problem(422, "Validation failed", detail, errors=errors)


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    response = problem(exc.status, exc.title, exc.detail, errors=exc.errors)
    response.headers.update(exc.headers)
    return response


_HTTP_ZH = {404: "资源不存在", 405: "不支持该请求方法", 413: "请求体过大"}


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}.get(
        exc.status_code, "Error"
    )
    detail = str(exc.detail)
    zh = _HTTP_ZH.get(exc.status_code)
    # Starlette's own details are English phrases; a detail already bilingual is kept.
    message = Msg(zh, detail) if zh and " / " not in detail else detail
    response = problem(exc.status_code, title, message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _on_integrity(request: Request, exc: Exception) -> JSONResponse:
    # Services check uniqueness first; this only fires on a race between two writers.
    log.warning("integrity error on %s %s", request.method, request.url.path)
    return problem(409, "Conflict", Msg("与已有数据冲突", "conflicts with existing data"))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal server error", Msg("服务器内部错误", "internal error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(Exception, _on_unexpected)
