"""The OpenAPI document lists the problem responses each operation really gives.

app/openapi.py derives them from the routes; here every operation is probed the ways it can
fail (no key, a role the rule leaves out, ids that do not exist, an oversized or unparsable
body, too many requests) and each answer's status must be one the operation documents, as
application/problem+json. The fuzz tests (tests/fuzz) check the same on generated input.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth.deps import PUBLIC_PATHS
from app.auth.models import Role
from app.config import Settings
from app.errors import PROBLEM_JSON
from app.main import create_app
from app.openapi import access_roles, api_routes
from tests import factories as f
from tests.conftest import MakeKey

SPEC = create_app(Settings(database_url="sqlite://")).openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
]
PUBLIC = PUBLIC_PATHS  # no Bearer key: /health, /ready, the secret Atom feed URL
MISSING_ID = "987654321"


def _id(op: tuple[str, str, Any]) -> str:
    return f"{op[0]} {op[1]}"


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", MISSING_ID, path)


def _documented(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"]}


def _assert_documented(response: Any, operation: dict[str, Any]) -> None:
    assert response.status_code in _documented(operation), response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM_JSON


def _roles(method: str, path: str, app: FastAPI) -> frozenset[Role] | None:
    for route_path, route in api_routes(app):
        if route_path == path and method in (route.methods or ()):
            return access_roles(route.dependant)
    return None


def test_every_error_response_is_a_problem() -> None:
    for method, path, operation in OPERATIONS:
        for status, response in operation["responses"].items():
            if int(status) < 400 or path in PUBLIC:
                continue
            schema = response["content"][PROBLEM_JSON]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, f"{method} {path} {status}"
            assert set(response["content"]) == {PROBLEM_JSON}
    assert "HTTPValidationError" not in SPEC["components"]["schemas"]
    assert {"type", "title", "status"} <= set(SPEC["components"]["schemas"]["Problem"]["required"])


def test_protected_operations_document_auth_and_rate_limit() -> None:
    for method, path, operation in OPERATIONS:
        if path not in PUBLIC:
            assert {401, 429} <= _documented(operation), f"{method} {path}"
            assert "Retry-After" in operation["responses"]["429"]["headers"]


@pytest.fixture
def keys(make_key: MakeKey, client: TestClient) -> dict[Role, str]:
    inst = f.create(client, "/v1/institutions", f.institution())["id"]
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    bindings: dict[Role, dict[str, Any]] = {
        Role.institution: {"institution_id": inst},
        Role.enterprise: {"enterprise_id": ent},
        Role.province: {"province_code": "420000"},
    }
    return {role: make_key(role, **bindings.get(role, {})) for role in Role}


def _request(client: TestClient, method: str, url: str, key: str | None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.request(method, url, headers={**headers, **kw.pop("headers", {})}, **kw)


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_failures_answer_documented_statuses(
    app: FastAPI, anon: TestClient, keys: dict[Role, str], op: tuple[str, str, Any]
) -> None:
    method, path, operation = op
    roles = _roles(method, path, app)
    if roles is None:
        pytest.skip("public")
    url = _url(path)
    _assert_documented(_request(anon, method, url, None), operation)  # 401
    for role in set(Role) - roles:  # 403
        _assert_documented(_request(anon, method, url, keys[role]), operation)
    allowed = keys[Role.admin if Role.admin in roles else min(roles)]
    _assert_documented(_request(anon, method, url, allowed), operation)  # 404 / 422
    if "requestBody" in operation:
        big = b'{"x": "' + b"x" * 300_000 + b'"}'  # conftest caps bodies at 200 kB
        json = {"content-type": "application/json"}
        for content in (big, b"\xff\xfe", b"{oops"):  # 413, 400, 422
            response = _request(anon, method, url, allowed, content=content, headers=json)
            _assert_documented(response, operation)


@pytest.fixture
def strict_client(
    settings: Settings, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"rate_limit_per_minute": 1})
    with TestClient(create_app(limited, session_factory)) as client:
        yield client


@pytest.mark.parametrize("op", OPERATIONS[:: max(1, len(OPERATIONS) // 12)], ids=_id)
def test_rate_limited_answers_are_documented(
    strict_client: TestClient, keys: dict[Role, str], op: tuple[str, str, Any]
) -> None:
    method, path, operation = op
    if path in PUBLIC:
        pytest.skip("public")
    url = _url(path)
    _request(strict_client, method, url, keys[Role.admin])
    response = _request(strict_client, method, url, keys[Role.admin])
    assert response.status_code == 429
    _assert_documented(response, operation)
