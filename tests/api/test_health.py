from collections.abc import Callable

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


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


def test_ready_is_503_before_migrations(fresh_database_url: Callable[[], str]) -> None:
    app = create_app(Settings(database_url=fresh_database_url()))
    with TestClient(app) as http:
        response = http.get("/ready")
    assert response.status_code == 503
    assert response.json()["migration"] is None
