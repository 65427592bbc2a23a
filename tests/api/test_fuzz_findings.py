"""Inputs the fuzz tests (tests/fuzz) found answering 500, each kept as a plain test."""

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
