from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.common.identifiers import region_prefix
from app.institutions.models import Institution, InstitutionType


def get(session: Session, institution_id: int) -> Institution | None:
    return session.get(Institution, institution_id)


def by_external_id(session: Session, external_id: str) -> Institution | None:
    return session.scalar(select(Institution).where(Institution.external_id == external_id))


def list_statement(type_: InstitutionType | None, region: str | None, q: str | None) -> Select[Any]:
    stmt = select(Institution)
    if type_ is not None:
        stmt = stmt.where(Institution.type == type_)
    if region:
        stmt = stmt.where(Institution.region_code.startswith(region_prefix(region)))
    if q:
        stmt = stmt.where(Institution.name.icontains(q, autoescape=True))
    return stmt.order_by(Institution.id)
