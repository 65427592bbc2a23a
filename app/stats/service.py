"""Statistics (统计监测): rates first, then conversion outcomes, then the funnel.

- 实施率 implementation rate = implemented valid pool patents / valid pool patents.
- 产业化率 industrialization rate = patents whose deal reached 产业化 / valid pool patents.
Both use the patents in scope (institution, province, IPC, SEI); deal, intent and
acceptance counts also respect the date range.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.exports import CsvEncoding
from app.deals.models import Deal, DealPatent, DealStatus, DealType
from app.feedback.models import Feedback
from app.feeds.models import FeedItem, Reason
from app.licenses.models import OpenLicense, OpenLicenseAcceptance
from app.matches.models import MatchResult
from app.patents.models import ImplementationStatus, LegalStatus, Patent, PoolStatus
from app.stats import export as stats_export
from app.stats.scope import StatsFilters, date_condition, patent_condition, scoped

LICENCES = (DealType.exclusive_license, DealType.sole_license, DealType.ordinary_license)
REGISTERED = (DealStatus.registered, DealStatus.implemented, DealStatus.industrialized)


def _count(session: Session, *conditions: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(Patent).where(*conditions)) or 0)


def _rates(session: Session, f: StatsFilters) -> dict[str, Any]:
    scope = patent_condition(f)
    valid = (
        scope,
        Patent.pool_status == PoolStatus.in_pool,
        Patent.legal_status == LegalStatus.valid,
    )
    valid_pool = _count(session, *valid)
    implemented = _count(
        session, *valid, Patent.implementation_status == ImplementationStatus.implemented
    )
    industrialized = int(
        session.scalar(
            select(func.count(distinct(DealPatent.patent_id)))
            .join(Deal, Deal.id == DealPatent.deal_id)
            .join(Patent, Patent.id == DealPatent.patent_id)
            .where(scope, Deal.status == DealStatus.industrialized)
        )
        or 0
    )
    return {
        "implementation_rate": round(implemented / valid_pool, 4) if valid_pool else None,
        "industrialization_rate": round(industrialized / valid_pool, 4) if valid_pool else None,
        "valid_pool_patents": valid_pool,
        "implemented": implemented,
        "industrialized_patents": industrialized,
    }


def _deals_in_scope(f: StatsFilters) -> Any:
    patents = select(DealPatent.deal_id).join(Patent, Patent.id == DealPatent.patent_id)
    return Deal.id.in_(patents.where(patent_condition(f)))


def _outcomes(session: Session, f: StatsFilters) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = session.execute(
        select(Deal.type, Deal.amount, Deal.registered_on).where(
            _deals_in_scope(f), Deal.status.in_(REGISTERED), date_condition(Deal.registered_on, f)
        )
    ).all()
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"transfers": 0, "licences": 0, "equity": 0, "amount": 0.0}
    )
    for deal_type, amount, registered_on in rows:
        month = months[registered_on.strftime("%Y-%m") if registered_on else "unknown"]
        key = (
            "transfers"
            if deal_type is DealType.transfer
            else ("licences" if deal_type in LICENCES else "equity")
        )
        month[key] += 1
        month["amount"] += float(amount or 0)
    accepted = session.scalar(
        select(func.count())
        .select_from(OpenLicenseAcceptance)
        .join(OpenLicense, OpenLicense.id == OpenLicenseAcceptance.open_license_id)
        .join(Patent, Patent.id == OpenLicense.patent_id)
        .where(patent_condition(f), date_condition(OpenLicenseAcceptance.accepted_at, f))
    )
    outcomes = {
        "transfers_registered": sum(m["transfers"] for m in months.values()),
        "licences_filed": sum(m["licences"] for m in months.values()),
        "equity_registered": sum(m["equity"] for m in months.values()),
        "open_licence_acceptances": int(accepted or 0),
        "amount_total": round(sum(m["amount"] for m in months.values()), 2),
    }
    by_month = [{"month": k, **v} for k, v in sorted(months.items())]
    return outcomes, by_month


def _funnel(session: Session, f: StatsFilters) -> dict[str, Any]:
    scope = patent_condition(f)
    pushed = session.scalar(
        select(func.count(distinct(MatchResult.patent_id)))
        .join(Patent, Patent.id == MatchResult.patent_id)
        .where(scope)
    )
    intents = session.execute(
        select(Feedback.intent, func.count())
        .join(Patent, Patent.id == Feedback.patent_id)
        .where(scope, Feedback.is_current.is_(True), date_condition(Feedback.created_at, f))
        .group_by(Feedback.intent)
    ).all()
    deals = session.execute(
        select(Deal.status, func.count())
        .where(_deals_in_scope(f), date_condition(Deal.created_at, f))
        .group_by(Deal.status)
    ).all()
    enterprises_pushed, items_pushed = _profile_pushes(session, f)
    return {
        "in_pool": _count(session, scope, Patent.pool_status == PoolStatus.in_pool),
        "pushed": int(pushed or 0),
        "enterprises_pushed": enterprises_pushed,
        "items_pushed": items_pushed,
        "intents": {str(k): v for k, v in intents},
        "deals": {s.value: dict((str(k), v) for k, v in deals).get(s.value, 0) for s in DealStatus},
    }


def _profile_pushes(session: Session, f: StatsFilters) -> tuple[int, int]:
    """精准推送: enterprises that received patents in scope from push runs, and the items."""
    row = session.execute(
        select(func.count(distinct(FeedItem.enterprise_id)), func.count())
        .join(Patent, Patent.id == FeedItem.patent_id)
        .where(
            patent_condition(f),
            FeedItem.reason == Reason.profile,
            date_condition(FeedItem.created_at, f),
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def summary(session: Session, actor: Principal, f: StatsFilters) -> dict[str, Any]:
    f = scoped(actor, f)
    outcomes, by_month = _outcomes(session, f)
    return {
        "filters": {k: v for k, v in vars(f).items() if v is not None},
        "rates": _rates(session, f),
        "outcomes": outcomes,
        "funnel": _funnel(session, f),
        "by_month": by_month,
    }


def export(
    session: Session,
    actor: Principal,
    f: StatsFilters,
    format: str,
    table: str,
    encoding: CsvEncoding,
) -> tuple[bytes, str, str, str]:
    """The summary as a download: body, media type, file name, ASCII file name."""
    data = summary(session, actor, f)
    if format == "csv":
        return stats_export.to_csv(session, data, table, encoding)
    return stats_export.to_xlsx(session, data)
