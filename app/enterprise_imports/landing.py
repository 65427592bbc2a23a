"""Land parsed enterprise rows: idempotent upsert on the 统一社会信用代码.

A row is inserted, updated (only the columns the file carries, only where they differ),
left unchanged, or failed with its reasons; a failed row writes nothing. A province's
upload may not touch an enterprise registered in another province.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import recorder
from app.auth.principal import Principal
from app.common import bulk
from app.enterprises.models import Enterprise
from app.enterprises.schemas import EnterpriseCreate
from app.imports.landing import Outcome
from app.imports.rows import CellProblem, ParsedRow

USCC = "统一社会信用代码"


@dataclass
class LandingContext:
    actor: Principal
    scope: str  # region-code prefix of the uploading province; "" for admins
    seen: dict[str, int] = field(default_factory=dict)  # USCC → first row in the file


def land(
    session: Session, ctx: LandingContext, rows: list[ParsedRow[EnterpriseCreate]]
) -> list[Outcome]:
    codes = {r.data.uscc for r in rows if r.data is not None}
    stmt = select(Enterprise).where(Enterprise.uscc.in_(codes))
    existing = {e.uscc: e for e in session.scalars(stmt)} if codes else {}
    outcomes: list[Outcome] = []
    new: list[dict[str, Any]] = []
    for row in rows:
        outcome = _land_one(ctx, row, existing)
        if outcome.status == "inserted" and row.data is not None:
            new.append(row.data.model_dump())
        outcomes.append(outcome)
    session.flush()  # the updates, audited by the flush hook
    _insert(session, new)
    return outcomes


def _land_one(
    ctx: LandingContext, row: ParsedRow[EnterpriseCreate], existing: dict[str, Enterprise]
) -> Outcome:
    if row.data is None:
        return Outcome(row.number, "failed", problems=row.problems)
    code = row.data.uscc
    if code in ctx.seen:
        first = ctx.seen[code]
        return _failed(
            row.number, code, f"文件内重复（首次出现在第 {first} 行）", f"duplicate of row {first}"
        )
    ctx.seen[code] = row.number
    current = existing.get(code)
    if current is None:
        return Outcome(row.number, "inserted")
    if not current.region_code.startswith(ctx.scope):
        # Say only that it is taken elsewhere: never which enterprise holds it.
        return _failed(
            row.number,
            code,
            "该统一社会信用代码已由其他省份登记",
            "this USCC is registered in another province",
        )
    sent = row.data.model_dump(exclude_unset=True)
    changes = {f: v for f, v in sent.items() if getattr(current, f) != v}
    for name, value in changes.items():
        setattr(current, name, value)
    return Outcome(row.number, "updated" if changes else "unchanged")


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """New rows in one statement (COPY on PostgreSQL); audited as the flush hook would."""
    if rows:
        recorder.record_created(
            session, "enterprise", bulk.insert_returning_ids(session, Enterprise, rows)
        )


def _failed(number: int, raw: str, zh: str, en: str) -> Outcome:
    return Outcome(number, "failed", problems=[CellProblem(USCC, raw, zh, en)])
