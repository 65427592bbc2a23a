"""Technology needs (技术需求): confidential business information of their enterprise.

Scope: an enterprise reads and writes only its own needs (another's id answers 404); admins
and the portal, which matches needs against the pool, read all; no other role sees them.
"""

from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.enterprises import repository as enterprises
from app.errors import Invalid, NotFound, field_error
from app.needs import repository
from app.needs.models import Need
from app.needs.repository import NeedFilters
from app.needs.schemas import NeedCreate, NeedRead, NeedUpdate


def find(session: Session, actor: Principal, need_id: int, write: bool = False) -> Need:
    need = repository.get_readable(session, actor, need_id)
    if need is None or (write and not actor.owns_enterprise(need.enterprise_id)):
        raise NotFound(Msg(f"需求不存在：{need_id}", f"need {need_id} not found"))
    return need


def get(session: Session, actor: Principal, need_id: int) -> NeedRead:
    return NeedRead.model_validate(find(session, actor, need_id))


def _owner(session: Session, actor: Principal, enterprise_id: int | None) -> int:
    """The enterprise a new need belongs to: the caller's own, or for admins the one named."""
    if enterprise_id is None and actor.role is Role.enterprise:
        enterprise_id = actor.enterprise_id
    if enterprise_id is None:
        raise Invalid(
            Msg("缺少企业 enterprise_id", "enterprise_id is required"),
            [field_error("enterprise_id", Msg("必填", "required"))],
        )
    if enterprises.get(session, enterprise_id) is None or not actor.owns_enterprise(enterprise_id):
        raise Invalid(
            Msg("企业不存在", "enterprise_id does not exist"),
            [
                field_error(
                    "enterprise_id",
                    Msg(f"企业不存在：{enterprise_id}", f"enterprise {enterprise_id} not found"),
                )
            ],
        )
    return enterprise_id


def create(session: Session, actor: Principal, data: NeedCreate) -> NeedRead:
    fields = data.model_dump()
    fields["enterprise_id"] = _owner(session, actor, data.enterprise_id)
    need = Need(**fields)
    session.add(need)
    session.flush()
    return NeedRead.model_validate(need)


def update(session: Session, actor: Principal, need_id: int, data: NeedUpdate) -> NeedRead:
    need = find(session, actor, need_id, write=True)
    for field, value in data.changes().items():
        setattr(need, field, value)
    low, high = need.budget_min, need.budget_max
    if low is not None and high is not None and low > high:
        raise Invalid(
            Msg("预算上限不能低于下限", "budget_max must not be below budget_min"),
            [field_error("budget_max", Msg("不能低于预算下限", "must not be below budget_min"))],
        )
    session.flush()
    return NeedRead.model_validate(need)


def delete(session: Session, actor: Principal, need_id: int) -> None:
    session.delete(find(session, actor, need_id, write=True))
    session.flush()


def list_page(
    session: Session, actor: Principal, paging: PageParams, filters: NeedFilters
) -> Page[NeedRead]:
    stmt = repository.list_statement(actor, filters)
    return paginate(session, stmt, paging, NeedRead.model_validate)
