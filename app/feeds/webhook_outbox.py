"""Writing the webhook outbox, in the caller's transaction.

Each event becomes one ``webhook_deliveries`` row per subscribed endpoint of the
enterprise, with the exact body to sign and a ``webhook-id`` derived from the event and the
endpoint (unique in the table), which every retry and redelivery reuses.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db import utcnow
from app.feeds.models import DeliveryState, Reason, WebhookDelivery, WebhookEndpoint
from app.patents.models import Patent


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


EVENT_OF_REASON = {
    Reason.match: "feed.item",
    Reason.profile: "feed.item",
    Reason.watch: "watch.change",
}


def insert_ignore(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    returning: Sequence[ColumnElement[Any]],
) -> list[Any]:
    """Insert rows, skipping those that violate a unique key; the inserted rows' columns."""
    dialect = session.get_bind().dialect.name
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = build(table).on_conflict_do_nothing().returning(*returning)
    return list(session.connection().execute(stmt, rows).all())


def encode(event_type: str, at: datetime, data: dict[str, Any]) -> str:
    payload = {"type": event_type, "timestamp": at.isoformat(), "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def _endpoints(session: Session, enterprise_ids: set[int]) -> dict[int, list[WebhookEndpoint]]:
    by_enterprise: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    if enterprise_ids:
        # Paused endpoints too: their deliveries wait, and are sent once it is resumed.
        stmt = select(WebhookEndpoint).where(WebhookEndpoint.enterprise_id.in_(enterprise_ids))
        for endpoint in session.scalars(stmt):
            by_enterprise[endpoint.enterprise_id].append(endpoint)
    return by_enterprise


def with_endpoints(session: Session, enterprise_ids: set[int]) -> set[int]:
    """The enterprises among ``enterprise_ids`` that have a webhook endpoint (paused too)."""
    if not enterprise_ids:
        return set()
    stmt = select(WebhookEndpoint.enterprise_id).where(
        WebhookEndpoint.enterprise_id.in_(enterprise_ids)
    )
    return set(session.scalars(stmt))


def enqueue_items(session: Session, items: list[dict[str, Any]]) -> int:
    """Outbox rows for new feed items (dicts with the item's columns and id)."""
    endpoints = _endpoints(session, {i["enterprise_id"] for i in items})
    if not endpoints:
        return 0
    wanted = [i for i in items if i["enterprise_id"] in endpoints]
    patents = {
        row.id: dict(row._mapping)
        for row in session.execute(
            select(
                Patent.id,
                Patent.application_number,
                Patent.title,
                Patent.legal_status,
                Patent.institution_id,
            ).where(Patent.id.in_({i["patent_id"] for i in wanted}))
        )
    }
    at, rows = utcnow(), []
    for item in wanted:
        event = EVENT_OF_REASON[Reason(item["reason"])]
        body = encode(event, at, item_data(item, patents.get(item["patent_id"], {})))
        for endpoint in endpoints[item["enterprise_id"]]:
            if event in endpoint.events:
                rows.append(
                    _delivery(
                        endpoint.id,
                        f"msg_item{item['id']}_ep{endpoint.id}",
                        event,
                        body,
                        at,
                        item["id"],
                    )
                )
    if rows:
        session.execute(insert(table_of(WebhookDelivery)), rows)
    return len(rows)


def item_data(item: dict[str, Any], patent: dict[str, Any]) -> dict[str, Any]:
    return {
        "item_id": item["id"],
        "enterprise_id": item["enterprise_id"],
        "reason": str(item["reason"]),
        "score": item["score"],
        "subscription_id": item["subscription_id"],
        "patent": {k: str(v) if k == "legal_status" else v for k, v in patent.items()},
        "explanation": item["explanation"],
        "created_at": item["created_at"].isoformat(),
    }


def _delivery(
    endpoint_id: int, webhook_id: str, event: str, body: str, at: datetime, item_id: int | None
) -> dict[str, Any]:
    return {
        "endpoint_id": endpoint_id,
        "webhook_id": webhook_id,
        "event_type": event,
        "feed_item_id": item_id,
        "body": body,
        "state": DeliveryState.pending,
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
    }


def enqueue_digest(
    session: Session, endpoint: WebhookEndpoint, day: str, data: dict[str, Any]
) -> bool:
    """The day's digest for one endpoint, once: its webhook-id is fixed by day and endpoint."""
    at = utcnow()
    row = _delivery(
        endpoint.id,
        f"msg_digest{day.replace('-', '')}_ep{endpoint.id}",
        "digest",
        encode("digest", at, data),
        at,
        None,
    )
    table = table_of(WebhookDelivery)
    return bool(insert_ignore(session, table, [row], [table.c.id]))
