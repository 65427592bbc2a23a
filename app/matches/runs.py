"""Batch match runs: all open needs (or a selection) against the pool, in chunks.

A run is queued here and executed by ``app.matches.tasks`` after the creating request
commits; any worker's sweep (and any read of the run) fails a run whose process is gone
(``app.common.jobs``), so no run stays "running" forever.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common import jobs
from app.common.messages import Msg
from app.common.paging import PageParams
from app.errors import Invalid, NotFound, field_error
from app.matches.engine import MatchEngine
from app.matches.models import MatchResult, MatchRun
from app.matches.schemas import MatchRunCreate
from app.matches.tasks import run_match
from app.needs.models import Need, NeedStatus
from app.patents import repository as patent_rows


def _missing(ids: list[int]) -> Msg:
    return Msg(f"未找到：{ids[:20]}", f"not found: {ids[:20]}")


def create(
    session: Session,
    actor: Principal,
    data: MatchRunCreate,
    engine: MatchEngine,
    schedule: jobs.Schedule,
) -> MatchRun:
    selected = data.selected()
    stmt = select(func.count()).select_from(Need).where(Need.status == NeedStatus.open)
    if selected is not None:
        missing = set(selected) - set(session.scalars(select(Need.id).where(Need.id.in_(selected))))
        if missing:
            raise Invalid(
                Msg("需求不存在", "unknown need ids"),
                [field_error("need_ids", _missing(sorted(missing)))],
            )
        stmt = stmt.where(Need.id.in_(selected))
    run = MatchRun(
        need_ids=selected,
        per_need=data.per_need,
        total=int(session.scalar(stmt) or 0),
        created_by_key=actor.key_id,
    )
    session.add(run)
    session.flush()
    schedule(run_match, run.id, engine)  # runs after the response, i.e. after commit
    return run


def get(session: Session, run_id: int) -> MatchRun:
    run = session.get(MatchRun, run_id)
    if run is None:
        raise NotFound(Msg(f"匹配任务不存在：{run_id}", f"match run {run_id} not found"))
    return jobs.as_read(session, run)


def results_page(session: Session, run_id: int, paging: PageParams) -> dict[str, Any]:
    """Results paged by need: each item is one need with its ranked patents."""
    get(session, run_id)
    needs_q = select(MatchResult.need_id).where(MatchResult.run_id == run_id).distinct()
    total = session.scalar(select(func.count()).select_from(needs_q.subquery()))
    page_needs = list(
        session.scalars(
            needs_q.order_by(MatchResult.need_id).limit(paging.limit).offset(paging.offset)
        )
    )
    rows = session.scalars(
        select(MatchResult)
        .where(MatchResult.run_id == run_id, MatchResult.need_id.in_(page_needs))
        .order_by(MatchResult.need_id, MatchResult.rank)
    ).all()
    summaries = patent_rows.briefs(session, {r.patent_id for r in rows})
    grouped: dict[int, list[dict[str, Any]]] = {n: [] for n in page_needs}
    for r in rows:
        grouped[r.need_id].append(
            {
                "rank": r.rank,
                "patent_id": r.patent_id,
                "patent": summaries.get(r.patent_id),  # None: deleted since the run
                "score": r.score,
                "explanation": r.explanation,
            }
        )
    items = [{"need_id": n, "matches": m} for n, m in grouped.items()]
    return {
        "items": items,
        "total": int(total or 0),
        "limit": paging.limit,
        "offset": paging.offset,
    }
