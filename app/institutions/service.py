"""Institution rules. Services flush but never commit: the request owns the transaction.

Scope: the institution directory is readable by every role; an institution key may edit
its own record only (another's id answers 404); creating and deleting is for admins.
"""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.deals.models import Deal
from app.errors import Conflict, NotFound, field_error
from app.institutions import repository
from app.institutions.models import Institution
from app.institutions.repository import InstitutionFilters
from app.institutions.schemas import InstitutionCreate, InstitutionRead, InstitutionUpdate
from app.patents.models import Patent


def find(session: Session, institution_id: int) -> Institution:
    institution = repository.get(session, institution_id)
    if institution is None:
        raise NotFound(
            Msg(f"机构不存在：{institution_id}", f"institution {institution_id} not found")
        )
    return institution


def get(session: Session, institution_id: int) -> InstitutionRead:
    return InstitutionRead.model_validate(find(session, institution_id))


def _ensure_external_id_free(session: Session, external_id: str | None, own_id: int | None) -> None:
    if external_id is None:
        return
    other = repository.by_external_id(session, external_id)
    if other is not None and other.id != own_id:
        raise Conflict(
            Msg("外部编号 external_id 已被使用", "external_id already in use"),
            [field_error("external_id", Msg("外部编号重复", "duplicate external_id"), "duplicate")],
        )


def create(session: Session, data: InstitutionCreate) -> InstitutionRead:
    _ensure_external_id_free(session, data.external_id, None)
    institution = Institution(**data.model_dump())
    session.add(institution)
    session.flush()
    return InstitutionRead.model_validate(institution)


def update(
    session: Session, actor: Principal, institution_id: int, data: InstitutionUpdate
) -> InstitutionRead:
    institution = find(session, institution_id)
    if not actor.owns_institution(institution.id):
        raise NotFound(
            Msg(f"机构不存在：{institution_id}", f"institution {institution_id} not found")
        )
    changes = data.changes()
    if "external_id" in changes:
        _ensure_external_id_free(session, changes["external_id"], institution.id)
    for field, value in changes.items():
        setattr(institution, field, value)
    session.flush()
    return InstitutionRead.model_validate(institution)


def delete(session: Session, institution_id: int) -> None:
    institution = find(session, institution_id)
    if session.scalar(select(exists().where(Patent.institution_id == institution.id))):
        raise Conflict(Msg("机构名下仍有专利，无法删除", "institution still holds patents"))
    if session.scalar(select(exists().where(Deal.institution_id == institution.id))):
        raise Conflict(Msg("机构有交易记录，无法删除", "institution has recorded deals"))
    session.delete(institution)
    session.flush()


def list_page(
    session: Session, paging: PageParams, filters: InstitutionFilters
) -> Page[InstitutionRead]:
    stmt = repository.list_statement(filters)
    return paginate(session, stmt, paging, InstitutionRead.model_validate)
