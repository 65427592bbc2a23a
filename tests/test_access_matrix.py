"""Role × route matrix, generated from the app's route table.

A route with no ``Access`` rule (and not public) fails ``test_every_route_declares_access``;
a route with no sample request below fails the matrix, so new routes cannot be forgotten.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import routing
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth.deps import PUBLIC_PATHS, Access
from app.auth.models import Role
from app.config import Settings
from app.console.security import CONSOLE_PUBLIC_PATHS, ConsoleAccess
from app.main import create_app
from tests import access_world
from tests import factories as f
from tests.access_world import World
from tests.imports.helpers import EXPORT


def _access_roles(route: APIRoute) -> frozenset[Role] | None:
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        # Console pages sign in by cookie: tests/console/test_access.py walks them.
        if isinstance(dependant.call, Access | ConsoleAccess):
            return dependant.call.roles
        stack.extend(dependant.dependencies)
    return None


def _api_routes() -> list[APIRoute]:
    app = create_app(Settings(database_url="sqlite://"))
    # FastAPI >= 0.16x keeps included routers nested; iter_route_contexts flattens them.
    contexts = routing.iter_route_contexts(app.routes)
    return [c.original_route for c in contexts if isinstance(c.original_route, APIRoute)]


ROUTES = [
    (method, route.path, _access_roles(route))
    for route in _api_routes()
    for method in sorted(route.methods or ())
]

Sample = Callable[[World], tuple[str, Any]]


def _own_enterprise(sample: Sample) -> Sample:
    """Feeds routes live under enterprise 1 (the enterprise key's own)."""

    def full(w: World) -> tuple[str, Any]:
        path, body = sample(w)
        return f"/v1/enterprises/{w.ent}{path}", body

    return full


# One request per route that the route's allowed roles may make on their own rows:
# the institution key owns w.inst, the enterprise key w.ent, the province key is Hubei.
SAMPLES: dict[tuple[str, str], Sample] = {
    ("GET", "/v1/institutions"): lambda w: ("/v1/institutions", None),
    ("POST", "/v1/institutions"): lambda w: ("/v1/institutions", f.institution()),
    ("GET", "/v1/institutions/{institution_id}"): lambda w: (f"/v1/institutions/{w.inst}", None),
    ("PATCH", "/v1/institutions/{institution_id}"): lambda w: (
        f"/v1/institutions/{w.inst}",
        {"name": "改名"},
    ),
    ("DELETE", "/v1/institutions/{institution_id}"): lambda w: (
        f"/v1/institutions/{w.empty_inst}",
        None,
    ),
    ("GET", "/v1/patents"): lambda w: ("/v1/patents", None),
    ("POST", "/v1/patents"): lambda w: ("/v1/patents", f.patent()),
    ("GET", "/v1/patents/{patent_id}"): lambda w: (f"/v1/patents/{w.patent}", None),
    ("PATCH", "/v1/patents/{patent_id}"): lambda w: (
        f"/v1/patents/{w.patent}",
        {"value_grade": "A"},
    ),
    ("DELETE", "/v1/patents/{patent_id}"): lambda w: (f"/v1/patents/{w.free_patent}", None),
    ("GET", "/v1/enterprises"): lambda w: ("/v1/enterprises", None),
    ("POST", "/v1/enterprises"): lambda w: ("/v1/enterprises", f.enterprise()),
    ("GET", "/v1/enterprises/{enterprise_id}"): lambda w: (f"/v1/enterprises/{w.ent}", None),
    ("PATCH", "/v1/enterprises/{enterprise_id}"): lambda w: (
        f"/v1/enterprises/{w.ent}",
        {"size": "small"},
    ),
    ("DELETE", "/v1/enterprises/{enterprise_id}"): lambda w: (
        f"/v1/enterprises/{w.other_ent}",
        None,
    ),
    ("GET", "/v1/needs"): lambda w: ("/v1/needs", None),
    ("POST", "/v1/needs"): lambda w: ("/v1/needs", f.need(w.ent)),
    ("GET", "/v1/needs/{need_id}"): lambda w: (f"/v1/needs/{w.need}", None),
    ("PATCH", "/v1/needs/{need_id}"): lambda w: (f"/v1/needs/{w.need}", {"status": "closed"}),
    ("DELETE", "/v1/needs/{need_id}"): lambda w: (f"/v1/needs/{w.need}", None),
    ("GET", "/v1/api-keys"): lambda w: ("/v1/api-keys", None),
    ("POST", "/v1/api-keys"): lambda w: ("/v1/api-keys", {"name": "新密钥", "role": "portal"}),
    ("GET", "/v1/api-keys/{key_id}"): lambda w: (f"/v1/api-keys/{w.key}", None),
    ("POST", "/v1/api-keys/{key_id}/revoke"): lambda w: (f"/v1/api-keys/{w.key}/revoke", None),
    ("GET", "/v1/audit-log"): lambda w: ("/v1/audit-log", None),
    ("POST", "/v1/match"): lambda w: ("/v1/match", {"text": "无人机巡检"}),
    ("GET", "/v1/needs/{need_id}/matches"): lambda w: (f"/v1/needs/{w.need}/matches", None),
    ("GET", "/v1/patents/{patent_id}/matches"): lambda w: (f"/v1/patents/{w.patent}/matches", None),
    ("POST", "/v1/match-runs"): lambda w: ("/v1/match-runs", {"need_ids": [w.need]}),
    ("GET", "/v1/match-runs/{run_id}"): lambda w: (f"/v1/match-runs/{w.run}", None),
    ("GET", "/v1/match-runs/{run_id}/results"): lambda w: (f"/v1/match-runs/{w.run}/results", None),
    ("POST", "/v1/push-runs"): lambda w: (
        "/v1/push-runs",
        {"enterprises": {"ids": [w.ent]}, "per_enterprise": 1},
    ),
    ("GET", "/v1/push-runs"): lambda w: ("/v1/push-runs", None),
    ("GET", "/v1/push-runs/{run_id}"): lambda w: (f"/v1/push-runs/{w.push_run}", None),
    ("GET", "/v1/push-runs/{run_id}/partitions"): lambda w: (
        f"/v1/push-runs/{w.push_run}/partitions",
        None,
    ),
    ("POST", "/v1/admin/index/rebuild"): lambda w: ("/v1/admin/index/rebuild", None),
    ("GET", "/v1/imports/template.xlsx"): lambda w: ("/v1/imports/template.xlsx", None),
    ("GET", "/v1/imports"): lambda w: ("/v1/imports", None),
    ("GET", "/v1/imports/{import_id}"): lambda w: (f"/v1/imports/{w.job}", None),
    ("GET", "/v1/imports/{import_id}/errors"): lambda w: (f"/v1/imports/{w.job}/errors", None),
    ("GET", "/v1/enterprise-imports/template.xlsx"): lambda w: (
        "/v1/enterprise-imports/template.xlsx",
        None,
    ),
    ("GET", "/v1/enterprise-imports"): lambda w: ("/v1/enterprise-imports", None),
    ("GET", "/v1/enterprise-imports/{import_id}"): lambda w: (
        f"/v1/enterprise-imports/{w.enterprise_job}",
        None,
    ),
    ("GET", "/v1/enterprise-imports/{import_id}/errors"): lambda w: (
        f"/v1/enterprise-imports/{w.enterprise_job}/errors",
        None,
    ),
    ("POST", "/v1/patents/bulk"): lambda w: ("/v1/patents/bulk", [f.patent()]),
    ("POST", "/v1/patents/{patent_id}/feedback"): lambda w: (
        f"/v1/patents/{w.patent}/feedback",
        {"intent": "license"},
    ),
    ("GET", "/v1/patents/{patent_id}/feedback"): lambda w: (
        f"/v1/patents/{w.patent}/feedback",
        None,
    ),
    ("GET", "/v1/patents/{patent_id}/ratings"): lambda w: (f"/v1/patents/{w.patent}/ratings", None),
    ("POST", "/v1/patents/{patent_id}/open-license"): lambda w: (
        f"/v1/patents/{w.free_patent}/open-license",
        OPEN_LICENCE,
    ),
    ("GET", "/v1/patents/{patent_id}/open-licenses"): lambda w: (
        f"/v1/patents/{w.patent}/open-licenses",
        None,
    ),
    ("GET", "/v1/open-licenses/{license_id}"): lambda w: (f"/v1/open-licenses/{w.licence}", None),
    ("POST", "/v1/open-licenses/{license_id}/withdraw"): lambda w: (
        f"/v1/open-licenses/{w.licence}/withdraw",
        None,
    ),
    ("POST", "/v1/open-licenses/{license_id}/acceptances"): lambda w: (
        f"/v1/open-licenses/{w.licence}/acceptances",
        None,
    ),
    ("GET", "/v1/open-licenses/{license_id}/acceptances"): lambda w: (
        f"/v1/open-licenses/{w.licence}/acceptances",
        None,
    ),
    ("GET", "/v1/enterprises/{enterprise_id}/open-license-acceptances"): lambda w: (
        f"/v1/enterprises/{w.ent}/open-license-acceptances",
        None,
    ),
    ("POST", "/v1/deals"): lambda w: (
        "/v1/deals",
        {"patent_ids": [w.patent], "enterprise_id": w.ent, "type": "ordinary_license"},
    ),
    ("GET", "/v1/deals"): lambda w: ("/v1/deals", None),
    ("GET", "/v1/deals/{deal_id}"): lambda w: (f"/v1/deals/{w.deal}", None),
    ("POST", "/v1/deals/{deal_id}/transition"): lambda w: (
        f"/v1/deals/{w.deal}/transition",
        {"status": "negotiating"},
    ),
}
SAMPLES.update(
    {
        ("GET", "/v1/stats/summary"): lambda w: ("/v1/stats/summary", None),
        ("GET", "/v1/stats/export"): lambda w: ("/v1/stats/export?format=csv", None),
        ("GET", "/v1/patents/screening/high-value"): lambda w: (
            "/v1/patents/screening/high-value",
            None,
        ),
        ("GET", "/v1/patents/screening/sleeping"): lambda w: (
            "/v1/patents/screening/sleeping",
            None,
        ),
        ("GET", "/v1/institutions/{institution_id}/profile"): lambda w: (
            f"/v1/institutions/{w.inst}/profile",
            None,
        ),
        ("GET", "/v1/enterprises/{enterprise_id}/profile"): lambda w: (
            f"/v1/enterprises/{w.ent}/profile",
            None,
        ),
        ("GET", "/v1/enterprises/{enterprise_id}/recommendations"): lambda w: (
            f"/v1/enterprises/{w.ent}/recommendations",
            None,
        ),
    }
)
OPEN_LICENCE: dict[str, Any] = {
    "fee_type": "one_off",
    "one_off_fee": "80000",
    "payment_method": "银行转账",
    "term_years": 3,
}
# Feeds routes, under the enterprise key's own enterprise.
SAMPLES.update(
    {
        (method, f"/v1/enterprises/{{enterprise_id}}{path}"): _own_enterprise(sample)
        for (method, path), sample in {
            ("POST", "/watchlist/{patent_id}"): lambda w: (f"/watchlist/{w.patent}", None),
            ("DELETE", "/watchlist/{patent_id}"): lambda w: (
                f"/watchlist/{w.other_patent}",
                None,
            ),
            ("GET", "/watchlist"): lambda w: ("/watchlist", None),
            ("POST", "/subscriptions"): lambda w: (
                "/subscriptions",
                {"name": "新订阅", "keywords": ["无人机"]},
            ),
            ("GET", "/subscriptions"): lambda w: ("/subscriptions", None),
            ("GET", "/subscriptions/{subscription_id}"): lambda w: (
                f"/subscriptions/{w.subscription}",
                None,
            ),
            ("PATCH", "/subscriptions/{subscription_id}"): lambda w: (
                f"/subscriptions/{w.subscription}",
                {"quota": 5},
            ),
            ("POST", "/subscriptions/{subscription_id}/pause"): lambda w: (
                f"/subscriptions/{w.subscription}/pause",
                None,
            ),
            ("POST", "/subscriptions/{subscription_id}/resume"): lambda w: (
                f"/subscriptions/{w.subscription}/resume",
                None,
            ),
            ("DELETE", "/subscriptions/{subscription_id}"): lambda w: (
                f"/subscriptions/{w.subscription}",
                None,
            ),
            ("GET", "/feed"): lambda w: ("/feed", None),
            ("GET", "/feed.atom"): lambda w: ("/feed.atom", None),
            ("GET", "/feed/digest"): lambda w: ("/feed/digest", None),
            ("POST", "/feed-token"): lambda w: ("/feed-token", None),
            ("DELETE", "/feed-token"): lambda w: ("/feed-token", None),
            ("POST", "/feed/read"): lambda w: ("/feed/read", {"item_ids": [w.feed_item]}),
            ("POST", "/feed/ack"): lambda w: ("/feed/ack", {"item_ids": [w.feed_item]}),
            ("POST", "/webhooks"): lambda w: (
                "/webhooks",
                {"url": "https://93.184.215.14/hooks/panhuo"},
            ),
            ("GET", "/webhooks"): lambda w: ("/webhooks", None),
            ("GET", "/webhooks/{webhook_id}"): lambda w: (f"/webhooks/{w.webhook}", None),
            ("PATCH", "/webhooks/{webhook_id}"): lambda w: (
                f"/webhooks/{w.webhook}",
                {"active": False},
            ),
            ("DELETE", "/webhooks/{webhook_id}"): lambda w: (f"/webhooks/{w.webhook}", None),
            ("GET", "/webhooks/{webhook_id}/deliveries"): lambda w: (
                f"/webhooks/{w.webhook}/deliveries",
                None,
            ),
            ("POST", "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): lambda w: (
                f"/webhooks/{w.webhook}/deliveries/{w.delivery}/redeliver",
                None,
            ),
        }.items()
    }
)
# Routes taking a multipart upload instead of JSON.
UPLOADS: dict[tuple[str, str], Sample] = {
    ("POST", "/v1/imports"): lambda w: ("/v1/imports", {"file": ("e.csv", EXPORT.read_bytes())}),
    ("POST", "/v1/enterprise-imports"): lambda w: (
        "/v1/enterprise-imports",
        {"file": ("e.csv", "企业名称,统一社会信用代码,所在地区\n".encode())},
    ),
}


def test_every_route_declares_access() -> None:
    public = PUBLIC_PATHS | CONSOLE_PUBLIC_PATHS
    undeclared = [f"{m} {p}" for m, p, roles in ROUTES if roles is None and p not in public]
    assert undeclared == [], "routes without an Access rule"


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    with session_factory() as session, session.begin():
        return access_world.build(session)


def _binding(role: Role, world: World) -> dict[str, Any]:
    bindings: dict[Role, dict[str, Any]] = {
        Role.institution: {"institution_id": world.inst},
        Role.enterprise: {"enterprise_id": world.ent},
        Role.province: {"province_code": "420000"},
    }
    return bindings.get(role, {})


PROTECTED = [
    (m, p, roles)
    for m, p, roles in ROUTES
    if roles is not None and not p.startswith("/console/")  # tests/console/test_access.py
]


@pytest.mark.parametrize("caller", [None, *Role], ids=lambda c: c or "anonymous")
@pytest.mark.parametrize(
    ("method", "path", "roles"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED]
)
def test_role_matrix(
    anon: TestClient,
    client_for: Callable[..., TestClient],
    world: World,
    method: str,
    path: str,
    roles: frozenset[Role],
    caller: Role | None,
) -> None:
    key = (method, path)
    assert key in SAMPLES or key in UPLOADS, f"add a sample request for {method} {path}"
    client = anon if caller is None else client_for(caller, **_binding(caller, world))
    if key in UPLOADS:
        url, files = UPLOADS[key](world)
        response = client.request(method, url, files=files)
    else:
        url, body = SAMPLES[key](world)
        response = client.request(method, url, json=body)
    if caller is None:
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
    elif caller not in roles:
        assert response.status_code == 403, response.text
    else:
        assert response.status_code < 400, response.text
