from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.common.identifiers import region_prefix
from app.institutions.models import Institution, InstitutionType


@dataclass(frozen=True)
class InstitutionFilters:
    type: InstitutionType | None = None
    region: str | None = None
    q: str | None = None


def get(session: Session, institution_id: int) -> Institution | None:
    return session.get(Institution, institution_id)


def by_external_id(session: Session, external_id: str) -> Institution | None:
    return session.scalar(select(Institution).where(Institution.external_id == external_id))


def list_statement(filters: InstitutionFilters) -> Select[Institution]:
    """The directory is readable by every role, so there is no readable statement."""
    stmt = select(Institution)
    if filters.type is not None:
        stmt = stmt.where(Institution.type == filters.type)
    if filters.region:
        stmt = stmt.where(Institution.region_code.startswith(region_prefix(filters.region)))
    if filters.q:
        stmt = stmt.where(Institution.name.icontains(filters.q, autoescape=True))
    return stmt.order_by(Institution.id)
