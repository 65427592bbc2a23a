"""Inputs that used to answer 500 (issue 15, defect 5) now get a problem+json 4xx.

Ids go through one bounded type (1..2³¹-1), digits are ASCII only (``"²".isdigit()`` is
true but ``int("²")`` fails), and every free-text input rejects NUL, which PostgreSQL
cannot store.
"""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from tests import factories as f
from tests.conftest import MakeKey
from tests.console.conftest import sign_in
from tests.imports.helpers import EXPORT

BAD_IDS = ["0", "-1", str(2**31), str(2**63), "²", "١"]


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Loopback webhooks are allowed so a NUL in the URL's path reaches the database check.
    return Settings(
        database_url=database_url,
        max_body_bytes=200_000,
        index_dir=None,
        webhook_allow_networks=["127.0.0.0/8"],
    )


def _problem(response: object, status: int = 422) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    return dict(response.json())  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_institution_filter_on_patent_matches(client: TestClient, bad: str) -> None:
    patent = f.create(client, "/v1/patents", f.patent())["id"]
    response = client.get(f"/v1/patents/{patent}/matches", params={"institution_id": bad})
    errors = _problem(response)["errors"]
    assert errors[0]["field"] == "institution_id.0"  # type: ignore[index]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_ids_in_every_id_query_parameter(client: TestClient, bad: str) -> None:
    for path, name in [
        ("/v1/patents", "institution_id"),
        ("/v1/needs", "enterprise_id"),
        ("/v1/deals", "patent_id"),
        ("/v1/stats/summary", "institution_id"),
        ("/v1/audit-log", "key_id"),
        ("/v1/needs/1/matches", "institution_id"),
    ]:
        _problem(client.get(path, params={name: bad}))


def test_every_id_parameter_is_bounded(app: FastAPI) -> None:
    """Ids in paths, queries and forms share one type: 1..2³¹-1 (the INTEGER id columns)."""
    found = 0
    for path, ops in app.openapi()["paths"].items():
        for op in ops.values():
            for param in op.get("parameters", []):
                if not param["name"].endswith("_id"):
                    continue
                schema = param["schema"]
                schema = schema.get("items", schema)
                schema = next(iter(schema.get("anyOf", [])), schema)
                if schema["type"] != "integer":
                    continue  # the audit log's resource_id is a string
                assert (schema["minimum"], schema["maximum"]) == (1, 2**31 - 1), (path, param)
                found += 1
    assert found > 50


@pytest.mark.parametrize("cursor", ["²", "١٢", "9999999999999999999", "-1", " 1"])
def test_bad_feed_cursor(client: TestClient, cursor: str) -> None:
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    response = client.get(f"/v1/enterprises/{ent}/feed", params={"cursor": cursor})
    assert _problem(response)["errors"][0]["field"] == "cursor"  # type: ignore[index]


@pytest.mark.parametrize("bad", ["²", "١", "0", str(2**31), str(2**63)])
def test_console_import_with_bad_institution_id(
    app: FastAPI, anon: TestClient, make_key: MakeKey, bad: str
) -> None:
    console = sign_in(app, make_key("admin"))
    response = console.post_form(
        "/console/import",
        data={"institution_id": bad},
        files={"file": ("export.csv", EXPORT.read_bytes())},
    )
    assert response.status_code == 200, response.text
    assert 'id="err-institution_id"' in response.text


def test_nul_in_webhook_url_and_secret(client: TestClient) -> None:
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    path = f"/v1/enterprises/{ent}/webhooks"
    response = client.post(path, json={"url": "http://127.0.0.1/h\x00ook"})
    assert _problem(response)["errors"][0]["field"] == "url"  # type: ignore[index]
    response = client.post(path, json={"url": "http://127.0.0.1/h", "secret": "whsec_\x00"})
    assert _problem(response)["errors"][0]["field"] == "secret"  # type: ignore[index]
    assert client.get(path).json()["total"] == 0


def test_nul_in_import_encoding(client: TestClient) -> None:
    data = EXPORT.read_bytes()
    response = client.post(
        "/v1/imports", files={"file": ("export.csv", data)}, params={"encoding": "utf\x008"}
    )
    assert _problem(response)["errors"][0]["field"] == "encoding"  # type: ignore[index]
    assert client.get("/v1/imports/1").status_code == 404


def test_nul_in_import_filename(client: TestClient) -> None:
    data = EXPORT.read_bytes()
    # httpx would percent-encode the NUL; a raw multipart body carries it as sent.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="ex\x00port.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n--b--\r\n"
    )
    headers = {"content-type": "multipart/form-data; boundary=b"}
    response = client.post("/v1/imports", content=body, headers=headers)
    assert _problem(response)["errors"][0]["field"] == "file"  # type: ignore[index]
    assert client.get("/v1/imports/1").status_code == 404
