"""Claiming a run's partitions, from any number of workers on any number of hosts.

A claim is one short write transaction: partitions whose owner is gone (``liveness``) go
back to pending, then the first pending partition of a live run is taken. On PostgreSQL
both reads use ``FOR UPDATE SKIP LOCKED``, so concurrent workers never wait for each other
nor take the same partition; on SQLite the transaction begins as the only writer. Each
claim draws a new token: the chunk writes of a worker that lost its claim (presumed dead,
still running) find the token changed and write nothing.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.common import liveness
from app.db import utcnow
from app.pushes.models import PartitionState, PushPartition, PushRun, PushState

LIVE_RUNS = (PushState.queued, PushState.running)


@dataclass(frozen=True)
class Claim:
    partition_id: int
    run_id: int
    token: str
    lo_id: int
    hi_id: int
    done_through: int  # resume after this enterprise id


def has_work(session: Session) -> bool:
    stmt = select(PushRun.id).where(PushRun.state.in_(LIVE_RUNS)).limit(1)
    return session.scalar(stmt) is not None


def reap(session: Session) -> int:
    """Running partitions whose owner is gone go back to pending; how many."""
    stmt = (
        select(PushPartition)
        .where(PushPartition.state == PartitionState.running)
        .with_for_update(skip_locked=True)
    )
    dead = [p for p in session.scalars(stmt) if liveness.is_dead(p.owner, p.heartbeat_at)]
    for partition in dead:
        partition.state, partition.owner, partition.claim_token = PartitionState.pending, None, None
    session.flush()
    return len(dead)


def claim(session: Session) -> Claim | None:
    """Take the next pending partition of a live run (in a write transaction)."""
    reap(session)
    stmt = (
        select(PushPartition)
        .join(PushRun, PushRun.id == PushPartition.run_id)
        .where(PushPartition.state == PartitionState.pending, PushRun.state.in_(LIVE_RUNS))
        .order_by(PushPartition.run_id, PushPartition.id)
        .limit(1)
        .with_for_update(of=PushPartition, skip_locked=True)
    )
    partition = session.scalar(stmt)
    if partition is None:
        return None
    token, now = uuid.uuid4().hex, utcnow()
    partition.state, partition.owner, partition.claim_token = (
        PartitionState.running,
        liveness.this_process(),
        token,
    )
    partition.claims, partition.heartbeat_at = partition.claims + 1, now
    session.execute(
        update(PushRun)
        .where(PushRun.id == partition.run_id, PushRun.state == PushState.queued)
        .values(state=PushState.running, started_at=now)
    )
    session.flush()
    return Claim(
        partition.id,
        partition.run_id,
        token,
        partition.lo_id,
        partition.hi_id,
        partition.done_through,
    )


def beat(session: Session, claim: Claim) -> None:
    session.execute(
        update(PushPartition)
        .where(PushPartition.id == claim.partition_id, PushPartition.claim_token == claim.token)
        .values(heartbeat_at=utcnow())
    )


def advance(
    session: Session, claim: Claim, through: int, enterprises: int, pushed: int, items: int
) -> bool:
    """Record a chunk as done, in the transaction writing its items; False: claim lost."""
    result = session.execute(
        update(PushPartition)
        .where(
            PushPartition.id == claim.partition_id,
            PushPartition.claim_token == claim.token,
            PushPartition.state == PartitionState.running,
        )
        .values(
            done_through=through,
            done_enterprises=PushPartition.done_enterprises + enterprises,
            pushed_enterprises=PushPartition.pushed_enterprises + pushed,
            items=PushPartition.items + items,
            heartbeat_at=utcnow(),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(session: Session, claim: Claim, error: str | None = None) -> None:
    """End the partition (done, or failed with ``error``) and, when it was the run's last
    open one, the run."""
    state = PartitionState.failed if error else PartitionState.done
    # The run row first: two workers ending its last partitions must not each see the
    # other's as still running (PostgreSQL, READ COMMITTED), so they settle in turn.
    session.execute(select(PushRun.id).where(PushRun.id == claim.run_id).with_for_update())
    ended = session.execute(
        update(PushPartition)
        .where(PushPartition.id == claim.partition_id, PushPartition.claim_token == claim.token)
        .values(state=state, error=error, finished_at=utcnow(), heartbeat_at=utcnow())
    )
    if ended.rowcount:  # type: ignore[attr-defined]
        settle_run(session, claim.run_id)


def settle_run(session: Session, run_id: int) -> None:
    """Mark the run finished once none of its partitions is pending or running."""
    states = dict(
        session.execute(
            select(PushPartition.state, func.count())
            .where(PushPartition.run_id == run_id)
            .group_by(PushPartition.state)
        ).all()
    )
    if states.get(PartitionState.pending) or states.get(PartitionState.running):
        return
    run = session.get(PushRun, run_id)
    if run is None or run.state not in LIVE_RUNS:
        return
    run.state = PushState.failed if states.get(PartitionState.failed) else PushState.succeeded
    run.finished_at = utcnow()
    session.flush()
