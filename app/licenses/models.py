from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow


class FeeType(StrEnum):
    one_off = "one_off"  # 一次性
    royalty_sales = "royalty_sales"  # 提成（按净销售额）
    royalty_profit = "royalty_profit"  # 提成（按利润）
    entry_plus_royalty = "entry_plus_royalty"  # 入门费加提成


class DeclarationStatus(StrEnum):
    declared = "declared"
    withdrawn = "withdrawn"


class OpenLicense(TimestampMixin, Base):
    """开放许可声明 (Patent Law Art. 50-52): published terms anyone may accept."""

    __tablename__ = "open_licenses"
    __audit_resource__ = "open_license"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    status: Mapped[DeclarationStatus] = mapped_column(str_enum(DeclarationStatus, 16), index=True)
    fee_type: Mapped[FeeType] = mapped_column(str_enum(FeeType, 24))
    one_off_fee: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # yuan
    entry_fee: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # yuan
    royalty_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # percent
    payment_method: Mapped[str] = mapped_column(String(200))
    payment_schedule: Mapped[str | None] = mapped_column(String(500))
    term_years: Mapped[int]
    evaluation_report: Mapped[str | None] = mapped_column(String(200))  # 专利权评价报告
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OpenLicenseAcceptance(Base):
    """An enterprise accepting published terms: a non-exclusive licence from that moment."""

    __tablename__ = "open_license_acceptances"
    __audit_resource__ = "open_license_acceptance"
    __table_args__ = (
        UniqueConstraint("open_license_id", "enterprise_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    open_license_id: Mapped[int] = mapped_column(
        ForeignKey("open_licenses.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
