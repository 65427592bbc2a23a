from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, str_enum


class InstitutionType(StrEnum):
    university = "university"  # 高校
    research_institute = "research_institute"  # 科研机构
    soe = "soe"  # 国有企业
    other = "other"


class Institution(TimestampMixin, Base):
    __tablename__ = "institutions"
    __audit_resource__ = "institution"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[InstitutionType] = mapped_column(str_enum(InstitutionType, 32), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
