from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, str_enum


class EnterpriseSize(StrEnum):
    micro = "micro"  # 微型
    small = "small"  # 小型
    medium = "medium"  # 中型
    large = "large"  # 大型


class Enterprise(TimestampMixin, Base):
    __tablename__ = "enterprises"
    __audit_resource__ = "enterprise"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry: Mapped[str | None] = mapped_column(String(200))
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)  # GB/T 4754
    is_specialized: Mapped[bool] = mapped_column(default=False, index=True)  # 专精特新
    is_high_tech: Mapped[bool] = mapped_column(default=False, index=True)  # 高新技术企业
    is_soe: Mapped[bool] = mapped_column(default=False, index=True)  # 国有企业
    is_little_giant: Mapped[bool] = mapped_column(default=False, index=True)  # 专精特新"小巨人"
    is_tech_sme: Mapped[bool] = mapped_column(default=False, index=True)  # 科技型中小企业
    is_ip_advantage: Mapped[bool] = mapped_column(default=False)  # 知识产权优势示范企业
    is_protection_center_filed: Mapped[bool] = mapped_column(default=False)  # 保护中心备案
    size: Mapped[EnterpriseSize | None] = mapped_column(str_enum(EnterpriseSize, 16))
    address: Mapped[str | None] = mapped_column(String(300))  # 注册地址
    business_scope: Mapped[str | None] = mapped_column(Text)  # 经营范围
    main_products: Mapped[str | None] = mapped_column(Text)  # 主营产品
    description: Mapped[str | None] = mapped_column(Text)  # 企业简介
    # Private contact data: only the enterprise itself and admins read it.
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
