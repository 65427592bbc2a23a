"""Rows landed with PostgreSQL COPY read back exactly as rows landed through the ORM."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.auth.models import Role
from app.auth.principal import Principal
from app.changes.models import IndexChange
from app.common import bulk
from app.imports.landing import LandingContext, land
from app.imports.rows import ParsedRow
from app.institutions.models import Institution, InstitutionType
from app.patents.models import Patent, PatentIpc
from app.patents.schemas import PatentCreate
from tests import factories as f

ACTOR = Principal(role=Role.admin, key_id=7, request_id="req-\t1")
# Text COPY must escape tabs, newlines, backslashes and \N; JSON must keep quotes and CJK.
TRICKY = 'a\tb\nc\\d \\N "引号" 中文'
SKIP = {"id", "application_number", "created_at", "updated_at"}


def _data(institution_id: int) -> PatentCreate:
    return PatentCreate.model_validate(
        {
            "application_number": f.application_number(),
            "publication_number": "CN123456789A",
            "patent_type": "invention",
            "title": f"标题 {TRICKY}",
            "abstract": TRICKY,
            "first_claim": "1. 一种方法\r\n2. 如权利要求1",
            "ipc_codes": ["G06T7/00", "B64U20/80"],
            "applicants": ["清华大学", 'Q"uote\\d'],
            "inventors": ["张三", "李四"],
            "filing_date": "2021-07-15",
            "publication_date": "2021-12-01",
            "grant_date": "2022-03-01",
            "legal_status": "valid",
            "legal_status_raw": "有权-审定授权",
            "institution_id": institution_id,
            "region_code": "410100",
            "value_grade": "A",
            "industrialization_prospect": 4,
            "implementation_status": "implemented",
            "state_funded": True,
            "transaction_modes": ["transfer", "license"],
            "asking_price": "123456.78",
        }
    )


def _land(db: Session, institution_id: int) -> int:
    ctx = LandingContext(ACTOR, None, None)
    [outcome] = land(db, ctx, [ParsedRow(2, _data(institution_id))])
    assert outcome.status == "inserted" and outcome.patent_id is not None
    return outcome.patent_id


def _stored(db: Session, patent_id: int) -> dict[str, Any]:
    """Every column as the ORM reads it, and as PostgreSQL renders it in text."""
    db.expire_all()
    patent = db.get(Patent, patent_id)
    assert patent is not None
    orm = {c.key: getattr(patent, c.key) for c in Patent.__table__.columns if c.key not in SKIP}
    raw = db.execute(text("SELECT * FROM patents WHERE id = :id"), {"id": patent_id}).mappings()
    as_text = {k: str(v) for k, v in raw.one().items() if k not in SKIP}
    return {"orm": orm, "text": as_text, "ipc": patent.ipc_codes, "stamps": patent.created_at}


def _logged(db: Session, patent_id: int) -> tuple[Any, ...]:
    audit = db.scalars(
        select(AuditEntry).where(
            AuditEntry.resource_type == "patent", AuditEntry.resource_id == str(patent_id)
        )
    ).one()
    change = db.scalars(
        select(IndexChange).where(IndexChange.kind == "patent", IndexChange.doc_id == patent_id)
    ).one()
    entry = (audit.key_id, audit.role, audit.action, audit.resource_type, audit.fields)
    return (*entry, audit.request_id, change.kind, audit.at.tzinfo, change.at.tzinfo)


def test_copy_and_orm_paths_store_the_same_patent(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not bulk.uses_copy(db):
        pytest.skip("COPY is used on PostgreSQL only")
    institution = Institution(name="示例大学", type=InstitutionType.soe, region_code="420100")
    db.add(institution)
    db.flush()
    copied = _land(db, institution.id)
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "uses_copy", lambda _session: False)
        inserted = _land(db, institution.id)
    assert copied < inserted  # ids come from the same sequence
    by_copy, by_orm = _stored(db, copied), _stored(db, inserted)
    assert by_copy["orm"] == by_orm["orm"]
    assert by_copy["text"] == by_orm["text"]
    assert by_copy["ipc"] == by_orm["ipc"] == ["G06T7/00", "B64U20/80"]
    assert by_copy["orm"]["title"] == f"标题 {TRICKY}"
    assert by_copy["orm"]["applicants"] == ["清华大学", 'Q"uote\\d']
    assert by_copy["orm"]["asking_price"] == Decimal("123456.78")
    assert by_copy["orm"]["grant_date"] == date(2022, 3, 1)
    assert abs(by_copy["stamps"] - datetime.now(UTC)) < timedelta(minutes=5)
    assert by_copy["stamps"].tzinfo is not None
    assert _logged(db, copied) == _logged(db, inserted)
    ipc_rows = db.scalars(select(PatentIpc).where(PatentIpc.patent_id == copied)).all()
    assert [(r.position, r.code) for r in ipc_rows] == [(0, "G06T7/00"), (1, "B64U20/80")]
