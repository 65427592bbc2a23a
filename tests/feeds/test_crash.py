"""A worker killed mid-send: after restart everything arrives, once per webhook-id."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_sessionmaker, utcnow
from app.enterprises.models import Enterprise
from app.feeds.models import (
    DeliveryState,
    EndpointState,
    Subscription,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.feeds.webhook_security import new_secret
from app.feeds.worker import Worker
from app.patents.models import ImplementationStatus, LegalStatus, Patent, PatentType, PoolStatus
from tests import factories as f
from tests.feeds.conftest import LOOPBACK, Receiver, verify

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _world(factory: sessionmaker[Session], receiver_url: str, n: int) -> str:
    secret = new_secret()
    with factory() as session, session.begin():
        ent = Enterprise(name="湖北企业", uscc=f.credit_code(), region_code="420100")
        session.add(ent)
        session.flush()
        session.add(Subscription(enterprise_id=ent.id, name="无人机", keywords=["无人机"]))
        session.add(
            WebhookEndpoint(
                enterprise_id=ent.id,
                url=receiver_url,
                secret=secret,
                events=["feed.item"],
                state=EndpointState.healthy,
            )
        )
        for i in range(n):
            session.add(
                Patent(
                    application_number=f.application_number(),
                    patent_type=PatentType.invention,
                    title=f"无人机巡检装置{i}",
                    legal_status=LegalStatus.valid,
                    pool_status=PoolStatus.in_pool,
                    implementation_status=ImplementationStatus.not_implemented,
                )
            )
    return secret


def test_killed_worker_delivers_after_restart_once_per_id(
    committed: tuple[str, Engine], receiver: Receiver, tmp_path: object
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    secret = _world(factory, receiver.url, 5)
    settings = Settings(database_url=url, index_dir=None, webhook_allow_networks=LOOPBACK)
    # The feed items and their outbox rows commit; then the process "crashes" before sending.
    produced = Worker(factory, None, settings)
    assert produced.producer.run(factory, None, settings) == 5
    produced.stop()

    receiver.hold.clear()  # the receiver takes the requests but does not answer yet
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PANHUO_INDEX_DIR": str(tmp_path),
        "PANHUO_WEBHOOK_ALLOW_NETWORKS": json.dumps(LOOPBACK),
        "PYTHONPATH": ROOT,
    }
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(receiver.received) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(receiver.received) == 5  # all five in flight when the worker dies
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    receiver.hold.set()
    with factory() as session, session.begin():
        states = set(session.scalars(select(WebhookDelivery.state)))
        assert states == {DeliveryState.sending}  # claimed, never recorded
        # Time passes: the dead worker's lease runs out.
        session.execute(update(WebhookDelivery).values(lease_until=utcnow() - timedelta(seconds=1)))

    restarted = Worker(factory, None, settings)
    restarted.run_until_idle()
    restarted.stop()
    with factory() as session:
        assert set(session.scalars(select(WebhookDelivery.state))) == {DeliveryState.succeeded}
    unique = receiver.unique()
    assert len(receiver.received) == 10 and len(unique) == 5  # each id twice, dedupe → once
    for got in unique.values():
        verify(secret, got)
    assert sorted(r.json["data"]["patent"]["title"] for r in unique.values()) == [
        f"无人机巡检装置{i}" for i in range(5)
    ]
