"""Enterprise rules: one record per 统一社会信用代码.

Scope: admins and the portal read all enterprises, a province those of its region, an
enterprise only itself. Contact data is private: only the enterprise and admins see it.
"""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.deals.models import Deal
from app.enterprises import repository
from app.enterprises.models import Enterprise
from app.enterprises.repository import EnterpriseFilters
from app.enterprises.schemas import EnterpriseCreate, EnterpriseRead, EnterpriseUpdate
from app.errors import Conflict, NotFound, field_error

_PRIVATE = ("contact_name", "contact_phone", "contact_email")


def _find(
    session: Session, actor: Principal, enterprise_id: int, write: bool = False
) -> Enterprise:
    enterprise = repository.get_readable(session, actor, enterprise_id)
    if enterprise is None or (write and not actor.owns_enterprise(enterprise.id)):
        raise NotFound(Msg(f"企业不存在：{enterprise_id}", f"enterprise {enterprise_id} not found"))
    return enterprise


def present(enterprise: Enterprise, actor: Principal) -> EnterpriseRead:
    read = EnterpriseRead.model_validate(enterprise)
    if not actor.owns_enterprise(enterprise.id):
        for field in _PRIVATE:
            setattr(read, field, None)
    return read


def get(session: Session, actor: Principal, enterprise_id: int) -> EnterpriseRead:
    return present(_find(session, actor, enterprise_id), actor)


def _ensure_uscc_free(session: Session, uscc: str, own_id: int | None) -> None:
    other = repository.by_uscc(session, uscc)
    if other is not None and other.id != own_id:
        # Say only that it is taken: never echo which enterprise holds it.
        raise Conflict(
            Msg("统一社会信用代码已登记", "this USCC is already registered"),
            [
                field_error(
                    "uscc",
                    Msg("统一社会信用代码重复", "duplicate unified social credit code"),
                    "duplicate",
                )
            ],
        )


def create(session: Session, actor: Principal, data: EnterpriseCreate) -> EnterpriseRead:
    _ensure_uscc_free(session, data.uscc, None)
    enterprise = Enterprise(**data.model_dump())
    session.add(enterprise)
    session.flush()
    return present(enterprise, actor)


def update(
    session: Session, actor: Principal, enterprise_id: int, data: EnterpriseUpdate
) -> EnterpriseRead:
    enterprise = _find(session, actor, enterprise_id, write=True)
    changes = data.changes()
    if "uscc" in changes:
        _ensure_uscc_free(session, changes["uscc"], enterprise.id)
    for field, value in changes.items():
        setattr(enterprise, field, value)
    session.flush()
    return present(enterprise, actor)


def delete(session: Session, actor: Principal, enterprise_id: int) -> None:
    """Deleting an enterprise deletes its needs (database cascade), never its deals."""
    enterprise = _find(session, actor, enterprise_id, write=True)
    if session.scalar(select(exists().where(Deal.enterprise_id == enterprise.id))):
        raise Conflict(Msg("企业有交易记录，不能删除", "the enterprise has recorded deals"))
    session.delete(enterprise)
    session.flush()


def list_page(
    session: Session, actor: Principal, paging: PageParams, filters: EnterpriseFilters
) -> Page[EnterpriseRead]:
    stmt = repository.list_statement(actor, filters)
    return paginate(session, stmt, paging, lambda enterprise: present(enterprise, actor))
