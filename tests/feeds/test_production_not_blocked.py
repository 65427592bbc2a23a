"""Feed production goes on while a large outbox drains to a slow receiver.

The worker used to send until the outbox was empty before producing again: 5,000 of
15,000 items were produced until delivery caught up. Production and delivery now run on
threads of their own.
"""

import time
from collections.abc import Callable

from sqlalchemy import Engine, func, select

from app.config import Settings
from app.db import make_sessionmaker
from app.feeds.models import FeedItem
from app.feeds.worker import Worker
from app.patents.models import ImplementationStatus, LegalStatus, Patent, PatentType, PoolStatus
from tests import factories as f
from tests.feeds.conftest import LOOPBACK, Receiver
from tests.feeds.test_crash import _world


def test_new_items_are_produced_while_deliveries_hang(
    committed: tuple[str, Engine], receiver: Receiver
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    settings = Settings(
        database_url=url,
        index_dir=None,
        webhook_allow_networks=LOOPBACK,
        webhook_retry_base_seconds=0.01,
        outbound_timeout_seconds=2.0,
        worker_poll_seconds=0.1,
    )
    _world(factory, receiver.url, 400)
    worker = Worker(factory, None, settings)
    assert worker.producer.run(factory, None, settings) == 400  # 400 deliveries queued
    receiver.hold.clear()  # every send now hangs until the client times out
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.received  # delivery is busy
        with factory() as session, session.begin():
            session.add(
                Patent(
                    application_number=f.application_number(),
                    patent_type=PatentType.invention,
                    title="无人机巡检装置新",
                    legal_status=LegalStatus.valid,
                    pool_status=PoolStatus.in_pool,
                    implementation_status=ImplementationStatus.not_implemented,
                )
            )
        produced_at = _wait_for_items(factory, 401, seconds=10)
        assert produced_at is not None  # not blocked behind the outbox
    finally:
        receiver.hold.set()
        worker.stop()


def _wait_for_items(factory: Callable[..., object], count: int, seconds: float) -> float | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with factory() as session:  # type: ignore[attr-defined]
            if session.scalar(select(func.count()).select_from(FeedItem)) >= count:
                return time.monotonic()
        time.sleep(0.1)
    return None
