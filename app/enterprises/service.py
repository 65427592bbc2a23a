"""Enterprise rules: one record per 统一社会信用代码."""

from typing import Any

from sqlalchemy.orm import Session

from app.common.paging import PageParams, paginate
from app.enterprises import repository
from app.enterprises.models import Enterprise
from app.enterprises.repository import EnterpriseFilters
from app.enterprises.schemas import EnterpriseCreate, EnterpriseUpdate
from app.errors import Conflict, NotFound, field_error


def get(session: Session, enterprise_id: int) -> Enterprise:
    enterprise = repository.get(session, enterprise_id)
    if enterprise is None:
        raise NotFound(f"企业不存在 / enterprise {enterprise_id} not found")
    return enterprise


def _ensure_uscc_free(session: Session, uscc: str, own_id: int | None) -> None:
    other = repository.by_uscc(session, uscc)
    if other is not None and other.id != own_id:
        # Say only that it is taken: never echo which enterprise holds it.
        raise Conflict(
            "统一社会信用代码已登记 / this USCC is already registered",
            [field_error("uscc", "duplicate unified social credit code", "duplicate")],
        )


def create(session: Session, data: EnterpriseCreate) -> Enterprise:
    _ensure_uscc_free(session, data.uscc, None)
    enterprise = Enterprise(**data.model_dump())
    session.add(enterprise)
    session.flush()
    return enterprise


def update(session: Session, enterprise_id: int, data: EnterpriseUpdate) -> Enterprise:
    enterprise = get(session, enterprise_id)
    changes = data.changes()
    if "uscc" in changes:
        _ensure_uscc_free(session, changes["uscc"], enterprise.id)
    for field, value in changes.items():
        setattr(enterprise, field, value)
    session.flush()
    return enterprise


def delete(session: Session, enterprise_id: int) -> None:
    """Deleting an enterprise deletes its needs (database cascade)."""
    session.delete(get(session, enterprise_id))
    session.flush()


def list_page(session: Session, paging: PageParams, filters: EnterpriseFilters) -> dict[str, Any]:
    return paginate(session, repository.list_statement(filters), paging)
