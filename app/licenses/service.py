"""Open licensing (开放许可, Patent Law Art. 50-52).

A declaration is refused (409, with the reason) when the patent is not valid, when an
exclusive or sole licence is in force, or when what the law requires is missing (the fee
terms of the chosen fee type; the 专利权评价报告 for utility models and designs). Fee
guidance is advice only. Acceptance creates a non-exclusive licence at once; withdrawal
stops new acceptances and never touches existing licences.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.audit import recorder
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.labels import label_of
from app.common.messages import Msg
from app.common.paging import PageParams, paginate
from app.db import utcnow
from app.deals.models import Deal, DealPatent, DealStatus, DealType
from app.enterprises.models import Enterprise
from app.errors import Conflict, NotFound, field_error
from app.licenses.models import (
    DeclarationStatus,
    FeeType,
    OpenLicense,
    OpenLicenseAcceptance,
)
from app.licenses.schemas import AcceptanceRead, OpenLicenseCreate, OpenLicenseRead
from app.patents import repository as patent_rows
from app.patents import service as patents
from app.patents.models import LegalStatus, PatentType

IN_FORCE = (
    DealStatus.signed,
    DealStatus.registered,
    DealStatus.implemented,
    DealStatus.industrialized,
)
EXCLUSIVE = (DealType.exclusive_license, DealType.sole_license)
_REQUIRED = {
    FeeType.one_off: ("one_off_fee",),
    FeeType.royalty_sales: ("royalty_rate",),
    FeeType.royalty_profit: ("royalty_rate",),
    FeeType.entry_plus_royalty: ("entry_fee", "royalty_rate"),
}


def exclusive_licence_in_force(session: Session, patent_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    DealPatent.patent_id == patent_id,
                    DealPatent.deal_id == Deal.id,
                    Deal.type.in_(EXCLUSIVE),
                    Deal.status.in_(IN_FORCE),
                )
            )
        )
    )


def declared(session: Session, patent_id: int) -> OpenLicense | None:
    return session.scalar(
        select(OpenLicense).where(
            OpenLicense.patent_id == patent_id, OpenLicense.status == DeclarationStatus.declared
        )
    )


def _refuse(reason: Msg, field: str | None = None) -> Conflict:
    return Conflict(reason, [field_error(field, reason)] if field else None)


def declare(
    session: Session, actor: Principal, patent_id: int, data: OpenLicenseCreate
) -> OpenLicenseRead:
    patent = patents.find(session, actor, patent_id, write=True)
    if patent.legal_status is not LegalStatus.valid:
        raise _refuse(
            Msg("专利不是有效（有权）状态，不能开放许可", "the patent is not valid"), "patent"
        )
    if exclusive_licence_in_force(session, patent.id):
        raise _refuse(Msg("存在有效的独占或排他许可", "an exclusive or sole licence is in force"))
    if declared(session, patent.id) is not None:
        raise _refuse(Msg("已有开放许可声明", "an open licence is already declared"))
    for name in _REQUIRED[data.fee_type]:
        if getattr(data, name) is None:
            raise _refuse(
                Msg(
                    f"缺少 {name}：付费方式「{label_of('fee_type', data.fee_type)}」须填写此项",
                    f"{name} is required for fee type {data.fee_type}",
                ),
                name,
            )
    if patent.patent_type is not PatentType.invention and not data.evaluation_report:
        raise _refuse(
            Msg(
                "实用新型和外观设计须提供专利权评价报告",
                "evaluation_report is required for utility models and designs",
            ),
            "evaluation_report",
        )
    row = OpenLicense(patent_id=patent.id, status=DeclarationStatus.declared, **data.model_dump())
    session.add(row)
    session.flush()
    recorder.touch(session, "patent", patent.id)  # open licence is a match filter and feature
    return present(row)


def present(row: OpenLicense) -> OpenLicenseRead:
    read = OpenLicenseRead.model_validate(row)
    read.advice = advice(row)
    return read


def advice(row: OpenLicense) -> list[str]:
    """Fee guidance from the open-licensing rules: shown, never enforced."""
    notes = []
    if row.one_off_fee is not None and row.one_off_fee > Decimal(20_000_000):
        notes.append("一次性许可费一般不超过 2000 万元 / one-off fees are generally ≤ 20,000,000")
    rate = row.royalty_rate
    if rate is not None and row.fee_type is FeeType.royalty_profit and rate > 40:
        notes.append("按利润提成一般不超过 40% / royalties on profit are generally ≤ 40%")
    elif rate is not None and row.fee_type is not FeeType.royalty_profit and rate > 20:
        notes.append("按净销售额提成一般不超过 20% / royalties on net sales are generally ≤ 20%")
    return notes


def read(session: Session, actor: Principal, licence_id: int) -> OpenLicenseRead:
    return present(get(session, actor, licence_id))


def get(session: Session, actor: Principal, licence_id: int) -> OpenLicense:
    row = session.get(OpenLicense, licence_id)
    if row is None:
        raise NotFound(Msg(f"开放许可不存在：{licence_id}", f"open licence {licence_id} not found"))
    patents.find(session, actor, row.patent_id)  # scope: the caller must see the patent
    return row


def withdraw(session: Session, actor: Principal, licence_id: int) -> OpenLicenseRead:
    row = get(session, actor, licence_id)
    patents.find(session, actor, row.patent_id, write=True)
    if row.status is DeclarationStatus.declared:
        row.status, row.withdrawn_at = DeclarationStatus.withdrawn, utcnow()
        session.flush()
        recorder.touch(session, "patent", row.patent_id)
    return present(row)


def accept(session: Session, actor: Principal, licence_id: int) -> AcceptanceRead:
    row = get(session, actor, licence_id)
    if row.status is not DeclarationStatus.declared:
        raise _refuse(Msg("开放许可已撤回，不再接受新的许可", "the declaration was withdrawn"))
    if patents.find(session, actor, row.patent_id).holder_enterprise_id is not None:
        # A transfer withdraws the declaration; this guards rows written before that rule.
        raise _refuse(
            Msg(
                "专利已转让，声明人不再是专利权人",
                "the patent was transferred; the declarer no longer holds it",
            )
        )
    taken = session.scalar(
        select(OpenLicenseAcceptance).where(
            OpenLicenseAcceptance.open_license_id == row.id,
            OpenLicenseAcceptance.enterprise_id == actor.enterprise_id,
        )
    )
    if taken is not None:
        raise _refuse(Msg("本企业已接受该开放许可", "already accepted by this enterprise"))
    today = date.today()
    ends = date(today.year + row.term_years, today.month, min(today.day, 28))
    acceptance = OpenLicenseAcceptance(
        open_license_id=row.id, enterprise_id=actor.enterprise_id, starts_on=today, ends_on=ends
    )
    session.add(acceptance)
    session.flush()
    recorder.touch(session, "enterprise", acceptance.enterprise_id)  # in its profile
    return AcceptanceRead.model_validate(acceptance)


def end_for_transfer(session: Session, patent_id: int) -> None:
    """A registered transfer withdraws the former holder's declaration (no new licensees:
    the declarer no longer holds the patent); licences already accepted stay."""
    row = declared(session, patent_id)
    if row is not None:  # (the patent's own change already tells the match index)
        row.status, row.withdrawn_at = DeclarationStatus.withdrawn, utcnow()


def list_for_patent(session: Session, actor: Principal, patent_id: int) -> list[OpenLicenseRead]:
    patents.find(session, actor, patent_id)
    rows = session.scalars(
        select(OpenLicense).where(OpenLicense.patent_id == patent_id).order_by(OpenLicense.id)
    )
    return [present(r) for r in rows]


def acceptances(session: Session, actor: Principal, licence_id: int) -> list[Any]:
    """All acceptances for the licensor (or admin); an enterprise sees only its own."""
    row = get(session, actor, licence_id)
    stmt = select(OpenLicenseAcceptance).where(OpenLicenseAcceptance.open_license_id == row.id)
    if actor.role is Role.enterprise:
        stmt = stmt.where(OpenLicenseAcceptance.enterprise_id == actor.enterprise_id)
    else:
        # The licensor (or an admin) only, and still after the patent was transferred.
        patents.find_owned(session, actor, row.patent_id)
    return list(session.scalars(stmt.order_by(OpenLicenseAcceptance.id)))


def enterprise_acceptances(
    session: Session, actor: Principal, enterprise_id: int, paging: PageParams
) -> dict[str, Any]:
    """The open licences an enterprise has accepted, newest first, with their patents."""
    if not actor.owns_enterprise(enterprise_id) or session.get(Enterprise, enterprise_id) is None:
        raise NotFound(Msg(f"企业不存在：{enterprise_id}", f"enterprise {enterprise_id} not found"))
    stmt = select(OpenLicenseAcceptance).where(OpenLicenseAcceptance.enterprise_id == enterprise_id)
    page = paginate(session, stmt.order_by(OpenLicenseAcceptance.id.desc()), paging)
    rows: list[OpenLicenseAcceptance] = page["items"]
    licences = {
        lic.id: lic
        for lic in session.scalars(
            select(OpenLicense).where(OpenLicense.id.in_({a.open_license_id for a in rows}))
        )
    }
    briefs = patent_rows.briefs(session, [lic.patent_id for lic in licences.values()])
    page["items"] = [_acceptance(a, licences[a.open_license_id], briefs) for a in rows]
    return page


def _acceptance(
    a: OpenLicenseAcceptance, lic: OpenLicense, briefs: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    names = set(AcceptanceRead.model_fields)
    return {
        **{name: getattr(a, name) for name in names},
        "patent_id": lic.patent_id,
        "fee_type": lic.fee_type,
        "patent": briefs[lic.patent_id],
    }
