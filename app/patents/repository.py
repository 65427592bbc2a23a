from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.identifiers import region_prefix
from app.institutions.models import Institution
from app.patents.models import (
    ImplementationStatus,
    LegalStatus,
    Patent,
    PatentIpc,
    PatentType,
    PoolStatus,
    ValueGrade,
)


@dataclass(frozen=True)
class PatentFilters:
    institution_id: int | None = None
    ipc: str | None = None
    legal_status: LegalStatus | None = None
    pool_status: PoolStatus | None = None
    patent_type: PatentType | None = None
    region: str | None = None
    value_grade: ValueGrade | None = None
    state_funded: bool | None = None
    implementation_status: ImplementationStatus | None = None
    q: str | None = None


def get(session: Session, patent_id: int) -> Patent | None:
    return session.get(Patent, patent_id)


def by_application_number(session: Session, number: str) -> Patent | None:
    return session.scalar(select(Patent).where(Patent.application_number == number))


_EQUALITY_FILTERS = (
    "institution_id",
    "legal_status",
    "pool_status",
    "patent_type",
    "value_grade",
    "state_funded",
    "implementation_status",
)


def readable_statement(actor: Principal) -> Select[Patent]:
    """Patents the actor may read: an institution its own, a province its region, others all."""
    stmt = select(Patent)
    if actor.role is Role.institution:
        return stmt.where(Patent.institution_id == actor.institution_id)
    if actor.role is Role.province:
        return stmt.where(Patent.region_code.startswith(actor.province_prefix))
    return stmt


def get_readable(session: Session, actor: Principal, patent_id: int) -> Patent | None:
    return session.scalar(readable_statement(actor).where(Patent.id == patent_id))


def list_statement(actor: Principal, filters: PatentFilters) -> Select[Patent]:
    stmt = readable_statement(actor)
    for name in _EQUALITY_FILTERS:
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(getattr(Patent, name) == value)
    if filters.ipc:
        # Any listed code (main or additional) under the prefix; patent_ipc.code is indexed.
        stmt = stmt.where(
            exists().where(
                PatentIpc.patent_id == Patent.id,
                PatentIpc.code.startswith(filters.ipc, autoescape=True),
            )
        )
    if filters.region:
        stmt = stmt.where(Patent.region_code.startswith(region_prefix(filters.region)))
    if filters.q:
        stmt = stmt.where(Patent.title.icontains(filters.q, autoescape=True))
    return stmt.order_by(Patent.id)


def briefs(session: Session, ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """``PatentBrief`` fields of the given patents, by id, in one query."""
    stmt = (
        select(
            Patent.id,
            Patent.application_number,
            Patent.title,
            Patent.legal_status,
            Patent.institution_id,
            Institution.name.label("institution_name"),
        )
        .outerjoin(Institution, Institution.id == Patent.institution_id)
        .where(Patent.id.in_(set(ids)))
    )
    return {row.id: dict(row._mapping) for row in session.execute(stmt)} if ids else {}
