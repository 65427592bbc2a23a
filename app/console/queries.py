"""Read-only look-ups the console's tables need beside what the services return.

Only presentation: counts and ids for the rows already on a page (one query each, not one
per row). Scope is decided by the service that listed the rows.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.feedback.models import Feedback, Intent
from app.institutions.models import Institution
from app.licenses.models import DeclarationStatus, OpenLicense
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
