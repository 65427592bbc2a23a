"""Feeds tests: loopback webhooks allowed, fast retries, a local receiver, a worker."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.feeds.worker import Worker
from tests import factories as f

LOOPBACK = ["127.0.0.0/8", "::1/128"]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        max_body_bytes=200_000,
        index_dir=None,
        webhook_allow_networks=LOOPBACK,
        webhook_retry_base_seconds=0.01,
        outbound_timeout_seconds=2.0,
    )


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """A webhook receiver on a loopback port. ``statuses`` are answered in turn, then 200;
    while ``hold`` is clear every request waits (a receiver in mid-request)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]

    def unique(self) -> dict[str, Received]:
        """What a receiver deduping on webhook-id processes: the first of each id."""
        seen: dict[str, Received] = {}
        for r in self.received:
            seen.setdefault(r.headers["webhook-id"], r)
        return seen


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with receiver.lock:
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            receiver.hold.wait(30)
            self.send_response(status)
            if status in (301, 302, 307):
                self.send_header("location", "http://127.0.0.1:9/elsewhere")
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    rec.hold.set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    server.daemon_threads = True
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/panhuo"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    rec.hold.set()
    server.shutdown()
    server.server_close()


def verify(secret: str, received: Received, tolerance: int = 300) -> None:
    """Standard Webhooks verification, written from the spec rather than from app code."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, stamp = received.headers["webhook-id"], received.headers["webhook-timestamp"]
    assert abs(time.time() - int(stamp)) < tolerance
    signed = f"{msg_id}.{stamp}.".encode() + received.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = received.headers["webhook-signature"].split(" ")
    assert any(hmac.compare_digest(f"v1,{expected}", sig) for sig in offered)


RunWorker = Callable[[], int]


@pytest.fixture
def run_worker(
    app: FastAPI, anon: TestClient, session_factory: sessionmaker[Session], settings: Settings
) -> Iterator[RunWorker]:
    """Run the feed worker (producer, deliveries, digests) until it is idle."""
    worker = Worker(session_factory, app.state.match_engine, settings)
    yield worker.run_until_idle
    worker.stop()


@dataclass
class Shop:
    """An enterprise with a key-holding client, and an institution to own patents."""

    enterprise_id: int
    client: TestClient
    institution_id: int


@pytest.fixture
def shop(client: TestClient, client_for: Callable[..., TestClient]) -> Shop:
    ent = f.create(client, "/v1/enterprises", f.enterprise(region_code="420100"))["id"]
    inst = f.create(client, "/v1/institutions", f.institution())["id"]
    return Shop(ent, client_for("enterprise", enterprise_id=ent), inst)


def subscribe(shop: Shop, **criteria: Any) -> dict[str, Any]:
    body = {"name": "订阅", **criteria}
    return f.create(shop.client, f"/v1/enterprises/{shop.enterprise_id}/subscriptions", body)


def add_webhook(shop: Shop, url: str, **over: Any) -> dict[str, Any]:
    return f.create(
        shop.client, f"/v1/enterprises/{shop.enterprise_id}/webhooks", {"url": url, **over}
    )


def import_patents(client: TestClient, institution_id: int, *bodies: dict[str, Any]) -> list[int]:
    # Bulk rows carry lists as ";"-separated cells, as the spreadsheets do.
    items = [
        {k: ";".join(v) if isinstance(v, list) else v for k, v in b.items()}
        | {"institution_id": institution_id}
        for b in bodies
    ]
    response = client.post("/v1/patents/bulk", json=items)
    assert response.status_code < 300, response.text
    results = response.json()["items"]
    assert all(r["status"] != "failed" for r in results), results
    return [r["patent_id"] for r in results]


def feed(shop: Shop, **params: Any) -> list[dict[str, Any]]:
    response = shop.client.get(
        f"/v1/enterprises/{shop.enterprise_id}/feed", params={"limit": 100, **params}
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
