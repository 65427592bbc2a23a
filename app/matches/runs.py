"""Batch match runs: all open needs (or a selection) against the pool, in chunks.

The run is executed by the worker that created it, after the creating request commits.
Progress is committed per chunk and a heartbeat every few seconds; any worker's sweep (and
any read of the run) fails a run whose process is gone (see ``app.common.liveness``), so
no run stays "running" forever.
"""

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import matching
from app.auth.principal import Principal
from app.common import liveness
from app.common.messages import Msg
from app.common.paging import Page, PageParams
from app.db import retry_busy, utcnow, write_session
from app.errors import Invalid, NotFound, field_error
from app.matches import docs, signals
from app.matches.engine import MatchEngine
from app.matches.models import MatchResult, MatchRun, RunState
from app.matches.schemas import (
    MatchFilters,
    MatchRunCreate,
    MatchRunRead,
    RunMatch,
    RunNeedResults,
)
from app.matches.service import explanation, to_filters
from app.needs.models import Need, NeedStatus
from app.patents import repository as patent_rows
from app.patents.schemas import PatentBrief

log = logging.getLogger("panhuo.runs")
CHUNK = 256
STOPPED = (
    "执行该匹配任务的进程已停止（崩溃或重启），请重新发起 / the process running this run "
    "stopped (crash or restart); start a new run"
)
Schedule = Callable[..., Any]


def _missing(ids: list[int]) -> Msg:
    return Msg(f"未找到：{ids[:20]}", f"not found: {ids[:20]}")


def create(
    session: Session,
    actor: Principal,
    data: MatchRunCreate,
    engine: MatchEngine,
    schedule: Schedule,
    factory: sessionmaker[Session],
) -> MatchRunRead:
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
        state=RunState.queued,
        need_ids=selected,
        per_need=data.per_need,
        total=int(session.scalar(stmt) or 0),
        created_by_key=actor.key_id,
        owner=liveness.this_process(),
        heartbeat_at=utcnow(),
    )
    session.add(run)
    session.flush()
    schedule(execute, factory, engine, run.id)  # runs after the response, i.e. after commit
    return MatchRunRead.model_validate(run)


def get(session: Session, run_id: int) -> MatchRunRead:
    run = session.get(MatchRun, run_id)
    if run is None:
        raise NotFound(Msg(f"匹配任务不存在：{run_id}", f"match run {run_id} not found"))
    if _dead(run):
        # Shown failed at once; the next sweep writes it (a read must not write: on
        # SQLite its transaction may not be able to).
        session.expunge(run)
        run.state, run.errors = RunState.failed, [*run.errors, {"reason": STOPPED}]
    return MatchRunRead.model_validate(run)


def _dead(run: MatchRun) -> bool:
    active = run.state in (RunState.queued, RunState.running)
    return active and liveness.is_dead(run.owner, run.heartbeat_at or run.created_at)


def results_page(session: Session, run_id: int, paging: PageParams) -> Page[RunNeedResults]:
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
    grouped: dict[int, list[RunMatch]] = {n: [] for n in page_needs}
    for r in rows:
        brief = summaries.get(r.patent_id)  # None: deleted since the run
        grouped[r.need_id].append(
            RunMatch(
                rank=r.rank,
                patent_id=r.patent_id,
                patent=PatentBrief.model_validate(brief) if brief else None,
                score=r.score,
                explanation=r.explanation,
            )
        )
    items = [RunNeedResults(need_id=n, matches=m) for n, m in grouped.items()]
    return Page(items=items, total=int(total or 0), limit=paging.limit, offset=paging.offset)


def fail_stale(session: Session) -> int:
    """Fail the runs whose process is gone; in a transaction begun as a writer."""
    active = MatchRun.state.in_([RunState.queued, RunState.running])
    dead = [run for run in session.scalars(select(MatchRun).where(active)) if _dead(run)]
    for run in dead:
        run.state, run.finished_at = RunState.failed, utcnow()
        run.errors = [*run.errors, {"reason": STOPPED}]
    session.flush()
    return len(dead)


def has_active(session: Session) -> bool:
    active = MatchRun.state.in_([RunState.queued, RunState.running])
    return session.scalar(select(MatchRun.id).where(active).limit(1)) is not None


def execute(factory: sessionmaker[Session], engine: MatchEngine, run_id: int) -> None:
    with liveness.heartbeat(lambda: _beat(factory, run_id)):
        _execute(factory, engine, run_id)


def _beat(factory: sessionmaker[Session], run_id: int) -> None:
    with write_session(factory) as session:
        session.execute(
            update(MatchRun)
            .where(MatchRun.id == run_id, MatchRun.state == RunState.running)
            .values(heartbeat_at=utcnow())
        )


def _execute(factory: sessionmaker[Session], engine: MatchEngine, run_id: int) -> None:
    try:
        need_ids = _claim(factory, run_id)
        if need_ids is None:
            return
        for start in range(0, len(need_ids), CHUNK):
            _run_chunk(factory, engine, run_id, need_ids[start : start + CHUNK])
        _finish(factory, run_id, RunState.succeeded, None)
    except Exception as exc:  # the run must end failed, never stay "running"
        log.exception("match run %s failed", run_id)
        try:
            _finish(factory, run_id, RunState.failed, _public_error(exc))
        except Exception:  # if even this fails, the stale-run sweep ends it
            log.exception("match run %s: cannot record its failure", run_id)


def _public_error(exc: Exception) -> str:
    """What users see of an unexpected error: never SQL or parameters (they are logged)."""
    if isinstance(exc, SQLAlchemyError):
        return (
            "匹配任务因数据库错误中断（详情已记入服务日志） / "
            "the run stopped on a database error (logged)"
        )
    return f"匹配任务中断 / the run stopped: {type(exc).__name__}"


def _claim(factory: sessionmaker[Session], run_id: int) -> list[int] | None:
    with write_session(factory) as session:
        claimed = session.execute(
            update(MatchRun)
            .where(MatchRun.id == run_id, MatchRun.state == RunState.queued)
            .values(
                state=RunState.running,
                started_at=utcnow(),
                heartbeat_at=utcnow(),
                owner=liveness.this_process(),
            )
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        run = session.get(MatchRun, run_id)
        assert run is not None
        stmt = select(Need.id).where(Need.status == NeedStatus.open).order_by(Need.id)
        if run.need_ids is not None:
            stmt = stmt.where(Need.id.in_(run.need_ids))
        return list(session.scalars(stmt))


def _run_chunk(
    factory: sessionmaker[Session], engine: MatchEngine, run_id: int, need_ids: list[int]
) -> None:
    # Rank in a read transaction, store in a separate write transaction whose first
    # statement writes: on SQLite a read transaction cannot become a writer once another
    # connection has committed since it began ("database is locked" at once, no waiting).
    with factory() as session, session.begin():
        rows = _rank_chunk(session, engine, run_id, need_ids)
    with write_session(factory) as session:
        if rows:
            session.execute(insert(MatchResult), rows)
        session.execute(
            update(MatchRun)
            .where(MatchRun.id == run_id)
            .values(processed=MatchRun.processed + len(need_ids), heartbeat_at=utcnow())
        )


def _rank_chunk(
    session: Session, engine: MatchEngine, run_id: int, need_ids: list[int]
) -> list[dict[str, Any]]:
    engine.catch_up(session)
    run = session.get(MatchRun, run_id)
    assert run is not None
    stored = list(docs.needs_by_id(session, need_ids))
    queries = [docs.need_doc(need, region) for need, region in stored]
    # The same feedback as an ad-hoc match: 无需求 excluded per enterprise, ratings
    # and similar enterprises' intents as features.
    askers = [
        signals.Asker(need.enterprise_id, q) for (need, _), q in zip(stored, queries, strict=True)
    ]
    fed = signals.gather(session, engine, askers) if engine.patents is not None else []
    ranked = _match_many(engine, queries, run.per_need, fed)
    return [
        {
            "run_id": run_id,
            "need_id": int(q.id),
            "patent_id": int(m.id),
            "rank": rank,
            "score": round(m.score, 6),
            "explanation": _explanation_json(m),
        }
        for q, found in zip(queries, ranked, strict=True)
        for rank, m in enumerate(found, start=1)
    ]


def _match_many(
    engine: MatchEngine,
    queries: list[matching.NeedDoc],
    k: int,
    fed: list[matching.Feedback],
) -> list[list[matching.Match]]:
    if engine.patents is None or not queries:
        return [[] for _ in queries]
    filters = to_filters(MatchFilters())
    try:
        return engine.patents.match_many(queries, k=k, filters=filters, explain=True, feedback=fed)
    except matching.EmptyQueryError:
        # One need without indexed terms: rank the chunk need by need instead.
        return [_match_one(engine, q, k, filters, fb) for q, fb in zip(queries, fed, strict=True)]


def _match_one(
    engine: MatchEngine,
    query: matching.NeedDoc,
    k: int,
    filters: matching.Filters,
    fb: matching.Feedback,
) -> list[matching.Match]:
    assert engine.patents is not None
    try:
        return engine.patents.match(query, k=k, filters=filters, feedback=fb)
    except matching.EmptyQueryError:
        return []


def _explanation_json(m: matching.Match) -> dict[str, Any]:
    return dict(explanation(m.explanation) or {})


def _finish(
    factory: sessionmaker[Session], run_id: int, state: RunState, error: str | None
) -> None:
    def finish() -> None:
        with write_session(factory) as session:
            run = session.get(MatchRun, run_id)
            if run is None or run.state not in (RunState.queued, RunState.running):
                return
            run.state = state
            run.finished_at = utcnow()
            if error:
                run.errors = [*run.errors, {"reason": error}]

    retry_busy(finish)
