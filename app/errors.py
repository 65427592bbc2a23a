"""RFC 9457 problem details for every error the API returns.

Domain errors carry their HTTP status, so services raise them and routers stay thin.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.common.messages import Msg
from app.common.pydantic_errors import translate

log = logging.getLogger("panhuo")

PROBLEM_JSON = "application/problem+json"


class ProblemFieldError(BaseModel):
    """One field's error inside a problem, as ``field_error`` builds it."""

    model_config = ConfigDict(populate_by_name=True)

    field: str = Field(description="出错的字段 / the field, dotted")
    pointer: str = Field(description="JSON Pointer to the field")
    message: str
    type: str
    in_: str | None = Field(
        default=None, alias="in", description="body / query / path / header / form"
    )


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error (``application/problem+json``)."""

    type: str = Field(description="about:blank")
    title: str
    status: int
    detail: str | None = Field(default=None, description="中文 / English")
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="字段级错误 / field-level errors (400, 409, 422)"
    )


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


# The framework's own errors (no route raises HTTPException) come with English phrases only;
# a detail that is already bilingual (the body-size limit's) is kept.
_FRAMEWORK_ERRORS = {
    400: ("Bad request", Msg("请求体无法解析", "the request body cannot be parsed")),
    404: ("Not found", Msg("路径不存在", "no such path")),
    405: ("Method not allowed", Msg("该路径不支持此方法", "method not allowed on this path")),
}


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    title, message = _FRAMEWORK_ERRORS.get(exc.status_code, ("Error", detail))
    if " / " in detail:
        message = detail
    if exc.status_code == 413:
        title = "Payload too large"
    response = problem(exc.status_code, title, message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _on_integrity(request: Request, exc: Exception) -> JSONResponse:
    # Services check uniqueness first; this only fires on a race between two writers.
    log.warning("integrity error on %s %s", request.method, request.url.path)
    return problem(409, "Conflict", Msg("与已有数据冲突", "conflicts with existing data"))


async def _on_operational(request: Request, exc: Exception) -> JSONResponse:
    # SQLite's single write lock stayed taken beyond the busy timeout: the request wrote
    # nothing (its transaction rolled back) and may simply be sent again.
    if "locked" in str(exc) or "busy" in str(exc):
        log.warning("database busy on %s %s", request.method, request.url.path)
        response = problem(
            503,
            "Service unavailable",
            Msg("数据库繁忙，请稍后重试", "the database is busy; retry shortly"),
        )
        response.headers["Retry-After"] = "2"
        return response
    return await _on_unexpected(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal server error", Msg("服务器内部错误", "internal error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(OperationalError, _on_operational)
    app.add_exception_handler(Exception, _on_unexpected)
