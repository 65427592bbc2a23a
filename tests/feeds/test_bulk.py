"""The producer's bulk insert: duplicates skipped, only the new rows read back, typed."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.common import bulk
from app.db import utcnow
from app.feeds import webhook_outbox
from app.feeds.models import FeedItem, Reason
from tests import factories as f
from tests.feeds.conftest import Shop, import_patents


def test_insert_new_skips_duplicates_and_returns_the_new_rows(
    client: TestClient, shop: Shop, db: Session
) -> None:
    a, b, c = import_patents(client, shop.institution_id, *(f.patent() for _ in range(3)))
    table, at = webhook_outbox.table_of(FeedItem), utcnow()

    def row(patent_id: int) -> dict[str, Any]:
        return {
            "enterprise_id": shop.enterprise_id,
            "patent_id": patent_id,
            "subscription_id": None,
            "reason": Reason.match,
            "reason_key": "",
            "score": 0.5,
            "explanation": {"summary": "关键词：巡检"},
            "created_at": at,
        }

    returning = [table.c.id, table.c.patent_id, table.c.reason]
    first = bulk.insert_new(db, FeedItem, [row(a), row(b)], returning)
    again = bulk.insert_new(db, FeedItem, [row(b), row(c), row(c)], returning)
    assert [r.patent_id for r in first] == [a, b]
    assert [(r.patent_id, r.reason) for r in again] == [(c, Reason.match)]
    assert isinstance(again[0].reason, Reason) and again[0].id > first[1].id
    stored = db.scalars(select(FeedItem).order_by(FeedItem.id)).all()
    assert [(i.patent_id, i.explanation, i.created_at) for i in stored] == [
        (p, {"summary": "关键词：巡检"}, at) for p in (a, b, c)
    ]
    assert bulk.insert_new(db, FeedItem, [], returning) == []
