"""Working a claimed partition: chunks of enterprises ranked, their items written.

Each chunk is ranked in a read transaction and written in a short write transaction
that also advances the partition (``partitions.advance``): a chunk is written whole or
not at all, and a partition resumed by another worker starts after its last chunk.
Writes take the feed producer's row lock, like the producer: feed item ids are committed
in increasing order, which the pull feed's cursor relies on.
"""

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import matching
from app.common import bulk, liveness
from app.db import retry_busy, utcnow, write_session
from app.enterprises.models import Enterprise
from app.feeds import webhook_outbox
from app.feeds.digest import CST, DEFAULT_TOP
from app.feeds.models import FeedItem, ProducerState, Reason, Subscription
from app.matches import signals
from app.matches.engine import MatchEngine
from app.matches.service import explanation
from app.profiles import builder as profiles
from app.pushes import partitions, selection
from app.pushes.models import PushRun
from app.pushes.partitions import Claim

log = logging.getLogger("panhuo.pushes")
CHUNK = 200  # enterprises per write transaction
SQLITE_CHUNK = 50  # SQLite: its one write lock is held while a chunk is written


@dataclasses.dataclass
class RunContext:
    """What every chunk of one run needs, built once per worker and run."""

    run_id: int
    per_enterprise: int
    min_score: float
    enterprise_condition: Any
    filters: matching.Filters | None  # None: the run selects no indexed patent


class Lost(Exception):
    """The partition was re-claimed by another worker: stop without writing."""


def work_one(factory: sessionmaker[Session], engine: MatchEngine) -> bool:
    """Claim one partition and work it; False when there was nothing to claim."""
    with factory() as session, session.begin():
        if not partitions.has_work(session):  # most rounds: no run, no write lock
            return False
    with write_session(factory) as session:
        claim = partitions.claim(session)
    if claim is None:
        return False
    run_claimed(factory, engine, claim)
    return True


def run_claimed(factory: sessionmaker[Session], engine: MatchEngine, claim: Claim) -> None:
    def beat() -> None:
        with write_session(factory) as session:
            partitions.beat(session, claim)

    error = None
    try:
        with liveness.heartbeat(beat):
            _work(factory, engine, claim)
    except Lost:
        log.warning("push partition %s was re-claimed; stopped", claim.partition_id)
        return
    except Exception as exc:  # the partition must end failed, never stay "running"
        log.exception("push partition %s failed", claim.partition_id)
        error = _public_error(exc)
    retry_busy(lambda: _finish(factory, claim, error))


def _finish(factory: sessionmaker[Session], claim: Claim, error: str | None) -> None:
    with write_session(factory) as session:
        partitions.finish(session, claim, error)


def _public_error(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError):
        return "推送因数据库错误中断（详情已记入服务日志） / stopped on a database error (logged)"
    return f"推送中断 / the push stopped: {type(exc).__name__}"


def _work(factory: sessionmaker[Session], engine: MatchEngine, claim: Claim) -> None:
    with factory() as session, session.begin():
        engine.catch_up(session)
        ctx = _context(session, engine, claim.run_id)
        size = SQLITE_CHUNK if session.get_bind().dialect.name == "sqlite" else CHUNK
    after = max(claim.done_through, claim.lo_id - 1)
    while True:
        with factory() as session, session.begin():
            ids = _next_ids(session, ctx, claim, after, size)
            if not ids:
                return
            rows = _rank(session, engine, ctx, ids)
        with write_session(factory) as session:
            _write(session, claim, ids, rows)
        after = ids[-1]


def _context(session: Session, engine: MatchEngine, run_id: int) -> RunContext:
    run = session.get(PushRun, run_id)
    assert run is not None
    wanted = {str(i) for i in selection.patent_ids(session, run)}
    indexed = wanted & set(engine.patents.snapshot.rows) if engine.patents is not None else set()
    filters = matching.Filters(only_ids=frozenset(indexed)) if indexed else None
    return RunContext(
        run.id, run.per_enterprise, run.min_score, selection.enterprise_condition(run), filters
    )


def _next_ids(session: Session, ctx: RunContext, claim: Claim, after: int, size: int) -> list[int]:
    stmt = (
        select(Enterprise.id)
        .where(Enterprise.id > after, Enterprise.id <= claim.hi_id, ctx.enterprise_condition)
        .order_by(Enterprise.id)
        .limit(size)
    )
    return list(session.scalars(stmt))


def _rank(
    session: Session, engine: MatchEngine, ctx: RunContext, ids: list[int]
) -> list[dict[str, Any]]:
    if ctx.filters is None or engine.patents is None:
        return []
    queries = [profiles.profile_doc(p) for p in profiles.profiles_by_id(session, ids)]
    room = _room(session, ids, ctx.per_enterprise)
    pushed = _pushed(session, ids)
    askers = [signals.Asker(int(q.id), q) for q in queries]
    fed = [
        dataclasses.replace(fb, excluded=fb.excluded | pushed.get(int(q.id), frozenset()))
        for q, fb in zip(queries, signals.gather(session, engine, askers), strict=True)
    ]
    ranked = engine.patents.match_many(
        queries, k=ctx.per_enterprise, filters=ctx.filters, explain=_explain(ctx), feedback=fed
    )
    at = utcnow()
    return [
        _row(int(q.id), m, at)
        for q, found in zip(queries, ranked, strict=True)
        for m in [m for m in found if m.score >= ctx.min_score][: room[int(q.id)]]
    ]


def _explain(ctx: RunContext) -> Callable[[int, str, float], bool]:
    return lambda _position, _id, score: score >= ctx.min_score


def _row(enterprise_id: int, m: matching.Match, at: datetime) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id,
        "patent_id": int(m.id),
        "subscription_id": None,
        "reason": Reason.profile,
        "reason_key": "",
        "score": round(m.score, 6),
        "explanation": _evidence(m),
        "created_at": at,
    }


def _evidence(m: matching.Match) -> dict[str, Any]:
    matched = dict(explanation(m.explanation) or {})
    said = matched.get("summary_zh") or "技术相近"
    return {"match": matched, "summary": f"匹配企业画像：{said}"}


def _room(session: Session, ids: list[int], per_enterprise: int) -> dict[int, int]:
    """How many items each enterprise may still get today: its daily quota (the largest
    of its subscriptions', else the digest's size) less the items it got today."""
    now = utcnow().astimezone(CST)
    today = datetime(now.year, now.month, now.day, tzinfo=CST).astimezone(UTC)
    got = dict(
        session.execute(
            select(FeedItem.enterprise_id, func.count())
            .where(FeedItem.enterprise_id.in_(ids), FeedItem.created_at >= today)
            .group_by(FeedItem.enterprise_id)
        ).all()
    )
    quota = dict(
        session.execute(
            select(Subscription.enterprise_id, func.max(Subscription.quota))
            .where(Subscription.enterprise_id.in_(ids))
            .group_by(Subscription.enterprise_id)
        ).all()
    )
    return {e: max(0, min(per_enterprise, quota.get(e, DEFAULT_TOP) - got.get(e, 0))) for e in ids}


def _pushed(session: Session, ids: list[int]) -> dict[int, frozenset[str]]:
    """Patents already in each enterprise's feed, for any reason: never pushed again."""
    out: dict[int, set[str]] = defaultdict(set)
    stmt = select(FeedItem.enterprise_id, FeedItem.patent_id).where(FeedItem.enterprise_id.in_(ids))
    for enterprise_id, patent_id in session.execute(stmt):
        out[enterprise_id].add(str(patent_id))
    return {e: frozenset(p) for e, p in out.items()}


def _write(session: Session, claim: Claim, ids: list[int], rows: list[dict[str, Any]]) -> None:
    # The producer's lock (PostgreSQL; SQLite's write lock is already held): feed item
    # ids commit in increasing order.
    session.execute(select(ProducerState.id).where(ProducerState.id == 1).with_for_update())
    table = webhook_outbox.table_of(FeedItem)
    returning = [table.c.id, table.c.enterprise_id, table.c.patent_id]
    created = bulk.insert_new(session, FeedItem, rows, returning)
    pushed = len({r.enterprise_id for r in created})
    if not partitions.advance(session, claim, ids[-1], len(ids), pushed, len(created)):
        raise Lost  # rolls the chunk back
    hooked = webhook_outbox.with_endpoints(session, {r.enterprise_id for r in created})
    if hooked:
        by_pair = {(r["enterprise_id"], r["patent_id"]): r for r in rows}
        webhook_outbox.enqueue_items(
            session,
            [
                {**by_pair[(r.enterprise_id, r.patent_id)], "id": r.id}
                for r in created
                if r.enterprise_id in hooked
            ],
        )
