from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, str_enum


class DealType(StrEnum):
    transfer = "transfer"  # 转让
    exclusive_license = "exclusive_license"  # 独占许可
    sole_license = "sole_license"  # 排他许可
    ordinary_license = "ordinary_license"  # 普通许可
    equity = "equity"  # 作价入股


class DealStatus(StrEnum):
    intent = "intent"  # 意向
    negotiating = "negotiating"  # 洽谈
    signed = "signed"  # 签约
    registered = "registered"  # 登记（转让）/ 备案（许可）
    implemented = "implemented"  # 实施
    industrialized = "industrialized"  # 产业化


class Deal(TimestampMixin, Base):
    __tablename__ = "deals"
    __audit_resource__ = "deal"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    type: Mapped[DealType] = mapped_column(str_enum(DealType, 24), index=True)
    status: Mapped[DealStatus] = mapped_column(str_enum(DealStatus, 16), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # yuan
    signed_on: Mapped[date | None] = mapped_column(Date)
    registration_number: Mapped[str | None] = mapped_column(String(100))  # 登记/备案号
    registered_on: Mapped[date | None] = mapped_column(Date)


class DealPatent(Base):
    """Patents in a deal (bundles allowed)."""

    __tablename__ = "deal_patents"
    __audit_resource__ = None  # part of the deal

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    patent_id: Mapped[int] = mapped_column(
        ForeignKey("patents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
