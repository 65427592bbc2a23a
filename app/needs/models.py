from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, str_enum


class NeedStatus(StrEnum):
    open = "open"
    matched = "matched"
    closed = "closed"


class Need(TimestampMixin, Base):
    """An enterprise's technology need (技术需求). Confidential to that enterprise."""

    __tablename__ = "needs"
    __audit_resource__ = "need"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    ipc_hints: Mapped[list[str]] = mapped_column(JSON, default=list)
    wanted_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_min: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    budget_max: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    preferred_regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[NeedStatus] = mapped_column(str_enum(NeedStatus, 16), index=True)
    deadline: Mapped[date | None] = mapped_column(Date)
