from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class IndexChange(Base):
    """Log of matchable writes, written in the writer's transaction (``changes.recorder``).

    Every worker replays it (``app.matches.engine``) before answering a match, so a read
    after a committed write sees the write whichever worker serves it; the feed producer
    reads it to find patents entering the pool.
    """

    __tablename__ = "index_changes"
    __audit_resource__ = None
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # patent / need / enterprise
    doc_id: Mapped[int]
