from dataclasses import dataclass

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.needs.models import Need, NeedStatus


@dataclass(frozen=True)
class NeedFilters:
    enterprise_id: int | None = None
    status: NeedStatus | None = None
    q: str | None = None


def get(session: Session, need_id: int) -> Need | None:
    return session.get(Need, need_id)


def readable_statement(actor: Principal) -> Select[Need]:
    """Needs the actor may read: an enterprise its own, admins and the portal all, no one else
    (needs are confidential)."""
    stmt = select(Need)
    if actor.role is Role.enterprise:
        return stmt.where(Need.enterprise_id == actor.enterprise_id)
    if actor.role in (Role.admin, Role.portal):
        return stmt
    return stmt.where(false())


def get_readable(session: Session, actor: Principal, need_id: int) -> Need | None:
    return session.scalar(readable_statement(actor).where(Need.id == need_id))


def list_statement(actor: Principal, filters: NeedFilters) -> Select[Need]:
    stmt = readable_statement(actor)
    if filters.enterprise_id is not None:
        stmt = stmt.where(Need.enterprise_id == filters.enterprise_id)
    if filters.status is not None:
        stmt = stmt.where(Need.status == filters.status)
    if filters.q:
        stmt = stmt.where(Need.title.icontains(filters.q, autoescape=True))
    return stmt.order_by(Need.id)
