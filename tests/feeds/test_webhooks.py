"""Webhooks: SSRF refusals, retries with backoff, failing endpoints, log and redelivery."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import utcnow
from app.feeds import delivery, digest, webhook_security
from app.feeds.models import FeedItem, WebhookDelivery
from tests import factories as f
from tests.feeds.conftest import (
    Receiver,
    RunWorker,
    Shop,
    add_webhook,
    import_patents,
    subscribe,
    verify,
)
from tests.feeds.test_push import DRONE


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "http://user:secret@example.com/hook",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "https:///no-host",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_ssrf_refusals(url: str) -> None:
    with pytest.raises(webhook_security.Refused):
        webhook_security.resolve(url, allow=[])


def test_allow_list_and_pinning() -> None:
    target = webhook_security.resolve("https://127.0.0.1:8443/a?b=1", allow=["127.0.0.0/8"])
    assert target.url == "https://127.0.0.1:8443/a?b=1" and target.sni == "127.0.0.1"
    with pytest.raises(webhook_security.Refused):
        webhook_security.resolve("http://10.0.0.1/", allow=["127.0.0.0/8"])


def test_api_refuses_private_url_and_bad_secret(shop: Shop) -> None:
    path = f"/v1/enterprises/{shop.enterprise_id}/webhooks"
    refused = shop.client.post(path, json={"url": "http://10.0.0.8/hook"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "url"
    creds = shop.client.post(path, json={"url": "http://a:b@127.0.0.1/hook"})
    assert creds.status_code == 422
    bad = shop.client.post(path, json={"url": "http://127.0.0.1/h", "secret": "plain"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "secret"
    good = shop.client.post(path, json={"url": "http://127.0.0.1/h", "events": ["digest"]})
    assert good.status_code == 201 and good.json()["secret"].startswith("whsec_")
    listed = shop.client.get(path).json()["items"]
    assert listed and "secret" not in listed[0]


def test_backoff_doubles_with_jitter_and_cap() -> None:
    for attempt, base in ((1, 30), (2, 60), (5, 480)):
        assert 0.75 * base <= delivery.backoff(attempt, 30) <= 1.25 * base
    assert delivery.backoff(40, 30) <= 1.25 * delivery.MAX_DELAY


def _one_delivery(client: TestClient, shop: Shop, receiver: Receiver) -> dict[str, Any]:
    subscribe(shop, keywords=["无人机"])
    hook = add_webhook(shop, receiver.url)
    import_patents(client, shop.institution_id, f.patent(**DRONE))
    return hook


def test_retry_after_two_failures(
    client: TestClient, shop: Shop, receiver: Receiver, run_worker: RunWorker, db: Session
) -> None:
    receiver.statuses = [500, 503]
    hook = _one_delivery(client, shop, receiver)
    for _ in range(200):  # retries are due after ~10-20 ms here (base 0.01 s)
        run_worker()
        if len(receiver.received) >= 3:
            break
    assert len(receiver.received) == 3
    assert len(set(receiver.ids())) == 1  # one webhook-id across retries
    log = shop.client.get(f"/v1/enterprises/{shop.enterprise_id}/webhooks/{hook['id']}/deliveries")
    (entry,) = log.json()["items"]
    assert entry["state"] == "succeeded" and entry["attempts"] == 3
    assert entry["last_status_code"] == 200 and entry["delivered_at"]


def test_gives_up_marks_failing_and_redelivers(
    client: TestClient, shop: Shop, receiver: Receiver, run_worker: RunWorker, settings: Settings
) -> None:
    settings.webhook_max_attempts = 4  # the worker's settings: give up sooner than 12
    receiver.statuses = [302] + [500] * 20  # a redirect is a failure, never followed
    hook = _one_delivery(client, shop, receiver)
    base = f"/v1/enterprises/{shop.enterprise_id}/webhooks/{hook['id']}"
    for _ in range(400):
        run_worker()
        entry = shop.client.get(f"{base}/deliveries").json()["items"][0]
        if entry["state"] == "failed":
            break
    assert entry["state"] == "failed" and entry["attempts"] == 4
    assert all(r.headers.get("host", "").startswith("127.0.0.1") for r in receiver.received)
    assert shop.client.get(base).json()["state"] == "failing"
    receiver.statuses = []
    again = shop.client.post(f"{base}/deliveries/{entry['id']}/redeliver")
    assert again.status_code == 202 and again.json()["state"] == "pending"
    run_worker()
    assert shop.client.get(f"{base}/deliveries").json()["items"][0]["state"] == "succeeded"
    assert shop.client.get(base).json()["state"] == "healthy"
    assert len(set(receiver.ids())) == 1


def test_paused_endpoint_is_not_sent_and_claims_are_exclusive(
    client: TestClient,
    shop: Shop,
    receiver: Receiver,
    run_worker: RunWorker,
    session_factory: sessionmaker[Session],
    db: Session,
) -> None:
    hook = _one_delivery(client, shop, receiver)
    base = f"/v1/enterprises/{shop.enterprise_id}/webhooks/{hook['id']}"
    assert shop.client.patch(base, json={"active": False}).status_code == 200
    run_worker()  # produces the item; its delivery waits for the endpoint
    assert receiver.received == []
    shop.client.patch(base, json={"active": True})
    first = delivery.claim(session_factory)
    assert len(first) == 1 and delivery.claim(session_factory) == []  # leased: not twice
    assert db.scalar(select(WebhookDelivery.state)) == "sending"


def test_daily_digest_webhook_once_per_day(
    client: TestClient,
    shop: Shop,
    receiver: Receiver,
    run_worker: RunWorker,
    session_factory: sessionmaker[Session],
    db: Session,
) -> None:
    subscribe(shop, keywords=["无人机"], quota=1)
    hook = add_webhook(shop, receiver.url, events=["digest"])
    import_patents(client, shop.institution_id, f.patent(**DRONE), f.patent(**DRONE))
    run_worker()
    assert receiver.received == []  # feed.item is not among this endpoint's events
    yesterday = utcnow() - timedelta(days=1)
    db.execute(update(FeedItem).values(created_at=yesterday))
    db.commit()
    assert digest.enqueue_yesterday(session_factory) == 1
    assert digest.enqueue_yesterday(session_factory) == 0  # its webhook-id is taken
    run_worker()
    (got,) = receiver.received
    verify(hook["secret"], got)
    assert got.json["type"] == "digest"
    assert len(got.json["data"]["items"]) == 1  # the subscription's quota
    assert got.headers["webhook-id"].startswith("msg_digest")
