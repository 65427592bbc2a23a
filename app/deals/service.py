"""Deals (转让 / 许可 / 作价入股) and their workflow.

意向 → 洽谈 → 签约 → 登记/备案 → 实施 → 产业化, one step at a time (409 otherwise).
Registration needs its number and date. A registered transfer moves the patents to the
enterprise and out of the pool and withdraws their open licence; from then on no other
deal on them can be made or advanced (409). Reaching 实施 marks them implemented. No
exclusive or sole licence while an open licence is declared on one of the patents.
"""

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.audit import recorder
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.labels import label_of
from app.common.messages import Msg
from app.common.paging import PageParams, paginate
from app.deals.models import Deal, DealPatent, DealStatus, DealType
from app.deals.schemas import DealCreate, DealRead, DealTransition
from app.enterprises import repository as enterprises
from app.errors import Conflict, Invalid, NotFound, field_error
from app.licenses import service as licences
from app.patents import service as patents
from app.patents.models import ImplementationStatus, Patent, PoolStatus

ORDER = list(DealStatus)
EXCLUSIVE = (DealType.exclusive_license, DealType.sole_license)


def _patents(session: Session, actor: Principal, ids: list[int]) -> list[Patent]:
    found = [patents.find(session, actor, i, write=True) for i in dict.fromkeys(ids)]
    for patent in found:  # admins pass find(); a transferred patent is still not for sale
        _ensure_not_transferred(patent)
    owners = {p.institution_id for p in found}
    if len(owners) != 1 or None in owners:
        raise Invalid(
            Msg("打包专利须属于同一机构", "all patents must belong to one institution"),
            [field_error("patent_ids", Msg("须为同一机构的专利", "patents of one institution"))],
        )
    return found


def _ensure_not_transferred(patent: Patent, deal: Deal | None = None) -> None:
    """Once a transfer is registered, only that deal moves on (issue 15, defect 8)."""
    moved_by_this_deal = (
        deal is not None
        and deal.type is DealType.transfer
        and ORDER.index(deal.status) >= ORDER.index(DealStatus.registered)
    )
    if patent.holder_enterprise_id is not None and not moved_by_this_deal:
        raise Conflict(
            Msg(
                f"专利 {patent.id} 已转让登记给企业 {patent.holder_enterprise_id}，"
                "不能再就其订立或推进交易",
                f"patent {patent.id} was already transferred (registered) to enterprise "
                f"{patent.holder_enterprise_id}; no further deal on it can be made or advanced",
            ),
            [field_error("patent_ids", Msg("专利已转让", "patent already transferred"))],
        )


def create(session: Session, actor: Principal, data: DealCreate) -> DealRead:
    found = _patents(session, actor, data.patent_ids)
    if enterprises.get(session, data.enterprise_id) is None:
        raise Invalid(
            Msg(f"企业不存在：{data.enterprise_id}", f"enterprise {data.enterprise_id} not found"),
            [field_error("enterprise_id", Msg("企业不存在", "enterprise not found"))],
        )
    if data.type in EXCLUSIVE:
        for patent in found:
            if licences.declared(session, patent.id) is not None:
                raise Conflict(
                    Msg(
                        f"开放许可期间不得订立独占或排他许可：专利 {patent.id} 处于开放许可期间",
                        f"no exclusive or sole licence while patent {patent.id} is under "
                        "an open licence",
                    ),
                    [field_error("type", Msg("开放许可期间不可用", "not during an open licence"))],
                )
    deal = Deal(
        institution_id=found[0].institution_id,
        enterprise_id=data.enterprise_id,
        type=data.type,
        status=DealStatus.intent,
        amount=data.amount,
    )
    session.add(deal)
    session.flush()
    session.add_all([DealPatent(deal_id=deal.id, patent_id=p.id) for p in found])
    session.flush()
    return present(session, deal)


def present(session: Session, deal: Deal) -> DealRead:
    ids = list(
        session.scalars(
            select(DealPatent.patent_id)
            .where(DealPatent.deal_id == deal.id)
            .order_by(DealPatent.patent_id)
        )
    )
    return DealRead.model_validate(
        {
            **{c: getattr(deal, c) for c in DealRead.model_fields if c != "patent_ids"},
            "patent_ids": ids,
        }
    )


def _readable(stmt: Select[Any], actor: Principal) -> Select[Any]:
    if actor.role is Role.institution:
        return stmt.where(Deal.institution_id == actor.institution_id)
    if actor.role is Role.enterprise:
        return stmt.where(Deal.enterprise_id == actor.enterprise_id)
    return stmt


def find(session: Session, actor: Principal, deal_id: int) -> Deal:
    deal = session.scalar(_readable(select(Deal).where(Deal.id == deal_id), actor))
    if deal is None:
        raise NotFound(Msg(f"交易不存在：{deal_id}", f"deal {deal_id} not found"))
    return deal


def get(session: Session, actor: Principal, deal_id: int) -> DealRead:
    return present(session, find(session, actor, deal_id))


def transition(session: Session, actor: Principal, deal_id: int, data: DealTransition) -> DealRead:
    deal = find(session, actor, deal_id)
    if actor.role not in (Role.admin, Role.institution):
        raise NotFound(Msg(f"交易不存在：{deal_id}", f"deal {deal_id} not found"))
    if ORDER.index(data.status) != ORDER.index(deal.status) + 1:
        raise Conflict(
            Msg(
                f"交易状态不能从「{label_of('deal_status', deal.status)}」变为"
                f"「{label_of('deal_status', data.status)}」",
                f"invalid transition {deal.status} → {data.status}",
            ),
            [field_error("status", _next_step(deal.status))],
        )
    # Locked (PostgreSQL) so two deals cannot both register a transfer of one patent.
    held = list(session.scalars(_deal_patents(deal).with_for_update()))
    for patent in held:
        _ensure_not_transferred(patent, deal)
    if data.status is DealStatus.registered:
        _register(deal, data)
    if data.status is DealStatus.signed:
        deal.signed_on = data.signed_on or deal.signed_on
    deal.status = data.status
    _apply_effects(session, deal, held)
    session.flush()
    recorder.touch(session, "enterprise", deal.enterprise_id)  # licences are in its profile
    return present(session, deal)


def _next_step(status: DealStatus) -> Msg:
    """What the transition may go to instead (a finished deal has no next step)."""
    at = ORDER.index(status)
    if at + 1 == len(ORDER):
        return Msg("交易已是最终状态", "the deal is at its last step")
    step = ORDER[at + 1]
    return Msg(f"下一步应为「{label_of('deal_status', step)}」", f"the next step is {step}")


def _register(deal: Deal, data: DealTransition) -> None:
    missing = [f for f in ("registration_number", "registered_on") if getattr(data, f) is None]
    if missing:
        raise Conflict(
            Msg("登记/备案须提供编号和日期", "registration needs its number and date"),
            [field_error(f, Msg("登记/备案时必填", "required to register")) for f in missing],
        )
    deal.registration_number, deal.registered_on = data.registration_number, data.registered_on


def _deal_patents(deal: Deal) -> Select[Patent]:
    return (
        select(Patent)
        .join(DealPatent, DealPatent.patent_id == Patent.id)
        .where(DealPatent.deal_id == deal.id)
        .order_by(Patent.id)
    )


def _apply_effects(session: Session, deal: Deal, rows: list[Patent]) -> None:
    for patent in rows:
        if deal.status is DealStatus.registered and deal.type is DealType.transfer:
            patent.holder_enterprise_id = deal.enterprise_id  # 转让登记: new holder
            patent.pool_status = PoolStatus.withdrawn
            licences.end_for_transfer(session, patent.id)
        if deal.status is DealStatus.implemented:
            patent.implementation_status = ImplementationStatus.implemented


def list_page(
    session: Session,
    actor: Principal,
    paging: PageParams,
    status: DealStatus | None,
    patent_id: int | None,
) -> dict[str, Any]:
    stmt = _readable(select(Deal).order_by(Deal.id), actor)
    if status is not None:
        stmt = stmt.where(Deal.status == status)
    if patent_id is not None:
        stmt = stmt.where(
            or_(Deal.id.in_(select(DealPatent.deal_id).where(DealPatent.patent_id == patent_id)))
        )
    page = paginate(session, stmt, paging)
    page["items"] = [present(session, d) for d in page["items"]]
    return page
