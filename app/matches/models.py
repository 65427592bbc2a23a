from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.jobs import JobMixin, Wording
from app.common.messages import Msg
from app.db import Base, UTCDateTime, utcnow


class IndexChange(Base):
    """Outbox of matchable writes, written in the writer's transaction by the flush hook.

    Every worker replays it (``app.matches.engine``) before answering a match, so a read
    after a committed write sees the write whichever worker serves it.
    """

    __tablename__ = "index_changes"
    __audit_resource__ = None
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # patent / need / enterprise
    doc_id: Mapped[int]


class MatchRun(JobMixin, Base):
    """A batch job matching open needs (all or selected) against the pool."""

    __tablename__ = "match_runs"
    __audit_resource__ = "match_run"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)
    wording = Wording(Msg("匹配任务", "run"), Msg("请重新发起", "start a new run"))

    need_ids: Mapped[list[int] | None] = mapped_column(JSON)  # None: every open need
    per_need: Mapped[int] = mapped_column(SmallInteger)
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    def record_error(self, reason: str) -> None:
        self.errors = [*self.errors, {"reason": reason}]


class MatchResult(Base):
    """One ranked (need, patent) pair of a run, kept for pushing and auditing."""

    __tablename__ = "match_results"
    __audit_resource__ = None  # written in bulk by the run, which is itself audited
    __table_args__ = (
        Index("ix_match_results_run_need_rank", "run_id", "need_id", "rank"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(index=True)
    patent_id: Mapped[int] = mapped_column(index=True)
    rank: Mapped[int] = mapped_column(SmallInteger)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
