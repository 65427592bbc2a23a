"""Rows that landed but need a person's attention, listed in the job's ``review``.

Each entry names its row and ``kind``, with a reason in Chinese and English:

* ``institution_name``: the patentee name matched no institution, or several;
* ``publication_number_reused``: the 公开号 also stands under another application number
  (earlier in the file, or already stored) — usually a typo in one of the two rows;
* ``holder_changed``: re-importing moved the patent to another institution.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.imports.rows import ParsedRow
from app.institutions.models import Institution
from app.patents.models import Patent
from app.patents.schemas import PatentCreate

MAX_REVIEW = 1000  # entries kept per job; the rows land either way


def add(review: list[dict[str, Any]], entry: dict[str, Any]) -> None:
    if len(review) < MAX_REVIEW:
        review.append(entry)


def publication_reuse(
    session: Session,
    rows: list[ParsedRow[PatentCreate]],
    seen: dict[str, tuple[str, int]],
    review: list[dict[str, Any]],
) -> None:
    """``seen``: 公开号 → (application number, row) of this file so far (updated here)."""
    pairs = [
        (r.number, r.data.publication_number, r.data.application_number)
        for r in rows
        if r.data is not None and r.data.publication_number
    ]
    if not pairs:
        return
    stmt = select(Patent.publication_number, Patent.application_number).where(
        Patent.publication_number.in_({pub for _, pub, _ in pairs})
    )
    # (not dict(result): a Result has .keys(), so dict() would read it as a mapping)
    stored = {pub: app for pub, app in session.execute(stmt)}
    for number, pub, app in pairs:
        first = seen.setdefault(pub, (app, number))
        if first[0] != app:
            where_zh, where_en = (
                f"第 {first[1]} 行的申请号 {first[0]}",
                f"row {first[1]} ({first[0]})",
            )
        elif stored.get(pub) not in (None, app):
            where_zh, where_en = f"已登记的申请号 {stored[pub]}", f"stored {stored[pub]}"
        else:
            continue
        add(
            review,
            {
                "row": number,
                "kind": "publication_number_reused",
                "publication_number": pub,
                "application_number": app,
                "reason_zh": f"公开号 {pub} 同时对应{where_zh}，请核对",
                "reason_en": f"publication number {pub} also belongs to {where_en}; check both",
            },
        )


def holder_changed(
    session: Session, review: list[dict[str, Any]], row: int, patent: Patent, old_id: int
) -> None:
    """``patent`` already carries its new holder; ``old_id`` was the holder before."""
    old = _name(session, old_id)
    new = _name(session, patent.institution_id)
    add(
        review,
        {
            "row": row,
            "kind": "holder_changed",
            "application_number": patent.application_number,
            "from_institution_id": old_id,
            "to_institution_id": patent.institution_id,
            "reason_zh": f"专利权人由「{old}」变更为「{new}」（{patent.application_number}）",
            "reason_en": f"holder changed from {old!r} to {new!r} ({patent.application_number})",
        },
    )


def _name(session: Session, institution_id: int | None) -> str:
    if institution_id is None:
        return "无"
    name = session.scalar(select(Institution.name).where(Institution.id == institution_id))
    return name or f"机构 {institution_id}"
