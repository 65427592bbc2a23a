from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.schemas import AuditFilters
from app.common.paging import PageParams, paginate


def audit_page(session: Session, paging: PageParams, filters: AuditFilters) -> dict[str, Any]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    for column, value in filters.values.items():
        if value is not None:
            stmt = stmt.where(getattr(AuditEntry, column) == value)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.at >= filters.since)
    return paginate(session, stmt, paging)
