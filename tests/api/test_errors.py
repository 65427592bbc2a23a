"""Bad input gets a problem+json answer, never a 500 and never a partial write."""

import pytest
from fastapi.testclient import TestClient

from tests import factories as f

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def _assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    return dict(body)


def test_validation_problem_has_field_errors(client: TestClient) -> None:
    body = _assert_problem(client.post("/v1/institutions", json={"type": "university"}), 422)
    errors = body["errors"]
    assert isinstance(errors, list)
    assert {e["field"] for e in errors} == {"name", "region_code"}
    assert all({"field", "pointer", "message", "type"} <= set(e) for e in errors)


@pytest.mark.parametrize("field", ["name", "external_id"])
def test_nul_characters_are_rejected(client: TestClient, field: str) -> None:
    body = _assert_problem(
        client.post("/v1/institutions", json=f.institution(**{field: "a\x00b"})), 422
    )
    assert body["errors"][0]["field"] == field  # type: ignore[index]
    assert client.get("/v1/institutions").json()["total"] == 0


def test_over_long_fields_are_rejected(client: TestClient) -> None:
    response = client.post("/v1/patents", json=f.patent(title="长" * 501))
    assert _assert_problem(response, 422)["errors"][0]["field"] == "title"  # type: ignore[index]
    response = client.post("/v1/patents", json=f.patent(abstract="长" * 20_001))
    assert _assert_problem(response, 422)["errors"][0]["field"] == "abstract"  # type: ignore[index]


def test_malformed_json_and_wrong_types(client: TestClient) -> None:
    response = client.post(
        "/v1/patents", content=b"{oops", headers={"content-type": "application/json"}
    )
    _assert_problem(response, 422)
    _assert_problem(client.post("/v1/patents", json=[1, 2]), 422)
    _assert_problem(client.post("/v1/patents", json=f.patent(state_funded="maybe")), 422)
    _assert_problem(client.post("/v1/patents", json=f.patent(filing_date="2022-13-45")), 422)
    _assert_problem(client.post("/v1/patents", json=f.patent(asking_price="1e400")), 422)


@pytest.mark.parametrize(
    "path", ["/v1/patents/0", "/v1/patents/abc", "/v1/patents/99999999999999999999"]
)
def test_bad_ids_are_422(client: TestClient, path: str) -> None:
    _assert_problem(client.get(path), 422)


def test_not_found_and_wrong_method(client: TestClient) -> None:
    _assert_problem(client.get("/v1/patents/123456"), 404)
    _assert_problem(client.get("/v1/nothing-here"), 404)
    _assert_problem(client.put("/v1/patents/1", json={}), 405)


def test_body_size_limit(client: TestClient) -> None:
    # conftest sets max_body_bytes to 200 kB.
    response = client.post("/v1/patents", json=f.patent(abstract="x" * 300_000))
    _assert_problem(response, 413)


def test_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(client.get("/health").headers["x-request-id"]) == 32
