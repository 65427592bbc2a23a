from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.common.identifiers import region_prefix
from app.enterprises.models import Enterprise


@dataclass(frozen=True)
class EnterpriseFilters:
    region: str | None = None
    industry_code: str | None = None
    is_specialized: bool | None = None
    is_high_tech: bool | None = None
    is_soe: bool | None = None
    is_little_giant: bool | None = None
    is_tech_sme: bool | None = None
    is_ip_advantage: bool | None = None
    q: str | None = None


_FLAGS = (
    "is_specialized",
    "is_high_tech",
    "is_soe",
    "is_little_giant",
    "is_tech_sme",
    "is_ip_advantage",
)


def get(session: Session, enterprise_id: int) -> Enterprise | None:
    return session.get(Enterprise, enterprise_id)


def by_uscc(session: Session, uscc: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def list_statement(filters: EnterpriseFilters) -> Select[Any]:
    stmt = select(Enterprise)
    for flag in _FLAGS:
        value = getattr(filters, flag)
        if value is not None:
            stmt = stmt.where(getattr(Enterprise, flag) == value)
    if filters.region:
        stmt = stmt.where(Enterprise.region_code.startswith(region_prefix(filters.region)))
    if filters.industry_code:
        stmt = stmt.where(Enterprise.industry_code.startswith(filters.industry_code))
    if filters.q:
        stmt = stmt.where(Enterprise.name.icontains(filters.q, autoescape=True))
    return stmt.order_by(Enterprise.id)
