"""The error responses of every operation in the OpenAPI document, derived from its route.

Each route already says what it can fail with: its ``Access`` rule (401, 403, 429), its
path ids (404), whether it writes (409), its body (400, 413, 422)
and its parameters (422). Deriving the responses here keeps the document true for new
routes without anyone listing statuses by hand; ``tests/test_openapi_errors.py`` and the
fuzz tests' status-code check hold the derivation to what the app really answers.
"""

from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.auth.deps import Access
from app.auth.models import Role
from app.errors import PROBLEM_JSON, Problem

PROBLEM_REF = "#/components/schemas/Problem"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Bilingual, as the problem bodies are.
DESCRIPTIONS = {
    400: "请求体无法解析 / the request body cannot be parsed",
    401: "缺少、无效、过期或已吊销的 API 密钥 / missing, invalid, expired or revoked API key",
    403: "该角色无权执行此操作 / the key's role may not do this",
    404: "资源不存在或不在调用方的数据范围内 / not found, or outside the caller's scope",
    409: "与已有数据或资源状态冲突 / conflicts with existing data or the resource's state",
    413: "请求体过大 / the request body is too large",
    422: "参数无效，errors 列出每个字段 / invalid input; errors names each field",
    429: "请求过于频繁 / rate limit exceeded",
    503: "数据库繁忙，请稍后重试 / the database is busy; retry shortly",
}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "重试前等待的秒数 / seconds to wait",
            "schema": {"type": "integer"},
        }
    },
    503: {
        "Retry-After": {
            "description": "重试前等待的秒数 / seconds to wait",
            "schema": {"type": "integer"},
        }
    },
}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the problem responses of every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            add_error_responses(document, api_routes(app))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    contexts = routing.iter_route_contexts(app.routes)
    return [
        (str(c.path_format), c.original_route)
        for c in contexts
        if isinstance(c.original_route, APIRoute) and c.original_route.include_in_schema
    ]


def add_error_responses(document: dict[str, Any], routes: list[tuple[str, APIRoute]]) -> None:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for path, route in routes:
        for method in route.methods or ():
            operation = document["paths"].get(path, {}).get(method.lower())
            if operation is not None:
                _document(operation, error_statuses(route, method, operation, components))
    # FastAPI's own 422 body is replaced by the problem above in every operation.
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)


def _document(operation: dict[str, Any], statuses: set[int]) -> None:
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        response: dict[str, Any] = {
            "description": DESCRIPTIONS[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
        }
        if status in HEADERS:
            response["headers"] = HEADERS[status]
        responses[str(status)] = response


def error_statuses(
    route: APIRoute, method: str, operation: dict[str, Any], schemas: dict[str, Any]
) -> set[int]:
    """The problem statuses ``method route`` can answer, from what the route declares."""
    statuses: set[int] = set()
    roles = access_roles(route.dependant)
    if roles is not None:
        statuses |= {401, 429}
        if roles != frozenset(Role):
            statuses.add(403)
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    fields = [(p["name"], p.get("schema", {})) for p in parameters] + _body_fields(body, schemas)
    if any(p["in"] == "path" for p in parameters) or any(_is_row_id(*f) for f in fields):
        statuses.add(404)  # a row that does not exist or is outside the caller's scope
    if method in WRITE_METHODS and not getattr(route.endpoint, "panhuo_read_only", False):
        # 409: a Conflict rule, or a unique index losing a race; 503: on SQLite, the write
        # lock stayed taken beyond the busy timeout (nothing written; retry after a pause).
        statuses |= {409, 503}
    if body is not None:
        statuses |= {400, 413, 422}  # 400: bytes that are not JSON text or a form at all
    if parameters:
        statuses.add(422)
    return statuses


def _is_row_id(name: str, schema: dict[str, Any]) -> bool:
    """An integer (or list of integers) named ``*_id(s)``: a row the service looks up."""
    if not name.endswith(("_id", "_ids")):
        return False
    options = [schema, *schema.get("anyOf", [])]
    options += [o["items"] for o in options if isinstance(o.get("items"), dict)]
    return any(o.get("type") == "integer" for o in options)


def _body_fields(
    body: dict[str, Any] | None, schemas: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """Top-level fields of a JSON or form body (``$ref`` to a component or inline)."""
    fields: list[tuple[str, dict[str, Any]]] = []
    for media in (body or {}).get("content", {}).values():
        schema = media.get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            schema = schemas.get(ref.rsplit("/", 1)[1], {})
        fields.extend(schema.get("properties", {}).items())
    return fields


def access_roles(dependant: Dependant) -> frozenset[Role] | None:
    """The roles of the route's ``Access`` rule; None for a public route."""
    stack = [dependant]
    while stack:
        current = stack.pop()
        if isinstance(current.call, Access):
            return current.call.roles
        stack.extend(current.dependencies)
    return None
