"""Past imports (``GET /v1/imports``) and one job read with its repeated-error summary.

A reason shared by many rows (a file full of another institution's patents fails 1,000
rows alike) is summarised once: how many rows, the reason, and the first rows.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.paging import Page, PageParams, paginate
from app.imports import service
from app.imports.models import ImportJob, ImportRowError, RowErrorColumns
from app.imports.schemas import ImportRead, RepeatedError

MIN_REPEAT = 3  # rows with one reason before it is summarised
MAX_REASONS = 10
FIRST_ROWS = 5
# What a repeated reason usually means, keyed by its English text (stable, unlike counts).
HINTS = {
    "registered by another patent holder": (
        "这些专利已由其他机构登记：文件可能属于其他机构，或应由管理员导入",
        "another institution holds these patents: the file may be another institution's",
    ),
}


def read(session: Session, actor: Principal, job_id: int) -> ImportRead:
    job = service.get(session, actor, job_id)
    out = ImportRead.model_validate(job)
    out.error_summary = repeated_errors(session, ImportRowError, job.id)
    return out


def repeated_errors(
    session: Session, model: type[RowErrorColumns], job_id: int
) -> list[RepeatedError]:
    """``model``: the kind's row-error table (``ImportRowError`` for patent imports)."""
    count = func.count().label("n")
    job = model.job_id == job_id  # type: ignore[attr-defined]
    groups = session.execute(
        select(model.reason_zh, model.reason_en, count)
        .where(job)
        .group_by(model.reason_zh, model.reason_en)
        .having(func.count() >= MIN_REPEAT)
        .order_by(count.desc(), model.reason_zh)
        .limit(MAX_REASONS)
    ).all()
    return [_summary(session, model, job_id, zh, en, n) for zh, en, n in groups]


def _summary(
    session: Session, model: type[RowErrorColumns], job_id: int, zh: str, en: str, n: int
) -> RepeatedError:
    rows = list(
        session.scalars(
            select(model.row_number)
            .where(model.job_id == job_id, model.reason_zh == zh)  # type: ignore[attr-defined]
            .order_by(model.row_number)
            .limit(FIRST_ROWS)
        )
    )
    hint_zh, hint_en = HINTS.get(en, ("", ""))
    message_zh = f"{n} 行因同一原因失败：{zh}（第 {'、'.join(map(str, rows))} 行等）"
    message_en = f"{n} rows failed for one reason: {en} (rows {', '.join(map(str, rows))}, …)"
    return RepeatedError(
        count=n,
        reason_zh=zh,
        reason_en=en,
        first_rows=rows,
        message_zh=f"{message_zh}。{hint_zh}" if hint_zh else message_zh,
        message_en=f"{message_en}. {hint_en}" if hint_en else message_en,
    )


def list_page(session: Session, actor: Principal, paging: PageParams) -> Page[ImportRead]:
    """Newest first; an institution sees its own imports, the admin every import."""
    stmt = select(ImportJob).order_by(ImportJob.id.desc())
    if not actor.is_admin:
        stmt = stmt.where(ImportJob.institution_id == actor.institution_id)
    return paginate(session, stmt, paging, ImportRead.model_validate)
