"""Technology needs (技术需求): confidential to their enterprise."""

from typing import Any

from sqlalchemy.orm import Session

from app.common.paging import PageParams, paginate
from app.enterprises import repository as enterprises
from app.errors import Invalid, NotFound, field_error
from app.needs import repository
from app.needs.models import Need
from app.needs.repository import NeedFilters
from app.needs.schemas import NeedCreate, NeedUpdate


def get(session: Session, need_id: int) -> Need:
    need = repository.get(session, need_id)
    if need is None:
        raise NotFound(f"需求不存在 / need {need_id} not found")
    return need


def create(session: Session, data: NeedCreate) -> Need:
    if enterprises.get(session, data.enterprise_id) is None:
        raise Invalid(
            "企业不存在 / enterprise_id does not exist",
            [field_error("enterprise_id", f"enterprise {data.enterprise_id} not found")],
        )
    need = Need(**data.model_dump())
    session.add(need)
    session.flush()
    return need


def update(session: Session, need_id: int, data: NeedUpdate) -> Need:
    need = get(session, need_id)
    for field, value in data.changes().items():
        setattr(need, field, value)
    low, high = need.budget_min, need.budget_max
    if low is not None and high is not None and low > high:
        raise Invalid(
            "预算上限不能低于下限 / budget_max must not be below budget_min",
            [field_error("budget_max", "must not be below budget_min")],
        )
    session.flush()
    return need


def delete(session: Session, need_id: int) -> None:
    session.delete(get(session, need_id))
    session.flush()


def list_page(session: Session, paging: PageParams, filters: NeedFilters) -> dict[str, Any]:
    return paginate(session, repository.list_statement(filters), paging)
