"""The match-run job: open needs (all or a selection) ranked against the pool, in chunks.

Each chunk is ranked in a read transaction and stored in a write transaction of its own,
with the run's progress: on SQLite a read transaction cannot become a writer once another
connection has committed since it began ("database is locked" at once, no waiting).
"""

from functools import partial
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

import matching
from app.common import jobs
from app.db import utcnow
from app.matches import docs, signals
from app.matches.engine import MatchEngine
from app.matches.models import MatchResult, MatchRun
from app.matches.schemas import MatchFilters
from app.matches.service import explanation, to_filters
from app.needs.models import Need, NeedStatus

CHUNK = 256


def run_match(factory: sessionmaker[Session], run_id: int, engine: MatchEngine) -> None:
    """Run a queued match run to the end."""

    def body(job: jobs.Running) -> None:
        need_ids = job.read(partial(_need_ids, run_id=run_id))
        for start in range(0, len(need_ids), CHUNK):
            _run_chunk(job, engine, run_id, need_ids[start : start + CHUNK])

    jobs.run(factory, MatchRun, run_id, body)


def _run_chunk(job: jobs.Running, engine: MatchEngine, run_id: int, need_ids: list[int]) -> None:
    rows = job.read(lambda session: _rank_chunk(session, engine, run_id, need_ids))
    job.write(lambda session: _store_chunk(session, run_id, len(need_ids), rows))


def _need_ids(session: Session, run_id: int) -> list[int]:
    run = session.get(MatchRun, run_id)
    assert run is not None
    stmt = select(Need.id).where(Need.status == NeedStatus.open).order_by(Need.id)
    if run.need_ids is not None:
        stmt = stmt.where(Need.id.in_(run.need_ids))
    return list(session.scalars(stmt))


def _store_chunk(session: Session, run_id: int, needs: int, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(MatchResult), rows)
    session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id)
        .values(processed=MatchRun.processed + needs, heartbeat_at=utcnow())
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
