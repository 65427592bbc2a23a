"""Read-only look-ups the console's tables need beside what the services return.

Only presentation: counts and ids for the rows already on a page (one query each, not one
per row). Scope is decided by the service that listed the rows.
"""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.identifiers import region_name
from app.deals.models import Deal, DealPatent, DealStatus, DealType
from app.enterprises.models import Enterprise
from app.feedback.models import Feedback, Intent
from app.institutions.models import Institution
from app.licenses.models import DeclarationStatus, OpenLicense, OpenLicenseAcceptance
from app.patents.models import Patent


def intents_received(db: Session, patent_ids: list[int]) -> dict[int, int]:
    """Current feedback other than 无需求 per patent: the owner's 'intents received'."""
    if not patent_ids:
        return {}
    rows = db.execute(
        select(Feedback.patent_id, func.count())
        .where(
            Feedback.patent_id.in_(patent_ids),
            Feedback.is_current.is_(True),
            Feedback.intent != Intent.no_need,
        )
        .group_by(Feedback.patent_id)
    )
    return {pid: int(n) for pid, n in rows}


def declared_licences(db: Session, patent_ids: list[int]) -> dict[int, int]:
    """Patent id → its declared (not withdrawn) open licence id."""
    if not patent_ids:
        return {}
    rows = db.execute(
        select(OpenLicense.patent_id, OpenLicense.id).where(
            OpenLicense.patent_id.in_(patent_ids),
            OpenLicense.status == DeclarationStatus.declared,
        )
    )
    return {pid: lid for pid, lid in rows}


def patent_titles(db: Session, patent_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Titles and holders for lists that carry only patent ids (watchlist)."""
    if not patent_ids:
        return {}
    rows = db.execute(
        select(Patent.id, Patent.title, Patent.legal_status, Institution.name)
        .outerjoin(Institution, Institution.id == Patent.institution_id)
        .where(Patent.id.in_(patent_ids))
    )
    return {
        pid: {"title": title, "legal_status": status, "institution": name}
        for pid, title, status, name in rows
    }


def organisation(db: Session, actor: Principal) -> str:
    """The header names who is signed in: the institution, company or office."""
    if actor.role is Role.institution and actor.institution_id is not None:
        found = db.scalar(select(Institution.name).where(Institution.id == actor.institution_id))
        return found or "高校/科研机构"
    if actor.role is Role.enterprise and actor.enterprise_id is not None:
        found = db.scalar(select(Enterprise.name).where(Enterprise.id == actor.enterprise_id))
        return found or "企业"
    if actor.role is Role.province:
        return f"{region_name(actor.province_code or '') or '省级'}知识产权局"
    return {Role.portal: "转化运用平台", Role.admin: "平台管理员"}.get(actor.role, "")


# Deals from signing on are in force (the same stages as app.licenses.service.IN_FORCE).
IN_FORCE = (
    DealStatus.signed,
    DealStatus.registered,
    DealStatus.implemented,
    DealStatus.industrialized,
)
EXCLUSIVE = (DealType.exclusive_license, DealType.sole_license)


def exclusive_in_force(db: Session, patent_ids: list[int]) -> set[int]:
    """Patents under an exclusive or sole licence in force: no open licence can be declared."""
    if not patent_ids:
        return set()
    rows = db.scalars(
        select(DealPatent.patent_id)
        .join(Deal, Deal.id == DealPatent.deal_id)
        .where(
            DealPatent.patent_id.in_(patent_ids),
            Deal.type.in_(EXCLUSIVE),
            Deal.status.in_(IN_FORCE),
        )
    )
    return set(rows)


def enterprise_names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids)))
    return {eid: name for eid, name in rows}


def open_licensees(db: Session, patent_id: int, today: date) -> list[dict[str, Any]]:
    """Accepted open licences of a patent still in force, with the licensee's name."""
    rows = db.execute(
        select(Enterprise.name, OpenLicenseAcceptance.starts_on, OpenLicenseAcceptance.ends_on)
        .join(OpenLicense, OpenLicense.id == OpenLicenseAcceptance.open_license_id)
        .join(Enterprise, Enterprise.id == OpenLicenseAcceptance.enterprise_id)
        .where(OpenLicense.patent_id == patent_id, OpenLicenseAcceptance.ends_on >= today)
        .order_by(OpenLicenseAcceptance.starts_on)
    )
    return [{"enterprise": n, "starts_on": s, "ends_on": e} for n, s, e in rows]


def accepted_by(db: Session, enterprise_id: int | None, licence_ids: list[int]) -> set[int]:
    """The open licences among ``licence_ids`` this enterprise has already accepted."""
    if enterprise_id is None or not licence_ids:
        return set()
    rows = db.scalars(
        select(OpenLicenseAcceptance.open_license_id).where(
            OpenLicenseAcceptance.enterprise_id == enterprise_id,
            OpenLicenseAcceptance.open_license_id.in_(licence_ids),
        )
    )
    return set(rows)
