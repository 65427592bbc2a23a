from fastapi.testclient import TestClient


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_reports_migration_head(client: TestClient) -> None:
    body = client.get("/ready").json()
    assert body["status"] == "ok" and body["migration"] == body["head"] is not None


def test_openapi_has_chinese_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schema = spec["components"]["schemas"]["PatentCreate"]
    assert schema["examples"][0]["application_number"] == "CN202121635235.X"
    assert "/v1/patents" in spec["paths"]
    assert client.get("/docs").status_code == 200
