from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, str_enum, utcnow


class Intent(StrEnum):
    transfer = "transfer"  # 转让
    license = "license"  # 许可
    equity = "equity"  # 作价入股
    improvement = "improvement"  # 技术改进需求
    cooperation = "cooperation"  # 产学研合作
    no_need = "no_need"  # 无需求


# Every intent but 无需求: the enterprise wants the patent in some form.
POSITIVE = (Intent.transfer, Intent.license, Intent.equity, Intent.improvement, Intent.cooperation)


class Feedback(Base):
    """An enterprise's intent about a patent, with an optional prospect rating.

    One current row per (enterprise, patent); a new submission marks the previous one
    not current, so the history stays. Ratings are 1-5 per dimension.
    """

    __tablename__ = "feedback"
    __audit_resource__ = "feedback"
    __table_args__ = (
        # At most one current row per pair; history rows are not current.
        Index(
            "uq_feedback_current",
            "enterprise_id",
            "patent_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    is_current: Mapped[bool] = mapped_column(default=True)
    intent: Mapped[Intent] = mapped_column(str_enum(Intent, 16), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    rating_market: Mapped[int | None] = mapped_column(SmallInteger)  # 市场前景
    rating_maturity: Mapped[int | None] = mapped_column(SmallInteger)  # 技术成熟度
    rating_difficulty: Mapped[int | None] = mapped_column(SmallInteger)  # 实施难度（5 = 容易）
    rating_comment: Mapped[str | None] = mapped_column(String(2000))
    share_contact: Mapped[bool] = mapped_column(default=False)  # institution may see contact
    show_author: Mapped[bool] = mapped_column(default=False)  # rating comment shows the author
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
