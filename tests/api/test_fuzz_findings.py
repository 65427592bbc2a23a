"""Inputs the fuzz tests (tests/fuzz) found answering 500, each kept as a plain test."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests import factories as f


@pytest.fixture
def ids(client: TestClient) -> dict[str, int]:
    inst = f.create(client, "/v1/institutions", f.institution())["id"]
    patent = f.create(client, "/v1/patents", f.patent(institution_id=inst))["id"]
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    need = f.create(client, "/v1/needs", f.need(ent))["id"]
    return {"patent": patent, "need": need, "enterprise": ent}


@pytest.mark.parametrize("value", ["0", "-1", str(2**63), "9" * 30])
@pytest.mark.parametrize("path", ["/v1/patents/{patent}/matches", "/v1/needs/{need}/matches"])
def test_out_of_range_institution_filter_is_422(
    client: TestClient, ids: dict[str, int], path: str, value: str
) -> None:
    response = client.get(path.format(**ids), params={"institution_id": value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "institution_id.0"


# Id columns are INTEGER: PostgreSQL refused 2^31 and above with "integer out of range".
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/institutions/{big}", None),
        ("GET", "/v1/patents?institution_id={big}", None),
        ("GET", "/v1/needs?enterprise_id={big}", None),
        ("GET", "/v1/patents/{patent}/matches?institution_id={big}", None),
        ("POST", "/v1/needs", {"enterprise_id": "{big}", "title": "无人机巡检"}),
    ],
)
def test_ids_beyond_the_id_columns_are_422(
    client: TestClient, ids: dict[str, int], method: str, path: str, body: object
) -> None:
    values = {**ids, "big": 2**31}
    if isinstance(body, dict):
        body = {k: int(v.format(**values)) if v == "{big}" else v for k, v in body.items()}
    response = client.request(method, path.format(**values), json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("cursor", ["²", "٣x", str(2**31), "9999999999999999999"])
def test_bad_feed_cursors_are_422(client: TestClient, ids: dict[str, int], cursor: str) -> None:
    url = f"/v1/enterprises/{ids['enterprise']}/feed"
    response = client.get(url, params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "cursor"


def test_enterprise_matches_after_its_positive_feedback(
    client: TestClient, client_for: Callable[..., TestClient], ids: dict[str, int]
) -> None:
    """Found by the live-server run: dict() over a Result read it as a mapping (500)."""
    enterprise = client_for("enterprise", enterprise_id=ids["enterprise"])
    body = {"intent": "license"}
    assert enterprise.post(f"/v1/patents/{ids['patent']}/feedback", json=body).status_code == 201
    assert enterprise.post("/v1/match", json={"text": "无人机巡检"}).status_code == 200
    assert enterprise.get(f"/v1/needs/{ids['need']}/matches").status_code == 200
