"""Patent rules: identity by application number, IPC list upkeep, ownership and dates."""

from typing import Any

from sqlalchemy.orm import Session

from app.common.paging import PageParams, paginate
from app.common.schemas import unique
from app.errors import Conflict, Invalid, NotFound, field_error
from app.institutions import repository as institutions
from app.patents import repository
from app.patents.models import Patent, PatentIpc
from app.patents.repository import PatentFilters
from app.patents.schemas import PatentCreate, PatentUpdate


def get(session: Session, patent_id: int) -> Patent:
    patent = repository.get(session, patent_id)
    if patent is None:
        raise NotFound(f"专利不存在 / patent {patent_id} not found")
    return patent


def _ensure_new_application_number(session: Session, number: str) -> None:
    if repository.by_application_number(session, number) is not None:
        raise Conflict(
            f"申请号已存在 / application number {number} already exists",
            [field_error("application_number", "duplicate application number", "duplicate")],
        )


def _attach_institution(session: Session, patent: Patent, institution_id: int | None) -> None:
    if institution_id is None:
        return
    institution = institutions.get(session, institution_id)
    if institution is None:
        raise Invalid(
            "专利权人机构不存在 / institution_id does not exist",
            [field_error("institution_id", f"institution {institution_id} not found")],
        )
    if patent.region_code is None:
        patent.region_code = institution.region_code


def _set_ipc(patent: Patent, ipc_main: str | None, ipc_codes: list[str]) -> None:
    """The main code is always listed first, so filters over the list include it."""
    codes = unique(([ipc_main] if ipc_main else []) + ipc_codes)
    patent.ipc_main = codes[0] if codes else None
    patent.ipc_entries = [PatentIpc(position=i, code=code) for i, code in enumerate(codes)]


def _check_dates(patent: Patent) -> None:
    filed = patent.filing_date
    for field in ("publication_date", "grant_date"):
        value = getattr(patent, field)
        if filed and value and value < filed:
            raise Invalid(
                f"{field} 早于申请日 / {field} is before filing_date",
                [field_error(field, "must not be before filing_date")],
            )


def create(session: Session, data: PatentCreate) -> Patent:
    _ensure_new_application_number(session, data.application_number)
    fields = data.model_dump(exclude={"ipc_main", "ipc_codes"})
    patent = Patent(**fields)
    _attach_institution(session, patent, data.institution_id)
    _set_ipc(patent, data.ipc_main, data.ipc_codes)
    _check_dates(patent)
    session.add(patent)
    session.flush()
    return patent


def update(session: Session, patent_id: int, data: PatentUpdate) -> Patent:
    patent = get(session, patent_id)
    changes = data.changes()
    ipc_main = changes.pop("ipc_main", patent.ipc_main)
    ipc_codes = changes.pop("ipc_codes", None)
    for field, value in changes.items():
        setattr(patent, field, value)
    if "institution_id" in changes:
        _attach_institution(session, patent, changes["institution_id"])
    if "ipc_main" in data.model_fields_set or ipc_codes is not None:
        kept = [c for c in patent.ipc_codes if c != patent.ipc_main]
        _set_ipc(patent, ipc_main, ipc_codes if ipc_codes is not None else kept)
    _check_dates(patent)
    session.flush()
    return patent


def delete(session: Session, patent_id: int) -> None:
    session.delete(get(session, patent_id))
    session.flush()


def list_page(session: Session, paging: PageParams, filters: PatentFilters) -> dict[str, Any]:
    return paginate(session, repository.list_statement(filters), paging)
