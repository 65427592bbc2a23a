"""Patent → potential licensees (沉睡专利 → 潜在许可对象).

One row per enterprise, from two indexes: its best-matching open need and its profile
(企业画像, ``app.profiles``), so an enterprise that never wrote a need is found too.
Enterprises that cannot be a new licensee are left out: those that hold the patent (a
registered transfer) or a licence on it (a signed-or-later deal, or an accepted open
licence in force) and those that answered 无需求 about it. Needs are confidential, and a
profile contains them: an institution sees the enterprise, the IPC evidence and a
Chinese summary without the words of either.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select, union
from sqlalchemy.orm import Session

import matching
from app.auth.models import Role
from app.auth.principal import Principal
from app.deals.models import Deal, DealPatent
from app.enterprises.models import Enterprise
from app.feedback.models import Feedback, Intent
from app.licenses.models import OpenLicense, OpenLicenseAcceptance
from app.matches import docs
from app.matches.engine import MatchEngine
from app.matches.schemas import (
    EnterpriseMatch,
    EnterpriseMatchResponse,
    EnterpriseSummary,
    ExplanationOut,
    MatchEvidence,
    MatchFilters,
    NeedSummary,
)
from app.matches.service import explanation
from app.needs.models import Need
from app.patents import service as patents
from app.profiles.builder import HOLDING

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
) -> EnterpriseMatchResponse:
    patent = patents.find(session, actor, patent_id, write=actor.role is Role.institution)
    engine.catch_up(session)
    excluded = excluded_enterprises(session, patent_id)
    if patent.holder_enterprise_id is not None:
        excluded.add(patent.holder_enterprise_id)
    query = replace(docs.patent_doc(patent), id="query")
    k = min(limit * OVERFETCH, MAX_K)
    regions = frozenset(docs.province(r) for r in f.regions)
    need_filters = matching.Filters(
        ipc_prefixes=tuple(f.ipc),
        modes=frozenset(m.value for m in f.modes),
        regions=regions,
        exclude_ids=frozenset(str(i) for i in _excluded_needs(session, excluded)),
    )
    # Profiles state no wanted transaction mode: the mode filter applies to needs only.
    profile_filters = matching.Filters(
        ipc_prefixes=tuple(f.ipc),
        regions=regions,
        exclude_ids=frozenset(str(e) for e in excluded),
    )
    by_need = _ranked(engine.needs, query, k, need_filters)
    by_profile = _ranked(engine.profiles, query, k, profile_filters)
    reveal = actor.role is not Role.institution
    return EnterpriseMatchResponse(items=_merge(session, by_need, by_profile, reveal)[:limit])


def _ranked(
    matcher: matching.Matcher | None, query: matching.PatentDoc, k: int, f: matching.Filters
) -> list[matching.Match]:
    if matcher is None:
        return []
    try:
        return matcher.match(query, k=k, filters=f)
    except matching.EmptyQueryError:
        return []


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
    refused = select(Feedback.enterprise_id).where(
        Feedback.patent_id == patent_id,
        Feedback.is_current.is_(True),
        Feedback.intent == Intent.no_need,
    )
    return set(session.scalars(union(holders, accepted, refused)))


def _excluded_needs(session: Session, ents: set[int]) -> list[int]:
    if not ents:
        return []
    return list(session.scalars(select(Need.id).where(Need.enterprise_id.in_(ents))))


@dataclass
class _Evidence:
    need: tuple[Need, matching.Match] | None = None  # the enterprise's best need
    profile: matching.Match | None = None

    @property
    def deciding(self) -> matching.Match:
        need = self.need[1] if self.need else None
        if need is None or (self.profile is not None and self.profile.score > need.score):
            assert self.profile is not None
            return self.profile
        return need


def _merge(
    session: Session,
    by_need: Sequence[matching.Match],
    by_profile: Sequence[matching.Match],
    reveal: bool,
) -> list[EnterpriseMatch]:
    """One row per enterprise, scored by the stronger of its evidence (best need, profile).

    Both indexes score with the same ranker and configuration, so their scores share a
    scale: the maximum keeps an enterprise found by a precise need as high as that need
    ranks, and lets one that never wrote a need rank by its profile alone."""
    found: dict[int, _Evidence] = {}
    need_ids = [int(m.id) for m in by_need]
    needs = {n.id: n for n in session.scalars(select(Need).where(Need.id.in_(need_ids)))}
    for m in by_need:  # best first: the first need seen is the enterprise's best
        need = needs.get(int(m.id))  # None: deleted since it was ranked
        if need is not None and found.setdefault(need.enterprise_id, _Evidence()).need is None:
            found[need.enterprise_id].need = (need, m)
    for m in by_profile:
        found.setdefault(int(m.id), _Evidence()).profile = m
    stmt = select(Enterprise).where(Enterprise.id.in_(list(found)))
    ents = {e.id: e for e in session.scalars(stmt)}
    ranked = sorted(
        ((ev, ents[e]) for e, ev in found.items() if e in ents),
        key=lambda pair: (-pair[0].deciding.score, pair[1].id),
    )
    return [_row(rank, ev, ent, reveal) for rank, (ev, ent) in enumerate(ranked, 1)]


def _row(rank: int, ev: _Evidence, ent: Enterprise, reveal: bool) -> EnterpriseMatch:
    deciding = ev.deciding
    return EnterpriseMatch(
        rank=rank,
        score=round(deciding.score, 6),
        enterprise=EnterpriseSummary.model_validate(ent),
        evidence=MatchEvidence(
            need=round(ev.need[1].score, 6) if ev.need else None,
            profile=round(ev.profile.score, 6) if ev.profile else None,
            source="profile" if deciding is ev.profile else "need",
        ),
        need=NeedSummary(id=ev.need[0].id, title=ev.need[0].title) if reveal and ev.need else None,
        explanation=_explained(deciding.explanation, reveal),
    )


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
