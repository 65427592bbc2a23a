from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, str_enum


class PatentType(StrEnum):
    invention = "invention"  # 发明
    utility_model = "utility_model"  # 实用新型
    design = "design"  # 外观设计


class LegalStatus(StrEnum):
    valid = "valid"  # 有权
    pending = "pending"  # 审中
    lapsed = "lapsed"  # 失效（未缴年费、放弃、终止）
    expired = "expired"  # 期限届满
    rejected = "rejected"  # 驳回
    withdrawn = "withdrawn"  # 撤回、视为撤回
    invalidated = "invalidated"  # 全部无效
    unknown = "unknown"


class PoolStatus(StrEnum):
    in_pool = "in_pool"
    withdrawn = "withdrawn"


class ImplementationStatus(StrEnum):
    implemented = "implemented"
    not_implemented = "not_implemented"


class ValueGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Patent(TimestampMixin, Base):
    __tablename__ = "patents"
    __audit_resource__ = "patent"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_number: Mapped[str] = mapped_column(String(20), unique=True)  # 申请号
    publication_number: Mapped[str | None] = mapped_column(String(32), index=True)  # 公开号
    patent_type: Mapped[PatentType] = mapped_column(str_enum(PatentType), index=True)
    title: Mapped[str] = mapped_column(String(500))
    abstract: Mapped[str | None] = mapped_column(Text)
    first_claim: Mapped[str | None] = mapped_column(Text)  # 主权项
    ipc_main: Mapped[str | None] = mapped_column(String(40), index=True)
    applicants: Mapped[list[str]] = mapped_column(JSON, default=list)
    inventors: Mapped[list[str]] = mapped_column(JSON, default=list)
    filing_date: Mapped[date | None] = mapped_column(Date)
    publication_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    legal_status: Mapped[LegalStatus] = mapped_column(str_enum(LegalStatus), index=True)
    legal_status_raw: Mapped[str | None] = mapped_column(String(100))  # the exporter's wording
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    # Set when a registered transfer deal moves the patent to an enterprise.
    holder_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    pool_status: Mapped[PoolStatus] = mapped_column(str_enum(PoolStatus), index=True)
    value_grade: Mapped[ValueGrade | None] = mapped_column(str_enum(ValueGrade, 1), index=True)
    industrialization_prospect: Mapped[int | None] = mapped_column(SmallInteger)  # self-rated 1-5
    implementation_status: Mapped[ImplementationStatus] = mapped_column(
        str_enum(ImplementationStatus)
    )
    state_funded: Mapped[bool] = mapped_column(default=False, index=True)
    transaction_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    asking_price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # yuan

    ipc_entries: Mapped[list["PatentIpc"]] = relationship(
        order_by="PatentIpc.position",
        cascade="all, delete-orphan",
        lazy="selectin",
        passive_deletes=True,
    )

    @property
    def ipc_codes(self) -> list[str]:
        return [entry.code for entry in self.ipc_entries]


class PatentIpc(Base):
    """One IPC code of a patent; a table rather than JSON so prefix filters use an index."""

    __tablename__ = "patent_ipc"
    __audit_resource__ = None  # audited as the patent's ipc_entries field
    __table_args__ = (
        # varchar_pattern_ops lets LIKE 'G06F%' use the index under any PostgreSQL collation.
        Index("ix_patent_ipc_code", "code", postgresql_ops={"code": "varchar_pattern_ops"}),
    )

    patent_id: Mapped[int] = mapped_column(
        ForeignKey("patents.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
