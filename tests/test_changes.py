"""The index change log: what the flush hook writes, and how a reader's watermark moves."""

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.changes import recorder
from app.changes.models import IndexChange
from app.changes.watermark import SETTLE, Watermark, latest_id
from app.db import utcnow
from app.enterprises.models import Enterprise
from app.patents.models import ImplementationStatus, LegalStatus, Patent, PatentType, PoolStatus
from tests import factories as f


def _changes(db: Session, after: int) -> list[tuple[str, int]]:
    rows = db.execute(Watermark(after).pending()).all()
    return [(row.kind, row.doc_id) for row in rows]


def test_the_flush_hook_logs_matchable_writes_only_when_they_change(db: Session) -> None:
    start = latest_id(db)
    patent = Patent(
        application_number=f.application_number(),
        patent_type=PatentType.invention,
        title="锂电池正极材料",
        legal_status=LegalStatus.valid,
        pool_status=PoolStatus.in_pool,
        implementation_status=ImplementationStatus.not_implemented,
    )
    company = Enterprise(name="示例科技有限公司", uscc=f.credit_code(), region_code="410100")
    db.add_all([patent, company])
    db.flush()
    assert sorted(_changes(db, start)) == [("enterprise", company.id), ("patent", patent.id)]
    mark = latest_id(db)
    patent.title = patent.title  # no net change: nothing to replay
    db.flush()
    assert _changes(db, mark) == []
    patent.title = "钠离子电池正极材料"
    db.flush()
    assert _changes(db, mark) == [("patent", patent.id)]
    recorder.touch(db, "patent", [patent.id, 10**9])  # a write the hook cannot see
    assert _changes(db, mark)[1:] == [("patent", patent.id), ("patent", 10**9)]


def test_the_watermark_passes_only_settled_handled_rows(db: Session) -> None:
    start, old, new = latest_id(db), utcnow() - SETTLE * 2, utcnow()
    rows = [{"at": at, "kind": "need", "doc_id": i} for i, at in enumerate([old, old, old, new])]
    db.execute(insert(IndexChange), rows)
    watermark = Watermark(start)
    pending = db.execute(watermark.pending()).all()
    ids = [row.id for row in pending]
    assert len(ids) == 4 and watermark.unhandled(pending) == pending
    watermark.handled([ids[0], ids[2], ids[3]])  # the second one is still being handled
    assert [row.id for row in watermark.unhandled(pending)] == [ids[1]]
    assert watermark.settle(pending) and watermark.mark == ids[0]
    watermark.handled([ids[1]])
    assert watermark.settle(db.execute(watermark.pending()).all())
    assert watermark.mark == ids[2]  # the newest row is too recent: ids may still commit
    assert not watermark.advance(ids[0])  # never back
    assert [row.id for row in db.execute(watermark.pending())] == [ids[3]]
