"""A body over the cap is 413 whether or not it declares its length (issue 15, defect 13b).

Without Content-Length (Transfer-Encoding: chunked) the cap trips while FastAPI reads the
body, and FastAPI turned any error there into 400 "There was an error parsing the body".
"""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import MakeKey
from tests.console.conftest import sign_in


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        max_body_bytes=200_000,
        max_upload_bytes=1_000_000,
        max_bulk_bytes=500_000,
        index_dir=None,
    )


def _chunks(total: int, head: bytes = b"") -> Iterator[bytes]:
    yield head
    for _ in range(total // 65536):
        yield b"x" * 65536


def _multipart(total: int) -> Iterator[bytes]:
    yield (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    yield from _chunks(total)
    yield b"\r\n--b--\r\n"


def _assert_413(response: object) -> None:
    assert response.status_code == 413, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert "字节" in response.json()["detail"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/v1/patents", "/v1/patents/bulk", "/v1/match"])
def test_chunked_json_over_the_cap_is_413(client: TestClient, path: str) -> None:
    headers = {"content-type": "application/json"}
    response = client.post(path, content=_chunks(4 << 20, b'{"title": "'), headers=headers)
    assert "content-length" not in response.request.headers
    _assert_413(response)


def test_chunked_upload_over_the_cap_is_413(client: TestClient) -> None:
    headers = {"content-type": "multipart/form-data; boundary=b"}
    _assert_413(client.post("/v1/imports", content=_multipart(4 << 20), headers=headers))


def test_chunked_console_upload_over_the_cap_is_413(
    app: FastAPI, anon: TestClient, make_key: MakeKey
) -> None:
    console = sign_in(app, make_key("admin"))
    headers = {"content-type": "multipart/form-data; boundary=b"}
    response = console.post("/console/import", content=_multipart(4 << 20), headers=headers)
    assert response.status_code == 413, response.text


def test_chunked_body_under_the_cap_is_read(client: TestClient) -> None:
    body = b'{"text": "' + b"x" * 1000 + b'"}'
    headers = {"content-type": "application/json"}
    response = client.post("/v1/match", content=iter([body[:500], body[500:]]), headers=headers)
    assert response.status_code == 200, response.text
