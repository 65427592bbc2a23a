"""Ad-hoc, stored-need and profile (为您推荐) matching of pool patents.

Every call first replays the index change log (``engine.catch_up``), then ranks, then
re-reads the ranked rows from the database, so results always agree with what is stored.
"""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import matching
from app.auth.principal import Principal
from app.common.paging import PageParams
from app.enterprises import service as enterprises
from app.enterprises.models import Enterprise
from app.institutions.models import Institution
from app.licenses.models import DeclarationStatus, OpenLicense
from app.matches import docs, signals
from app.matches.engine import MatchEngine
from app.matches.schemas import (
    ExplanationOut,
    MatchFilters,
    MatchRequest,
    MatchResponse,
    PatentMatch,
    PatentSummary,
)
from app.needs import service as needs
from app.patents.models import LegalStatus, Patent
from app.profiles.builder import profile_doc, profiles_by_id

RECOMMENDATIONS = 100  # a recommendation list ranks this many; pages go through them
_DEFAULT_STATUSES = frozenset({LegalStatus.valid.value, LegalStatus.pending.value})


def to_filters(f: MatchFilters) -> matching.Filters:
    return matching.Filters(
        ipc_prefixes=tuple(f.ipc),
        regions=frozenset(docs.province(r) for r in f.regions),
        patent_types=frozenset(t.value for t in f.patent_types),
        modes=frozenset(m.value for m in f.modes),
        institution_ids=frozenset(str(i) for i in f.institution_ids),
        industries=frozenset(f.sei),
        legal_statuses=frozenset(s.value for s in f.legal_statuses) or _DEFAULT_STATUSES,
        open_license_only=f.open_license_only,
        granted_after=f.granted_after.isoformat() if f.granted_after else "",
        include_lapsed=True,  # legal_statuses decides
    )


def explanation(e: matching.Explanation | None, terms: bool = True) -> ExplanationOut | None:
    """The API form of an explanation; ``terms=False`` hides the need's words (an
    institution must not read a confidential need through them), summaries included."""
    if e is None:
        return None
    return {
        "summary_zh": e.summary_zh if terms else "",
        "summary": e.summary if terms else "",
        "terms": [
            {"term": t.term, "contribution": round(t.contribution, 6), "share": round(t.share, 6)}
            for t in e.terms
        ]
        if terms
        else [],
        "ipc": [
            {
                "code": i.code,
                "title": i.title,
                "source": i.source,
                "probability": round(i.probability, 6),
                "share": round(i.share, 6),
            }
            for i in e.ipc
        ],
        "features": [
            {
                "feature": f.feature,
                "value": round(f.value, 6),
                "contribution": round(f.contribution, 6),
                "share": round(f.share, 6),
            }
            for f in e.features
        ],
    }


def _rank_patents(
    session: Session,
    engine: MatchEngine,
    query: matching.NeedDoc,
    f: MatchFilters,
    limit: int,
    enterprise_id: int | None,
    exclude: frozenset[str] = frozenset(),
) -> MatchResponse:
    engine.catch_up(session)
    matcher = engine.patents
    if matcher is None:
        return MatchResponse(items=[])
    # Feedback: prospect ratings and similar enterprises' intents rank; patents the
    # enterprise answered 无需求 are never proposed to it again.
    fed = signals.gather(session, engine, [signals.Asker(enterprise_id, query)])[0]
    filters = replace(to_filters(f), exclude_ids=exclude)
    try:
        found = matcher.match(query, k=limit, filters=filters, feedback=fed)
    except matching.EmptyQueryError:  # no indexed term: nothing to rank, not an error
        found = []
    return MatchResponse(items=_hydrate_patents(session, found))


_SUMMARY_COLUMNS = [
    getattr(Patent, name) for name in PatentSummary.model_fields if hasattr(Patent, name)
]


def _hydrate_patents(session: Session, found: Sequence[matching.Match]) -> list[PatentMatch]:
    # Summary columns only, in one query with the institution and the declared open
    # licence: whole rows (abstracts, claims, IPC lists) cost more than ranking.
    declared = (OpenLicense.patent_id == Patent.id) & (
        OpenLicense.status == DeclarationStatus.declared
    )
    rows = (
        session.execute(
            select(
                *_SUMMARY_COLUMNS,
                Institution.name.label("institution_name"),
                OpenLicense.id.label("open_license_id"),
            )
            .outerjoin(Institution, Institution.id == Patent.institution_id)
            .outerjoin(OpenLicense, declared)
            .where(Patent.id.in_([int(m.id) for m in found]))
        )
        .mappings()
        .all()
    )
    by_id = {row["id"]: row for row in rows}
    out: list[PatentMatch] = []
    for m in found:
        if int(m.id) not in by_id:
            continue  # deleted since it was ranked
        out.append(
            PatentMatch.model_construct(
                rank=len(out) + 1,
                score=round(m.score, 6),
                patent=PatentSummary.model_validate(by_id[int(m.id)]),
                explanation=explanation(m.explanation),
            )
        )
    return out


def match_text(
    session: Session, engine: MatchEngine, actor: Principal, body: MatchRequest
) -> MatchResponse:
    query = matching.NeedDoc(
        id="adhoc",
        title=body.text,
        ipc_hints=tuple(body.ipc_hints),
        modes=frozenset(m.value for m in body.modes),
        region=docs.province(body.region),
        regions=frozenset(docs.province(r) for r in body.filters.regions),
        cross_region=body.filters.cross_region,
    )
    return _rank_patents(session, engine, query, body.filters, body.limit, actor.enterprise_id)


def match_need(
    session: Session,
    engine: MatchEngine,
    actor: Principal,
    need_id: int,
    f: MatchFilters,
    limit: int,
) -> MatchResponse:
    need = needs.get(session, actor, need_id)
    region = session.scalar(
        select(Enterprise.region_code).where(Enterprise.id == need.enterprise_id)
    )
    # The matcher drops the query's own id from results; patents and needs number apart.
    query = replace(docs.need_doc(need, region), id="query", cross_region=f.cross_region)
    return _rank_patents(session, engine, query, f, limit, need.enterprise_id)


def recommend(
    session: Session,
    engine: MatchEngine,
    actor: Principal,
    enterprise_id: int,
    f: MatchFilters,
    paging: PageParams,
) -> dict[str, Any]:
    """为您推荐: pool patents for the enterprise's profile, best first, paged over the
    best ``RECOMMENDATIONS``. Patents it holds or has licensed are its own already."""
    enterprises.get(session, actor, enterprise_id)  # scoped: 404 outside the caller's scope
    profile = next(iter(profiles_by_id(session, [enterprise_id])))
    own = frozenset(
        str(p) for s in ("patents_held", "patents_licensed") for p in profile.patents.get(s, ())
    )
    query = replace(profile_doc(profile), id="query", cross_region=f.cross_region)
    ranked = _rank_patents(session, engine, query, f, RECOMMENDATIONS, enterprise_id, own).items
    shown = ranked[paging.offset : paging.offset + paging.limit]
    return {"items": shown, "total": len(ranked), "limit": paging.limit, "offset": paging.offset}
