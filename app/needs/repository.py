from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.needs.models import Need, NeedStatus


@dataclass(frozen=True)
class NeedFilters:
    enterprise_id: int | None = None
    status: NeedStatus | None = None
    q: str | None = None


def get(session: Session, need_id: int) -> Need | None:
    return session.get(Need, need_id)


def list_statement(filters: NeedFilters) -> Select[Any]:
    stmt = select(Need)
    if filters.enterprise_id is not None:
        stmt = stmt.where(Need.enterprise_id == filters.enterprise_id)
    if filters.status is not None:
        stmt = stmt.where(Need.status == filters.status)
    if filters.q:
        stmt = stmt.where(Need.title.icontains(filters.q, autoescape=True))
    return stmt.order_by(Need.id)
