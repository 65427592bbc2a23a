"""Patent rules: identity by application number, IPC list upkeep, ownership and dates.

Scope: admins, the portal and enterprises read the whole pool; an institution reads and
writes its own patents; a province reads the patents of its region. Anything else is 404.
After a registered transfer the former institution only reads its patent (writes are 403).
Asking prices are unpublished: only the owner institution and admins see them.
"""

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.common.schemas import unique
from app.deals.models import DealPatent
from app.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from app.institutions import repository as institutions
from app.institutions.models import Institution
from app.patents import repository
from app.patents.models import Patent, PatentIpc
from app.patents.repository import PatentFilters
from app.patents.schemas import PatentCreate, PatentRead, PatentUpdate

_DATE_ZH = {"publication_date": "公开日", "grant_date": "授权日"}


def find(session: Session, actor: Principal, patent_id: int, write: bool = False) -> Patent:
    """A patent the actor may read; with ``write``, one it may also change."""
    if write:
        owned = find_owned(session, actor, patent_id)
        ensure_changeable(actor, owned)
        return owned
    patent = repository.get_readable(session, actor, patent_id)
    if patent is None:
        raise NotFound(Msg(f"专利不存在：{patent_id}", f"patent {patent_id} not found"))
    return patent


def find_owned(session: Session, actor: Principal, patent_id: int) -> Patent:
    """A patent of the actor's institution (or any, for admins), transferred or not.

    For what the patentee keeps after a transfer: its records (licensees of its former
    open licence). Changes go through ``find(write=True)``.
    """
    patent = repository.get_readable(session, actor, patent_id)
    if patent is None or not actor.owns_institution(patent.institution_id):
        raise NotFound(Msg(f"专利不存在：{patent_id}", f"patent {patent_id} not found"))
    return patent


def ensure_changeable(actor: Principal, patent: Patent) -> None:
    """After a registered transfer the enterprise holds the patent (issue 15, defect 8).

    The former institution still reads its record, so the refusal is a 403, not a 404.
    Admins may still correct the data; deals refuse a transferred patent for everyone.
    """
    if patent.holder_enterprise_id is not None and not actor.is_admin:
        raise Forbidden(
            Msg(
                f"专利 {patent.id} 已办理转让登记，归受让企业所有，原专利权人不能再修改、"
                "重新入池、声明开放许可或就其订立交易",
                f"patent {patent.id} was transferred (registered) to an enterprise; the former "
                "owner can no longer edit it, return it to the pool, declare an open licence "
                "or deal on it",
            )
        )


def present(patent: Patent, actor: Principal) -> PatentRead:
    read = PatentRead.model_validate(patent)
    if not actor.owns_institution(patent.institution_id):
        read.asking_price = None
    return read


def get(session: Session, actor: Principal, patent_id: int) -> PatentRead:
    return present(find(session, actor, patent_id), actor)


def _ensure_new_application_number(session: Session, number: str) -> None:
    if repository.by_application_number(session, number) is not None:
        raise Conflict(
            Msg(f"申请号已存在：{number}", f"application number {number} already exists"),
            [
                field_error(
                    "application_number",
                    Msg("申请号重复", "duplicate application number"),
                    "duplicate",
                )
            ],
        )


def _checked_institution(
    session: Session, actor: Principal, institution_id: int | None
) -> Institution | None:
    """The patentee institution named by a write, or an error; changes nothing."""
    if institution_id is None:
        if actor.role is Role.institution:
            raise Invalid(
                Msg("不能将专利移出本机构", "an institution cannot release its own patent"),
                [field_error("institution_id", Msg("须为本机构", "must be your institution"))],
            )
        return None
    institution = institutions.get(session, institution_id)
    # Another institution's id reads as "not found", so ids cannot be probed.
    if institution is None or not actor.owns_institution(institution_id):
        raise Invalid(
            Msg("专利权人机构不存在", "institution_id does not exist"),
            [
                field_error(
                    "institution_id",
                    Msg(f"机构不存在：{institution_id}", f"institution {institution_id} not found"),
                )
            ],
        )
    return institution


def _set_ipc(patent: Patent, ipc_main: str | None, ipc_codes: list[str]) -> None:
    """The main code is always listed first, so filters over the list include it."""
    codes = unique(([ipc_main] if ipc_main else []) + ipc_codes)
    patent.ipc_main = codes[0] if codes else None
    patent.ipc_entries = [PatentIpc(position=i, code=code) for i, code in enumerate(codes)]


_DATES = ("filing_date", "publication_date", "grant_date")


def _check_dates(values: dict[str, Any]) -> None:
    filed = values.get("filing_date")
    for field in ("publication_date", "grant_date"):
        value = values.get(field)
        if filed and value and value < filed:
            raise Invalid(
                Msg(f"{_DATE_ZH[field]}早于申请日", f"{field} is before filing_date"),
                [field_error(field, Msg("不能早于申请日", "must not be before filing_date"))],
            )


def prepare_row(
    session: Session, actor: Principal, data: PatentCreate
) -> tuple[dict[str, Any], list[str]]:
    """Checked column values and IPC list of a new patent; writes nothing.

    ``build`` turns them into an ORM object; bulk imports insert them in batches.
    """
    fields = data.model_dump(exclude={"ipc_main", "ipc_codes"})
    if actor.role is Role.institution and fields["institution_id"] is None:
        fields["institution_id"] = actor.institution_id
    _check_dates(fields)
    institution = _checked_institution(session, actor, fields["institution_id"])
    if institution is not None and fields["region_code"] is None:
        fields["region_code"] = institution.region_code
    codes = unique(([data.ipc_main] if data.ipc_main else []) + data.ipc_codes)
    fields["ipc_main"] = codes[0] if codes else None
    return fields, codes


def build(session: Session, actor: Principal, data: PatentCreate) -> Patent:
    """A new, checked Patent added to the session but not flushed."""
    fields, codes = prepare_row(session, actor, data)
    patent = Patent(**fields)
    patent.ipc_entries = [PatentIpc(position=i, code=code) for i, code in enumerate(codes)]
    session.add(patent)
    return patent


def create(session: Session, actor: Principal, data: PatentCreate) -> PatentRead:
    _ensure_new_application_number(session, data.application_number)
    patent = build(session, actor, data)
    session.flush()
    return present(patent, actor)


def apply(session: Session, actor: Principal, patent: Patent, changes: dict[str, Any]) -> None:
    """Set ``changes`` (field → new value, IPC fields included) on a patent, with its rules.

    Every check runs before the first attribute is set, so a refused change leaves the
    patent untouched (bulk imports keep going with the next row).
    """
    ensure_changeable(actor, patent)  # imports update through here too
    changes = dict(changes)
    _check_dates({f: changes.get(f, getattr(patent, f)) for f in _DATES})
    institution = None
    if "institution_id" in changes:
        institution = _checked_institution(session, actor, changes["institution_id"])
    ipc_main_sent = "ipc_main" in changes
    ipc_main = changes.pop("ipc_main", patent.ipc_main)
    ipc_codes = changes.pop("ipc_codes", None)
    for field, value in changes.items():
        setattr(patent, field, value)
    if institution is not None and patent.region_code is None:
        patent.region_code = institution.region_code
    if ipc_main_sent or ipc_codes is not None:
        kept = [c for c in patent.ipc_codes if c != patent.ipc_main]
        _set_ipc(patent, ipc_main, ipc_codes if ipc_codes is not None else kept)


def update(session: Session, actor: Principal, patent_id: int, data: PatentUpdate) -> PatentRead:
    patent = find(session, actor, patent_id, write=True)
    apply(session, actor, patent, data.changes())
    session.flush()
    return present(patent, actor)


def delete(session: Session, actor: Principal, patent_id: int) -> None:
    """Patents in a deal stay (the deal is the record): withdraw them from the pool instead."""
    patent = find(session, actor, patent_id, write=True)
    if session.scalar(select(exists().where(DealPatent.patent_id == patent.id))):
        raise Conflict(
            Msg(
                "专利已有交易记录，只能出库不能删除",
                "the patent is part of a deal; withdraw it from the pool instead",
            )
        )
    session.delete(patent)
    session.flush()


def list_page(
    session: Session, actor: Principal, paging: PageParams, filters: PatentFilters
) -> Page[PatentRead]:
    stmt = repository.list_statement(actor, filters)
    return paginate(session, stmt, paging, lambda patent: present(patent, actor))
