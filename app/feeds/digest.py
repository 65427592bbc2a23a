"""Daily digests: per enterprise, the day's best new items, each subscription within its
quota. Days are China Standard Time (UTC+8, no daylight saving)."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.principal import Principal
from app.db import utcnow, write_session
from app.feeds import sources, webhook_outbox
from app.feeds.feed import items_query, present
from app.feeds.models import FeedItem, Subscription, WebhookDelivery, WebhookEndpoint
from app.feeds.schemas import Digest
from app.feeds.service import enterprise

CST = timezone(timedelta(hours=8))
DEFAULT_TOP = 20


def today() -> date:
    return utcnow().astimezone(CST).date()


def build(session: Session, enterprise_id: int, day: date, top: int) -> Digest:
    start = datetime(day.year, day.month, day.day, tzinfo=CST).astimezone(UTC)
    stmt = items_query(enterprise_id).where(
        FeedItem.created_at >= start, FeedItem.created_at < start + timedelta(days=1)
    )
    rows = list(session.execute(stmt.order_by(FeedItem.score.desc(), FeedItem.id)).all())
    refused = sources.no_need_pairs(session, {row[0].patent_id for row in rows})
    quotas = dict(
        session.execute(
            select(Subscription.id, Subscription.quota).where(
                Subscription.enterprise_id == enterprise_id
            )
        ).all()
    )
    used: Counter[int] = Counter()
    kept = []
    for row in rows:
        item: FeedItem = row[0]
        if (enterprise_id, item.patent_id) in refused:
            continue  # answered 无需求 since it was pushed
        sub = item.subscription_id
        if sub is not None and used[sub] >= quotas.get(sub, DEFAULT_TOP):
            continue
        used[sub or 0] += 1
        kept.append(row)
        if len(kept) >= top:
            break
    return Digest(enterprise_id=enterprise_id, date=day.isoformat(), items=present(kept))


def get(
    session: Session, actor: Principal, enterprise_id: int, day: date | None, top: int
) -> Digest:
    enterprise(session, actor, enterprise_id, write=False)
    return build(session, enterprise_id, day or today(), top)


def enqueue_yesterday(factory: sessionmaker[Session]) -> int:
    """Queue yesterday's digest for every endpoint subscribed to ``digest`` that has not
    had it; its fixed webhook-id makes this idempotent across rounds and processes."""
    day = today() - timedelta(days=1)
    queued = 0
    with write_session(factory) as session:
        endpoints = [
            e
            for e in session.scalars(
                select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
            )
            if "digest" in e.events
        ]
        ids = {f"msg_digest{day:%Y%m%d}_ep{e.id}" for e in endpoints}
        sent = (
            set(
                session.scalars(
                    select(WebhookDelivery.webhook_id).where(WebhookDelivery.webhook_id.in_(ids))
                )
            )
            if ids
            else set()
        )
        for endpoint in endpoints:
            if f"msg_digest{day:%Y%m%d}_ep{endpoint.id}" in sent:
                continue
            found = build(session, endpoint.enterprise_id, day, DEFAULT_TOP)
            if found.items:
                data = found.model_dump(mode="json")
                queued += webhook_outbox.enqueue_digest(session, endpoint, day.isoformat(), data)
    return queued
