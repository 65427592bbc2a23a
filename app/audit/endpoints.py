from typing import Annotated

from fastapi import APIRouter, Depends

from app.audit import service
from app.audit.schemas import AuditFilters, AuditRead
from app.auth.deps import Admin
from app.common.paging import Page, Paging
from app.deps import DBSession

router = APIRouter(prefix="/v1/audit-log", tags=["audit 审计"])


@router.get("", response_model=Page[AuditRead])
def list_audit_log(
    session: DBSession, paging: Paging, _: Admin, filters: Annotated[AuditFilters, Depends()]
) -> object:
    """Newest first."""
    return service.audit_page(session, paging, filters)
