from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.schemas import AuditRead
from app.common.paging import Page, PageParams, paginate


@dataclass(frozen=True)
class AuditFilters:
    key_id: int | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    action: str | None = None
    since: datetime | None = None


_EQUALITY_FILTERS = ("key_id", "resource_type", "resource_id", "action")


def list_statement(filters: AuditFilters) -> Select[AuditEntry]:
    """Newest first; the audit log is read by admins only (the route checks it)."""
    stmt = select(AuditEntry)
    for name in _EQUALITY_FILTERS:
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(getattr(AuditEntry, name) == value)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.at >= filters.since)
    return stmt.order_by(AuditEntry.id.desc())


def audit_page(session: Session, paging: PageParams, filters: AuditFilters) -> Page[AuditRead]:
    return paginate(session, list_statement(filters), paging, AuditRead.model_validate)
