from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from app.audit import service
from app.audit.schemas import AuditRead
from app.audit.service import AuditFilters
from app.auth.deps import Admin
from app.common.paging import Page, Paging
from app.common.params import Id
from app.common.types import ShortText
from app.db import DBSession

router = APIRouter(prefix="/v1/audit-log", tags=["audit 审计"])


def audit_filters(
    key_id: Annotated[Id | None, Query()] = None,
    resource_type: ShortText | None = None,
    resource_id: ShortText | None = None,
    action: ShortText | None = None,
    since: AwareDatetime | None = None,
) -> AuditFilters:
    return AuditFilters(
        key_id=key_id,
        resource_type=resource_type,
        resource_id=resource_id,
        action=action,
        since=since,
    )


@router.get("")
def list_audit_log(
    session: DBSession,
    paging: Paging,
    _: Admin,
    filters: Annotated[AuditFilters, Depends(audit_filters)],
) -> Page[AuditRead]:
    """Newest first."""
    return service.audit_page(session, paging, filters)
