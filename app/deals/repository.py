from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.deals.models import Deal, DealPatent, DealStatus


@dataclass(frozen=True)
class DealFilters:
    status: DealStatus | None = None
    patent_id: int | None = None


def readable_statement(actor: Principal) -> Select[Deal]:
    """Deals the actor may read: an institution or enterprise those it is party to, others all."""
    stmt = select(Deal)
    if actor.role is Role.institution:
        return stmt.where(Deal.institution_id == actor.institution_id)
    if actor.role is Role.enterprise:
        return stmt.where(Deal.enterprise_id == actor.enterprise_id)
    return stmt


def get_readable(session: Session, actor: Principal, deal_id: int) -> Deal | None:
    return session.scalar(readable_statement(actor).where(Deal.id == deal_id))


def list_statement(actor: Principal, filters: DealFilters) -> Select[Deal]:
    stmt = readable_statement(actor)
    if filters.status is not None:
        stmt = stmt.where(Deal.status == filters.status)
    if filters.patent_id is not None:
        on_patent = select(DealPatent.deal_id).where(DealPatent.patent_id == filters.patent_id)
        stmt = stmt.where(Deal.id.in_(on_patent))
    return stmt.order_by(Deal.id)
