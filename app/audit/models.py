from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One write: who (key and role), what (action, resource, changed field names), when.

    Field *values* are not recorded: they can be confidential need text or prices.
    Key ids are plain integers, not foreign keys, so history outlives deleted keys.
    """

    __tablename__ = "audit_log"
    __audit_resource__ = None
    __table_args__ = (
        Index("ix_audit_log_resource", "resource_type", "resource_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    key_id: Mapped[int | None] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))  # create / update / delete
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(40))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[str | None] = mapped_column(String(100))
