"""The feed worker: produce feed items, send due webhooks, queue daily digests, and fail
background jobs whose process is gone (``app.common.jobs``).

It runs as a daemon thread in every service process (``PANHUO_WORKER_IN_PROCESS``, the
default) or on its own as ``panhuo worker`` (then set ``PANHUO_WORKER_IN_PROCESS=false`` on
the API). Any number may run at once: producers serialize on the ``feed_producer`` row and
deliveries are claimed with ``SKIP LOCKED`` (see ``delivery.py``), so nothing is produced
or sent twice by two workers; only a crash mid-send repeats a ``webhook-id``.
"""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

import app.models  # noqa: F401  (the sweep covers every kind of job: all models mapped)
from app.common import jobs, liveness
from app.config import Settings
from app.feeds import delivery, digest
from app.feeds.producer import Producer
from app.matches.engine import MatchEngine
from app.migrate import current_revision, head_revision

log = logging.getLogger("panhuo.worker")
DIGEST_EVERY = 60.0  # seconds between checks for yesterday's digests


class Worker:
    def __init__(
        self, factory: sessionmaker[Session], engine: MatchEngine | None, settings: Settings
    ) -> None:
        self.factory, self.engine, self.settings = factory, engine, settings
        self.producer = Producer()
        self.client = delivery.make_client(settings)
        self.pool = ThreadPoolExecutor(max(settings.webhook_concurrency, 1), "webhook")
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._digest_checked = 0.0
        self._swept = 0.0

    def produce(self) -> int:
        """Feed items for pending changes, due digests, and the sweep of dead jobs."""
        if time.monotonic() - self._swept >= liveness.SWEEP_EVERY:
            self._swept = time.monotonic()
            jobs.sweep(self.factory)
        done = self.producer.run(self.factory, self.engine, self.settings)
        if time.monotonic() - self._digest_checked >= DIGEST_EVERY:
            self._digest_checked = time.monotonic()
            done += digest.enqueue_yesterday(self.factory)
        return done

    def deliver(self) -> int:
        """One batch of due webhooks; the number sent."""
        return delivery.deliver_due(self.factory, self.client, self.settings, self.pool)

    def tick(self) -> int:
        """One round of both, in turn (``--once`` and tests); how much work it did."""
        done = self.produce()
        while sent := self.deliver():
            done += sent
            if self._stop.is_set():
                break
        return done

    def run_until_idle(self, rounds: int = 1000) -> int:
        total = 0
        for _ in range(rounds):
            done = self.tick()
            total += done
            if not done:
                break
        return total

    def _loop(self, work: Callable[[], int]) -> None:
        while not self._stop.is_set():
            try:
                busy = work()
            except Exception:  # a bad round must not end the worker; the next one retries
                log.exception("feed worker round failed")
                busy = 0
            if not busy:
                self._stop.wait(self.settings.worker_poll_seconds)

    def start(self) -> None:
        # Production and delivery on threads of their own: a large outbox or a slow
        # receiver must not hold back new feed items (nor the reverse).
        for name, work in (("panhuo-worker", self.produce), ("panhuo-worker-send", self.deliver)):
            thread = threading.Thread(target=self._loop, args=(work,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def loop(self) -> None:
        """Run until stopped (``panhuo worker``; Ctrl-C interrupts the wait)."""
        self.start()
        while not self._stop.wait(1.0):
            pass

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.settings.outbound_timeout_seconds + 5)
        self.pool.shutdown(wait=False)
        self.client.close()


def start_in_process(
    factory: sessionmaker[Session],
    engine: MatchEngine,
    settings: Settings,
    handed_in: sessionmaker[Session] | None,
) -> Worker | None:
    """The service's own worker thread, when configured and the schema is current."""
    if not settings.worker_in_process or handed_in is not None:
        return None
    with factory() as session:
        if current_revision(session.connection()) != head_revision():
            return None
    worker = Worker(factory, engine, settings)
    worker.start()
    return worker
