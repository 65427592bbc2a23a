"""Push runs (精准推送): selected patents ranked against every selected enterprise's
profile, the best written into its feed.

A run is split into partitions (ranges of enterprise ids) when it is created. Workers on
any host claim partitions one at a time (``SKIP LOCKED`` on PostgreSQL), record their owner
and a heartbeat, and commit each chunk of enterprises together with the partition's
progress, so a partition whose owner died is re-claimed and resumed after its last chunk.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, UTCDateTime, str_enum


class PushState(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class PushRun(TimestampMixin, Base):
    __tablename__ = "push_runs"
    __audit_resource__ = "push_run"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[PushState] = mapped_column(str_enum(PushState, 16), index=True)
    patents: Mapped[dict[str, Any]] = mapped_column(JSON)  # the patent selection, as posted
    enterprises: Mapped[dict[str, Any]] = mapped_column(JSON)  # the enterprise selection
    # A province principal's run only reaches its province ("" for everyone else).
    province_prefix: Mapped[str] = mapped_column(String(6), default="")
    per_enterprise: Mapped[int] = mapped_column(SmallInteger)
    min_score: Mapped[float] = mapped_column(Float)
    total_enterprises: Mapped[int] = mapped_column(default=0)
    total_partitions: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_key: Mapped[int | None]


class PartitionState(StrEnum):
    pending = "pending"
    running = "running"  # claimed; re-claimable once its owner is gone
    done = "done"
    failed = "failed"


class PushPartition(Base):
    """Enterprises ``lo_id``..``hi_id`` (inclusive) of a run that its selection keeps."""

    __tablename__ = "push_partitions"
    __audit_resource__ = None  # the run is audited
    __table_args__ = (
        UniqueConstraint("run_id", "lo_id"),
        Index("ix_push_partitions_state_run_id", "state", "run_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("push_runs.id", ondelete="CASCADE"))
    lo_id: Mapped[int]
    hi_id: Mapped[int]
    enterprises: Mapped[int]  # selected when the run was created
    state: Mapped[PartitionState] = mapped_column(str_enum(PartitionState, 16))
    owner: Mapped[str | None] = mapped_column(String(200))  # "host:pid"
    # Fences a worker that was presumed dead but still runs: its writes need this token.
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claims: Mapped[int] = mapped_column(default=0)  # >1: resumed after a worker died
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_through: Mapped[int] = mapped_column(default=0)  # last enterprise id committed
    done_enterprises: Mapped[int] = mapped_column(default=0)
    pushed_enterprises: Mapped[int] = mapped_column(default=0)  # got at least one item
    items: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
