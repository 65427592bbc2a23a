"""Sending the outbox: claim, send, record.

Claiming is one ``UPDATE … WHERE id IN (SELECT … LIMIT n)`` that sets the rows to
``sending`` with a lease and this batch's token, committed before anything is sent. On
PostgreSQL the inner select is ``FOR UPDATE SKIP LOCKED``, so concurrent workers (threads
or ``panhuo worker`` processes) take disjoint batches without waiting; on SQLite writes are
serialized by the database lock and the ``state`` condition makes the claim atomic.

A worker that dies after claiming leaves its rows ``sending``; once the lease runs out any
worker claims them again. A crash after sending but before recording therefore sends the
same delivery again with the same ``webhook-id``: delivery is at-least-once, and receivers
dedupe on ``webhook-id`` (documented for integrators).

Failures are retried with exponential backoff and jitter up to ``webhook_max_attempts``;
then the delivery is ``failed`` and its endpoint ``failing`` until a delivery succeeds.
"""

import logging
import random
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import utcnow, write_session
from app.feeds import outbound
from app.feeds.models import DeliveryState, EndpointState, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("panhuo.webhooks")
LEASE = timedelta(seconds=120)  # far above the send timeout: an expired lease means a crash
BATCH = 200
MAX_DELAY = 6 * 3600.0


@dataclass(frozen=True)
class Job:
    id: int
    endpoint_id: int
    webhook_id: str
    body: str
    attempts: int
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    job: Job
    status: int | None
    error: str | None
    at: datetime

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def backoff(attempts: int, base: float) -> float:
    """Seconds before retry number ``attempts``: doubling, capped, with ±25 % jitter so
    failed endpoints are not retried in lockstep."""
    delay = min(MAX_DELAY, base * 2 ** max(attempts - 1, 0))
    jittered: float = delay * random.uniform(0.75, 1.25)
    return jittered


def claim(
    factory: sessionmaker[Session], limit: int = BATCH, lease: timedelta = LEASE
) -> list[Job]:
    now, token = utcnow(), secrets.token_hex(8)
    due = or_(
        and_(
            WebhookDelivery.state == DeliveryState.pending, WebhookDelivery.next_attempt_at <= now
        ),
        and_(WebhookDelivery.state == DeliveryState.sending, WebhookDelivery.lease_until < now),
    )
    active = select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True))
    with write_session(factory) as session:
        pick = (
            select(WebhookDelivery.id)
            .where(due, WebhookDelivery.endpoint_id.in_(active))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=WebhookDelivery)
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(pick.scalar_subquery()), due)
            .values(state=DeliveryState.sending, lease_until=now + lease, claim_token=token)
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.secret)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.claim_token == token)
            .order_by(WebhookDelivery.id)
        ).all()
        return [
            Job(d.id, d.endpoint_id, d.webhook_id, d.body, d.attempts, url, secret)
            for d, url, secret in rows
        ]


def send(client: httpx.Client, job: Job, allow: list[str]) -> Outcome:
    at = utcnow()
    try:
        target = outbound.resolve(job.url, allow)
    except outbound.Refused as exc:
        return Outcome(job, None, str(exc)[:500], at)
    body = job.body.encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "Panhuo-Webhooks/1",
        "host": target.host_header,
        "webhook-id": job.webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": outbound.sign(job.secret, job.webhook_id, timestamp, body),
    }
    try:
        response = client.post(
            target.url, content=body, headers=headers, extensions={"sni_hostname": target.sni}
        )
    except httpx.HTTPError as exc:
        return Outcome(job, None, f"{type(exc).__name__}: {exc}"[:500], at)
    error = None if response.is_success else f"HTTP {response.status_code}"
    return Outcome(job, response.status_code, error, at)


def record(factory: sessionmaker[Session], outcomes: list[Outcome], settings: Settings) -> None:
    with write_session(factory) as session:
        healthy, failing = set(), set()
        for o in outcomes:
            attempts = o.job.attempts + 1
            values: dict[str, object] = {
                "attempts": attempts,
                "last_attempt_at": o.at,
                "last_status_code": o.status,
                "last_error": o.error,
                "lease_until": None,
                "claim_token": None,
            }
            if o.ok:
                values.update(state=DeliveryState.succeeded, delivered_at=o.at)
                healthy.add(o.job.endpoint_id)
            elif attempts >= settings.webhook_max_attempts:
                values.update(state=DeliveryState.failed)
                failing.add(o.job.endpoint_id)
            else:
                delay = backoff(attempts, settings.webhook_retry_base_seconds)
                values.update(
                    state=DeliveryState.pending, next_attempt_at=o.at + timedelta(seconds=delay)
                )
            session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == o.job.id).values(**values)
            )
        _mark_endpoints(session, healthy - failing, failing)


def _mark_endpoints(session: Session, healthy: set[int], failing: set[int]) -> None:
    if healthy:
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id.in_(healthy), WebhookEndpoint.state != EndpointState.healthy)
            .values(state=EndpointState.healthy, failing_since=None)
        )
    if failing:
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id.in_(failing), WebhookEndpoint.state != EndpointState.failing)
            .values(state=EndpointState.failing, failing_since=utcnow())
        )


def deliver_due(
    factory: sessionmaker[Session],
    client: httpx.Client,
    settings: Settings,
    pool: ThreadPoolExecutor,
) -> int:
    """Claim one batch, send it in parallel, record the results; the number sent."""
    jobs = claim(factory)
    if not jobs:
        return 0
    allow = settings.webhook_allow_networks
    outcomes = list(pool.map(lambda job: send(client, job, allow), jobs))
    record(factory, outcomes, settings)
    failed = sum(not o.ok for o in outcomes)
    if failed:
        log.info("webhook batch: %d sent, %d failed", len(outcomes), failed)
    return len(jobs)


def make_client(settings: Settings) -> httpx.Client:
    # Short timeouts, no redirects (a redirect could point anywhere), no proxies from the
    # environment (they would bypass the address check).
    limits = httpx.Limits(max_connections=max(settings.webhook_concurrency, 1) * 2)
    return httpx.Client(
        timeout=settings.outbound_timeout_seconds,
        follow_redirects=False,
        trust_env=False,
        limits=limits,
    )
