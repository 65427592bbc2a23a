"""Patent → potential licensees (沉睡专利 → 潜在许可对象).

One row per enterprise (its best-matching open need), leaving out enterprises that
cannot be a new licensee: those that already hold the patent or a licence on it (a
signed-or-later deal, or an accepted open licence in force) and those that answered
无需求 about it. Needs are confidential: an institution sees the enterprise, the IPC
evidence and a Chinese summary without the need's words.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import select, union
from sqlalchemy.orm import Session

import matching
from app.auth.models import Role
from app.auth.principal import Principal
from app.deals.models import Deal, DealPatent, DealStatus
from app.enterprises.models import Enterprise
from app.feedback.models import Feedback
from app.feedback.repository import no_need_statement
from app.licenses.models import OpenLicense, OpenLicenseAcceptance
from app.matches import matcher_documents
from app.matches.engine import MatchEngine
from app.matches.schemas import (
    EnterpriseSummary,
    ExplanationOut,
    MatchFilters,
    NeedMatch,
    NeedMatchResponse,
    NeedSummary,
)
from app.matches.service import explanation
from app.needs.models import Need
from app.patents import service as patents

# Deals from signing on give the enterprise the patent or a licence on it; earlier
# stages (意向, 洽谈) still leave it a prospect.
HOLDING = (
    DealStatus.signed,
    DealStatus.registered,
    DealStatus.implemented,
    DealStatus.industrialized,
)
# Several needs of one enterprise can rank; ask for more so that ``limit`` enterprises
# remain after keeping each one's best need.
OVERFETCH = 5
MAX_K = 500
MASKED = "该企业的技术需求与本专利相关（需求内容保密，不显示共同关键词）"


def match_patent(
    session: Session,
    engine: MatchEngine,
    actor: Principal,
    patent_id: int,
    f: MatchFilters,
    limit: int,
) -> NeedMatchResponse:
    patent = patents.find(session, actor, patent_id, write=actor.role is Role.institution)
    engine.catch_up(session)
    if engine.needs is None:
        return NeedMatchResponse(items=[])
    filters = matching.Filters(
        ipc_prefixes=tuple(f.ipc),
        modes=frozenset(m.value for m in f.modes),
        regions=frozenset(matcher_documents.province(r) for r in f.regions),
        exclude_ids=frozenset(str(i) for i in _excluded_needs(session, patent_id)),
    )
    query = replace(matcher_documents.patent_doc(patent), id="query")
    try:
        found = engine.needs.match(query, k=min(limit * OVERFETCH, MAX_K), filters=filters)
    except matching.EmptyQueryError:
        found = []
    reveal = actor.role is not Role.institution
    return NeedMatchResponse(items=_hydrate(session, found, reveal)[:limit])


def excluded_enterprises(session: Session, patent_id: int) -> set[int]:
    """Enterprises that hold the patent or a licence on it, or answered 无需求."""
    holders = (
        select(Deal.enterprise_id)
        .join(DealPatent, DealPatent.deal_id == Deal.id)
        .where(DealPatent.patent_id == patent_id, Deal.status.in_(HOLDING))
    )
    accepted = (
        select(OpenLicenseAcceptance.enterprise_id)
        .join(OpenLicense, OpenLicense.id == OpenLicenseAcceptance.open_license_id)
        .where(OpenLicense.patent_id == patent_id, OpenLicenseAcceptance.ends_on >= date.today())
    )
    refused = (
        no_need_statement()
        .where(Feedback.patent_id == patent_id)
        .with_only_columns(Feedback.enterprise_id)
    )
    return set(session.scalars(union(holders, accepted, refused)))


def _excluded_needs(session: Session, patent_id: int) -> list[int]:
    ents = excluded_enterprises(session, patent_id)
    if not ents:
        return []
    return list(session.scalars(select(Need.id).where(Need.enterprise_id.in_(ents))))


def _hydrate(session: Session, found: Sequence[matching.Match], reveal: bool) -> list[NeedMatch]:
    rows = session.execute(
        select(Need, Enterprise)
        .join(Enterprise, Enterprise.id == Need.enterprise_id)
        .where(Need.id.in_([int(m.id) for m in found]))
    ).all()
    by_id = {need.id: (need, ent) for need, ent in rows}
    seen: set[int] = set()
    out: list[NeedMatch] = []
    for m in found:  # best first: the first need seen is the enterprise's best
        if int(m.id) not in by_id:
            continue  # deleted since it was ranked
        need, ent = by_id[int(m.id)]
        if ent.id in seen:
            continue
        seen.add(ent.id)
        out.append(
            NeedMatch(
                rank=len(out) + 1,
                score=round(m.score, 6),
                enterprise=EnterpriseSummary.model_validate(ent),
                need=NeedSummary(id=need.id, title=need.title) if reveal else None,
                explanation=_explained(m.explanation, reveal),
            )
        )
    return out


def _explained(e: matching.Explanation | None, reveal: bool) -> ExplanationOut | None:
    out = explanation(e, terms=reveal)
    if out is None or reveal:
        return out
    # The matcher's summary names shared words (the need's words): keep its other parts.
    assert e is not None
    kept = [p for p in e.summary.split("；") if p and not p.startswith("共同关键词")]
    out["summary"] = "；".join([MASKED, *kept])
    kept_zh = [p for p in e.summary_zh.split("；") if p and not p.startswith("共同技术")]
    out["summary_zh"] = "；".join([MASKED, *kept_zh])
    return out
