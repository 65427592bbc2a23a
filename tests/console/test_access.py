"""Role × route matrix for the console, generated from the route table like the API's.

Every console route must have a sample below. Without a session a page redirects to the
login form (other methods are 401); a signed-in role outside the route's rule is 403; an
allowed role gets < 400; and every unsafe request without the CSRF token is 403.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.models import Role
from tests.access_world import World
from tests.console.conftest import Console, ConsoleFor
from tests.imports.helpers import EXPORT
from tests.test_access_matrix import ROUTES

CONSOLE = [(m, p, r) for m, p, r in ROUTES if p.startswith("/console/") and r is not None]
Sample = Callable[[World], tuple[str, dict[str, Any] | None]]
LICENCE_FORM = {
    "fee_type": "one_off",
    "one_off_fee": "1000",
    "payment_method": "转账",
    "term_years": "2",
}

SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/console/logout"): lambda w: ("/console/logout", {}),
    ("GET", "/console/"): lambda w: ("/console/", None),
    ("GET", "/console/import"): lambda w: ("/console/import", None),
    ("POST", "/console/import"): lambda w: ("/console/import", {}),
    ("GET", "/console/import/template.xlsx"): lambda w: ("/console/import/template.xlsx", None),
    ("GET", "/console/import/{import_id}"): lambda w: (f"/console/import/{w.job}", None),
    ("GET", "/console/import/{import_id}/status"): lambda w: (
        f"/console/import/{w.job}/status",
        None,
    ),
    ("GET", "/console/import/{import_id}/errors.csv"): lambda w: (
        f"/console/import/{w.job}/errors.csv",
        None,
    ),
    ("GET", "/console/patents"): lambda w: ("/console/patents", None),
    ("GET", "/console/patents/{patent_id}"): lambda w: (f"/console/patents/{w.patent}", None),
    ("GET", "/console/patents/{patent_id}/open-license"): lambda w: (
        f"/console/patents/{w.free_patent}/open-license",
        None,
    ),
    ("POST", "/console/patents/{patent_id}/open-license"): lambda w: (
        f"/console/patents/{w.free_patent}/open-license",
        LICENCE_FORM,
    ),
    ("POST", "/console/open-licenses/{license_id}/withdraw"): lambda w: (
        f"/console/open-licenses/{w.licence}/withdraw",
        {},
    ),
    ("POST", "/console/open-licenses/{license_id}/accept"): lambda w: (
        f"/console/open-licenses/{w.licence}/accept",
        {},
    ),
    ("POST", "/console/patents/{patent_id}/feedback"): lambda w: (
        f"/console/patents/{w.patent}/feedback",
        {"intent": "license"},
    ),
    ("POST", "/console/patents/{patent_id}/watch"): lambda w: (
        f"/console/patents/{w.patent}/watch",
        {},
    ),
    ("POST", "/console/patents/{patent_id}/unwatch"): lambda w: (
        f"/console/patents/{w.other_patent}/unwatch",
        {},
    ),
    ("GET", "/console/matches"): lambda w: ("/console/matches", None),
    ("GET", "/console/enterprise"): lambda w: ("/console/enterprise", None),
    ("POST", "/console/enterprise/feed/{item_id}/{action}"): lambda w: (
        f"/console/enterprise/feed/{w.feed_item}/ack",
        {},
    ),
    ("GET", "/console/stats"): lambda w: ("/console/stats", None),
    ("GET", "/console/screening"): lambda w: ("/console/screening?years=2", None),
    ("GET", "/console/profiles"): lambda w: ("/console/profiles", None),
    ("GET", "/console/profiles/institutions/{institution_id}"): lambda w: (
        f"/console/profiles/institutions/{w.inst}",
        None,
    ),
    ("GET", "/console/profiles/enterprises/{enterprise_id}"): lambda w: (
        f"/console/profiles/enterprises/{w.ent}",
        None,
    ),
    ("GET", "/console/stats/export"): lambda w: ("/console/stats/export?format=csv", None),
}
BINDINGS: dict[Role, Callable[[World], dict[str, Any]]] = {
    Role.institution: lambda w: {"institution_id": w.inst},
    Role.enterprise: lambda w: {"enterprise_id": w.ent},
    Role.province: lambda w: {"province_code": "420000"},
}


def _send(console: Console, method: str, url: str, data: dict[str, Any] | None) -> Any:
    if method == "GET":
        return console.get(url)
    if url == "/console/import":  # the one multipart form
        files = {"file": ("e.csv", EXPORT.read_bytes())}
        return console.post(url, data={"csrf_token": console.csrf, **(data or {})}, files=files)
    return console.post_form(url, data)


@pytest.mark.parametrize("caller", [None, *Role], ids=lambda c: c or "anonymous")
@pytest.mark.parametrize(
    ("method", "path", "roles"), CONSOLE, ids=[f"{m} {p}" for m, p, _ in CONSOLE]
)
def test_console_matrix(
    anon: TestClient,
    console_for: ConsoleFor,
    world: World,
    method: str,
    path: str,
    roles: frozenset[Role],
    caller: Role | None,
) -> None:
    assert (method, path) in SAMPLES, f"add a console sample for {method} {path}"
    url, data = SAMPLES[(method, path)](world)
    if caller is None:
        response = anon.request(method, url, data=data, follow_redirects=False)
        if method == "GET":
            assert response.status_code == 303, response.text
            assert response.headers["location"].startswith("/console/login?next=")
        else:
            assert response.status_code == 401, response.text
        return
    console = console_for(caller, **BINDINGS.get(caller, lambda w: {})(world))
    response = _send(console, method, url, data)
    if caller not in roles:
        assert response.status_code == 403, response.text
        assert "无权访问" in response.text
    else:
        assert response.status_code < 400, response.text


UNSAFE = [(m, p, r) for m, p, r in CONSOLE if m != "GET"]


@pytest.mark.parametrize(
    ("method", "path", "roles"), UNSAFE, ids=[f"{m} {p}" for m, p, _ in UNSAFE]
)
def test_unsafe_requests_need_the_csrf_token(
    console_for: ConsoleFor, world: World, method: str, path: str, roles: frozenset[Role]
) -> None:
    role = sorted(roles)[0]
    console = console_for(role, **BINDINGS.get(role, lambda w: {})(world))
    url, data = SAMPLES[(method, path)](world)
    for token in (None, "forged"):
        form = dict(data or {}) | ({"csrf_token": token} if token else {})
        response = console.post(url, data=form)
        assert response.status_code == 403, response.text
        assert "表单已过期" in response.text
