"""Feed production: patents entering the pool → feed items and webhook outbox rows.

The producer consumes the change log (``app.changes``, written in each patent write's
transaction, for single creates, bulk writes, imports, status and licence changes) past a
watermark kept in ``feed_producer``. For each changed patent it compares the current state
with the last one it saw (``feed_patent_states``):

- it *entered the pool* when it is now in the pool and valid but was not before (or is new
  since the feeds started): it is matched against every active subscription, in one batch;
- a changed legal status, pool status, modes or open licence is pushed to its watchers.

Re-processing is harmless (state comparison, and the unique feed-item key with
``ON CONFLICT DO NOTHING``), so the watermark only passes settled rows (see
``app.changes.watermark``): ids commit out of order, and a row committed late is still
seen. Producers lock the ``feed_producer`` row for their transaction, so they run one at a
time across processes and feed item ids are committed in increasing order (the pull feed's
cursor relies on it).
"""

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.changes.watermark import Change, Watermark, latest_id
from app.common import bulk
from app.config import Settings
from app.db import utcnow, write_session
from app.feeds import sources, webhook_outbox
from app.feeds.models import FeedItem, PatentState, ProducerState, Reason
from app.feeds.rules import Draft, Rule
from app.matches.engine import MatchEngine

log = logging.getLogger("panhuo.feeds")
CHUNK = 2000  # patents per transaction
# On SQLite a chunk holds the database's only write lock while it matches: kept short,
# so imports and API writes beside it never wait near their 30 s busy timeout.
SQLITE_CHUNK = 250


class Producer:
    def __init__(self) -> None:
        # Its mark follows the persisted one; its handled ids are this process's own.
        self._watermark = Watermark()

    def run(
        self, factory: sessionmaker[Session], engine: MatchEngine | None, settings: Settings
    ) -> int:
        """Handle every pending change; the number of feed items written."""
        with factory() as session, session.begin():
            self._watermark.advance(_state(session).last_change_id)
            rows = session.execute(self._watermark.pending("patent")).all()
        fresh = self._watermark.unhandled(rows)
        made = 0
        if fresh:
            if engine is not None:
                with factory() as session, session.begin():
                    engine.catch_up(session)  # needs written since: follow them too
            ids = list(dict.fromkeys(r.doc_id for r in fresh))
            compiled = None  # subscriptions, read once per run
            size = SQLITE_CHUNK if _is_sqlite(factory) else CHUNK
            for start in range(0, len(ids), size):
                with write_session(factory) as session:
                    started = _lock(session).started_at
                    if compiled is None:
                        compiled = sources.compile_rules(session)
                    chunk = ids[start : start + size]
                    with _gc_paused():
                        made += produce(session, engine, settings, chunk, started, compiled)
            self._watermark.handled(r.id for r in fresh)
        if rows:
            self._settle(factory, rows)
        return made

    def _settle(self, factory: sessionmaker[Session], rows: Sequence[Change]) -> None:
        if not self._watermark.settle(rows):
            return
        with write_session(factory) as session:
            state = _lock(session)
            state.last_change_id = max(state.last_change_id, self._watermark.mark)


def _is_sqlite(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        return session.get_bind().dialect.name == "sqlite"


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Automatic garbage collection off while one chunk is produced.

    A chunk keeps ~10⁵ containers alive until it is written (match results, drafts,
    explanations, rows); as they survive, CPython runs full collections over the whole
    process heap again and again: a third of production's CPU at 5k × 5k. Nothing the
    chunk allocates needs the cycle collector to be freed in time; collection resumes (and
    catches up) as soon as the chunk is done. Process-wide, so a few seconds at most.
    """
    if not gc.isenabled():  # someone else decided; leave it as it is
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _state(session: Session) -> ProducerState:
    state = session.get(ProducerState, 1)
    if state is None:  # the migration inserts it; a hand-made schema may lack it
        state = ProducerState(id=1, last_change_id=latest_id(session), started_at=utcnow())
        session.add(state)
        session.flush()
    return state


def _lock(session: Session) -> ProducerState:
    # A write first: the row lock (PostgreSQL) or the write lock (SQLite) serializes producers.
    session.execute(
        update(ProducerState).where(ProducerState.id == 1).values(heartbeat_at=utcnow())
    )
    state = _state(session)
    session.refresh(state)
    return state


def produce(
    session: Session,
    engine: MatchEngine | None,
    settings: Settings,
    patent_ids: list[int],
    started: datetime,
    compiled: list[Rule],
) -> int:
    """Feed items (and their outbox rows) for changes of ``patent_ids``; flushes only."""
    current = sources.load_patents(session, patent_ids)
    states = {
        s.patent_id: s
        for s in session.scalars(select(PatentState).where(PatentState.patent_id.in_(patent_ids)))
    }
    entered, changed = [], []
    for patent, open_license in current:
        now = sources.patent_state(patent, open_license)
        before = states.get(patent.id)
        if now.pushable and (
            (before is None and patent.created_at >= started)
            or (before is not None and not before.pushable)
        ):
            entered.append((patent, open_license))
        if before is not None and before.signature != now.signature:
            changed.append((patent, before.signature, now.signature))
        _save_state(session, before, now)
    drafts = sources.match_new(engine, settings, entered, compiled) if entered else []
    watch = sources.watch_drafts(session, changed) if changed else []
    return _write(session, drafts, watch)


def _save_state(session: Session, before: PatentState | None, now: PatentState) -> None:
    if before is None:
        session.add(now)
    elif (before.pushable, before.signature) != (now.pushable, now.signature):
        before.pushable, before.signature = now.pushable, now.signature


def _write(session: Session, drafts: list[Draft], watch: list[tuple[Draft, str]]) -> int:
    session.flush()
    patents = {d.patent_id for d in drafts} | {d.patent_id for d, _ in watch}
    refused = sources.no_need_pairs(session, patents)
    at = utcnow()
    rows = [
        _row(d, Reason.match, "", at)
        for d in drafts
        if (d.enterprise_id, d.patent_id) not in refused
    ]
    rows += [
        _row(d, Reason.watch, key, at)
        for d, key in watch
        if (d.enterprise_id, d.patent_id) not in refused
    ]
    if not rows:
        return 0
    table = webhook_outbox.table_of(FeedItem)
    returning = [
        table.c[name] for name in ("id", "enterprise_id", "patent_id", "reason", "reason_key")
    ]
    created = bulk.insert_new(session, FeedItem, rows, returning)
    # Outbox rows only for enterprises with an endpoint: most items have none.
    hooked = webhook_outbox.with_endpoints(session, {r.enterprise_id for r in created})
    by_key = {
        (r["enterprise_id"], r["patent_id"], r["reason"], r["reason_key"]): r
        for r in rows
        if r["enterprise_id"] in hooked
    }
    items = [
        {**by_key[(row.enterprise_id, row.patent_id, row.reason, row.reason_key)], "id": row.id}
        for row in created
        if row.enterprise_id in hooked
    ]
    webhook_outbox.enqueue_items(session, items)
    log.info("feed items written: %d", len(created))
    return len(created)


def _row(d: Draft, reason: Reason, key: str, at: datetime) -> dict[str, Any]:
    return {
        "enterprise_id": d.enterprise_id,
        "patent_id": d.patent_id,
        "subscription_id": d.subscription_id or None,
        "reason": reason,
        "reason_key": key,
        "score": round(d.score, 6),
        "explanation": d.explanation,
        "created_at": at,
    }
