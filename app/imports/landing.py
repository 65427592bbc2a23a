"""Land parsed rows: idempotent upsert on the normalized application number.

A row is inserted, updated (only the columns the file carries, only when they differ),
left unchanged, or failed with its reasons; failed rows write nothing.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import recorder as audit
from app.auth.models import Role
from app.auth.principal import Principal
from app.changes import recorder as changes
from app.common import bulk
from app.common.messages import as_msg
from app.common.schemas import unique
from app.errors import DomainError
from app.imports import notices
from app.imports.resolve import InstitutionResolver
from app.imports.rows import CellProblem, ParsedRow
from app.patents import service as patents
from app.patents.models import Patent, PatentIpc


@dataclass
class Outcome:
    number: int
    status: str  # inserted / updated / unchanged / failed
    patent_id: int | None = None
    problems: list[CellProblem] = field(default_factory=list)
    patent: Patent | None = None  # updated or unchanged rows
    new_row: tuple[dict[str, Any], list[str]] | None = None  # inserted rows, before insert


@dataclass
class LandingContext:
    actor: Principal
    institution_id: int | None  # named by the upload, or the institution key's own
    resolver: InstitutionResolver | None
    seen: dict[str, int] = field(default_factory=dict)  # application number → first row
    publications: dict[str, tuple[str, int]] = field(default_factory=dict)  # see notices
    review: list[dict[str, Any]] = field(default_factory=list)  # see notices


def land(session: Session, ctx: LandingContext, rows: list[ParsedRow]) -> list[Outcome]:
    numbers = [r.data.application_number for r in rows if r.data is not None]
    existing = {
        p.application_number: p
        for p in session.scalars(select(Patent).where(Patent.application_number.in_(numbers)))
    }
    notices.publication_reuse(session, rows, ctx.publications, ctx.review)
    outcomes = [_land_one(session, ctx, row, existing) for row in rows]
    session.flush()
    for outcome in outcomes:
        if outcome.patent is not None:
            outcome.patent_id = outcome.patent.id
    _insert_new(session, [o for o in outcomes if o.new_row is not None])
    return outcomes


def _insert_new(session: Session, outcomes: list[Outcome]) -> None:
    """New rows go in with one multi-row INSERT ... RETURNING per batch (COPY on
    PostgreSQL): the unit of work would cost more than parsing and validating them. Audit
    and index rows are written explicitly, as the flush hook would have."""
    if not outcomes:
        return
    rows = [o.new_row[0] for o in outcomes if o.new_row]
    ids = bulk.insert_returning_ids(session, Patent, rows)
    ipc = [
        {"patent_id": pid, "position": i, "code": code}
        for pid, o in zip(ids, outcomes, strict=True)
        if o.new_row
        for i, code in enumerate(o.new_row[1])
    ]
    bulk.insert_rows(session, PatentIpc, ipc)
    for pid, outcome in zip(ids, outcomes, strict=True):
        outcome.patent_id, outcome.new_row = pid, None
    audit.record_created(session, "patent", ids)
    changes.touch(session, "patent", ids)


def _land_one(
    session: Session, ctx: LandingContext, row: ParsedRow, existing: dict[str, Patent]
) -> Outcome:
    if row.data is None:
        return Outcome(row.number, "failed", problems=row.problems)
    number = row.data.application_number
    if number in ctx.seen:
        first = ctx.seen[number]
        return _failed(
            row.number,
            "申请号",
            number,
            f"文件内重复（首次出现在第 {first} 行）",
            f"duplicate of row {first} in this file",
        )
    ctx.seen[number] = row.number
    institution_id = ctx.institution_id or _resolve(ctx, row)
    try:
        current = existing.get(number)
        if current is None:
            data = row.data
            if data.institution_id is None and institution_id is not None:
                data = data.model_copy(update={"institution_id": institution_id})
            return Outcome(
                row.number, "inserted", new_row=patents.prepare_row(session, ctx.actor, data)
            )
        return _update(session, ctx, row, current, institution_id)
    except DomainError as exc:
        detail = as_msg(exc.detail)
        problems = [
            CellProblem(e.get("field"), None, detail.zh, detail.en)
            for e in exc.errors or [{"field": None}]
        ]
        return Outcome(row.number, "failed", problems=problems)


def _update(
    session: Session,
    ctx: LandingContext,
    row: ParsedRow,
    current: Patent,
    institution_id: int | None,
) -> Outcome:
    if ctx.actor.role is Role.institution and not ctx.actor.acts_for_institution(
        current.institution_id
    ):
        return _failed(
            row.number,
            "申请号",
            current.application_number,
            "该申请号已由其他专利权人登记",
            "registered by another patent holder",
        )
    changes = _diff(current, row.data, institution_id)
    if not changes:
        return Outcome(row.number, "unchanged", patent=current)
    holder = current.institution_id
    patents.apply(session, ctx.actor, current, changes)  # raises before any note is kept
    if "institution_id" in changes and holder is not None:
        notices.holder_changed(session, ctx.review, row.number, current, holder)
    return Outcome(row.number, "updated", patent=current)


def _diff(current: Patent, data: Any, institution_id: int | None) -> dict[str, Any]:
    sent = data.model_dump(exclude_unset=True)
    changes = {
        f: v
        for f, v in sent.items()
        if f not in ("ipc_main", "ipc_codes") and getattr(current, f) != v
    }
    if "ipc_main" in sent or "ipc_codes" in sent:
        main = sent.get("ipc_main", current.ipc_main)
        codes = unique(([main] if main else []) + sent.get("ipc_codes", current.ipc_codes))
        if codes != current.ipc_codes:
            changes.update(ipc_main=main, ipc_codes=codes)
    resolved = institution_id is not None and "institution_id" not in sent
    if resolved and current.institution_id != institution_id:
        changes["institution_id"] = institution_id
    return changes


def _resolve(ctx: LandingContext, row: ParsedRow) -> int | None:
    if ctx.resolver is None or not row.names:
        return None
    found = ctx.resolver.resolve(row.names)
    if found.status in ("ambiguous", "none"):
        reason = "名称匹配多个机构" if found.status == "ambiguous" else "未找到该机构"
        notices.add(
            ctx.review,
            {
                "row": row.number,
                "kind": "institution_name",
                "name": found.name,
                "status": found.status,
                "candidates": list(found.candidates),
                "reason_zh": f"专利权人「{found.name}」{reason}，未自动关联",
                "reason_en": f"patentee {found.name!r}: {found.status} match, not attached",
            },
        )
    return found.institution_id


def _failed(number: int, column: str, raw: str, zh: str, en: str) -> Outcome:
    return Outcome(number, "failed", problems=[CellProblem(column, raw, zh, en)])
