"""Keys: shown once, hashed, revocable, expiring; rate limits; audit; the development key."""

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.auth import devkey
from app.auth.models import ApiKey
from app.config import DEFAULT_SQLITE_URL, Settings
from app.db import utcnow
from app.main import create_app
from tests import factories as f


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_key_is_shown_once_and_stored_hashed(client: TestClient, db: Session) -> None:
    created = client.post("/v1/api-keys", json={"name": "门户", "role": "portal"}).json()
    secret = created["key"]
    assert secret.startswith("pk_") and len(secret) > 40
    assert "key" not in client.get(f"/v1/api-keys/{created['id']}").json()
    assert secret not in client.get("/v1/api-keys").text
    stored = db.scalar(select(ApiKey).where(ApiKey.id == created["id"]))
    assert stored is not None and secret not in (stored.key_hash, stored.prefix)
    assert client.get("/v1/patents", headers=_bearer(secret)).status_code == 200


def test_revoked_key_is_401(client: TestClient, anon: TestClient) -> None:
    created = client.post("/v1/api-keys", json={"name": "x", "role": "portal"}).json()
    assert anon.get("/v1/patents", headers=_bearer(created["key"])).status_code == 200
    revoked = client.post(f"/v1/api-keys/{created['id']}/revoke").json()
    assert revoked["revoked_at"] is not None
    response = anon.get("/v1/patents", headers=_bearer(created["key"]))
    assert response.status_code == 401
    assert created["key"] not in response.text


def test_expired_key_is_401(
    client: TestClient, anon: TestClient, session_factory: sessionmaker[Session]
) -> None:
    expires = (utcnow() + timedelta(hours=1)).isoformat()
    created = client.post(
        "/v1/api-keys", json={"name": "x", "role": "portal", "expires_at": expires}
    ).json()
    assert anon.get("/v1/patents", headers=_bearer(created["key"])).status_code == 200
    with session_factory() as session, session.begin():
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == created["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert anon.get("/v1/patents", headers=_bearer(created["key"])).status_code == 401
    past = client.post(
        "/v1/api-keys", json={"name": "x", "role": "portal", "expires_at": "2020-01-01T00:00:00Z"}
    )
    assert past.status_code == 422


@pytest.mark.parametrize("header", ["Bearer pk_nope", "Basic abc", "Bearer", "pk_only"])
def test_bad_credentials_are_401_and_not_logged(
    anon: TestClient, header: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = anon.get("/v1/patents", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "pk_nope" not in caplog.text


def test_rate_limit_per_key(
    database_url: str, session_factory: sessionmaker[Session], make_key: Callable[..., str]
) -> None:
    app = create_app(Settings(database_url=database_url, rate_limit_per_minute=3), session_factory)
    first, second = make_key("portal"), make_key("portal")
    with TestClient(app) as http:
        codes = [http.get("/v1/patents", headers=_bearer(first)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = http.get("/v1/patents", headers=_bearer(first))
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert http.get("/v1/patents", headers=_bearer(second)).status_code == 200


def test_audit_log_records_writes(
    client: TestClient, client_for: Callable[..., TestClient], db: Session
) -> None:
    inst_id = f.create(client, "/v1/institutions", f.institution())["id"]
    inst = client_for("institution", institution_id=inst_id)
    created = inst.post("/v1/patents", json=f.patent(), headers={"X-Request-ID": "req-42"})
    patent_id = created.json()["id"]
    inst.patch(f"/v1/patents/{patent_id}", json={"asking_price": "99.00", "title": "新标题"})
    inst.delete(f"/v1/patents/{patent_id}")
    entries = client.get(f"/v1/audit-log?resource_type=patent&resource_id={patent_id}").json()
    actions = [(e["action"], e["role"], e["fields"]) for e in entries["items"]]
    assert actions == [
        ("delete", "institution", []),
        ("update", "institution", ["asking_price", "title"]),
        ("create", "institution", []),
    ]
    create_entry = entries["items"][-1]
    assert create_entry["request_id"] == "req-42" and create_entry["key_id"] is not None
    assert "99.00" not in client.get("/v1/audit-log").text  # names of fields, never values


def test_dev_key_only_on_the_default_sqlite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(devkey, "DEV_KEY_PATH", tmp_path / "dev-admin-key")
    key = devkey.ensure_dev_key()
    assert devkey.ensure_dev_key() == key  # stable across restarts
    assert devkey.is_dev_key(Settings(database_url=DEFAULT_SQLITE_URL), key)
    postgres = Settings(database_url="postgresql://db.example/panhuo")
    assert not devkey.is_dev_key(postgres, key)
    assert not devkey.is_dev_key(Settings(database_url=DEFAULT_SQLITE_URL), key + "x")


def test_security_headers_on_docs(anon: TestClient) -> None:
    docs = anon.get("/docs")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"
    assert anon.get("/health").headers["x-content-type-options"] == "nosniff"


def test_every_model_declares_its_audit_resource() -> None:
    import app.models  # noqa: F401
    from app.db import Base

    undeclared = [
        m.class_.__name__
        for m in Base.registry.mappers
        if "__audit_resource__" not in vars(m.class_)
    ]
    assert undeclared == [], "declare __audit_resource__ (None to exempt child rows)"


def test_cli_create_key_bootstraps_an_admin(
    fresh_database_url: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app import cli
    from app.config import get_settings
    from app.migrate import upgrade_head

    database_url = fresh_database_url()  # the CLI commits, so not the shared test database
    upgrade_head(database_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        assert cli.main(["admin", "create-key", "--role", "admin", "--name", "bootstrap"]) == 0
        assert cli.main(["admin", "create-key", "--role", "institution"]) == 2
    finally:
        get_settings.cache_clear()
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as http:
        keys = http.get("/v1/api-keys", headers=_bearer(secret)).json()
    assert [(k["name"], k["role"]) for k in keys["items"]] == [("bootstrap", "admin")]
