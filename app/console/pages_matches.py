"""Matches: a need written on the spot, a stored need, the enterprise's own profile, or
a patent (→ enterprises, by need and profile) → ranked, explained.

Calls ``app.matches.service`` with the same request schemas and filters as the API, so
the console ranks exactly what ``POST /v1/match`` and the GET match endpoints rank.
"""

from contextlib import suppress
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.enums import TransactionMode
from app.common.paging import PageParams
from app.common.params import Id
from app.common.reference import sei_names
from app.common.schemas import RequestModel
from app.common.types import NeedText, RegionCode, SearchText
from app.console.render import FormErrors, page, parse
from app.console.routing import ConsoleRoute
from app.console.security import ConsoleAccess
from app.deps import AppMatchEngine, DBSession
from app.errors import DomainError
from app.matches import licensees
from app.matches import service as matches
from app.matches.engine import MatchEngine
from app.matches.schemas import MatchFilters, MatchRequest
from app.needs import service as needs
from app.needs.repository import NeedFilters
from app.patents import service as patents
from app.patents.models import LegalStatus, PatentType
from app.patents.repository import PatentFilters

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Matcher = Annotated[
    Principal,
    Depends(ConsoleAccess(Role.admin, Role.portal, Role.institution, Role.enterprise)),
]
# Who may rank from which side: the same roles as POST /v1/match, GET …/needs/{id}/matches
# and …/enterprises/{id}/recommendations (need side) and GET /v1/patents/{id}/matches.
SOURCES: dict[str, frozenset[Role]] = {
    "text": frozenset({Role.admin, Role.portal, Role.enterprise}),
    "need": frozenset({Role.admin, Role.portal, Role.enterprise}),
    "profile": frozenset({Role.enterprise}),  # its own profile: GET …/recommendations
    "patent": frozenset({Role.admin, Role.portal, Role.institution}),
}


# MatchFilters field → the form input that set it (the form has one input per list).
FILTER_INPUTS = {
    "regions": "region",
    "patent_types": "patent_type",
    "legal_statuses": "legal_status",
    "modes": "mode",
    "cross_region": "same_region",
}


class MatchQuery(RequestModel):
    """The search form: one source, then the API's filters (single-valued in the form)."""

    source: Literal["text", "need", "profile", "patent"] | None = None
    text: NeedText | None = None
    need_id: Id | None = None
    patent_id: Id | None = None
    patent_q: SearchText | None = None  # narrows the patent picker (title words)
    ipc: str | None = Field(default=None, max_length=400)  # prefixes, comma-separated
    sei: str | None = Field(default=None, max_length=10)
    region: RegionCode | None = None
    same_region: bool = False
    patent_type: PatentType | None = None
    legal_status: LegalStatus | None = None
    mode: TransactionMode | None = None
    open_license_only: bool = False
    granted_after: date | None = None
    limit: int = Field(default=10, ge=1, le=100)


def _filters(q: MatchQuery) -> tuple[MatchFilters | None, FormErrors | None]:
    ipc = [p.strip() for p in (q.ipc or "").replace("，", ",").split(",") if p.strip()]
    return parse(
        MatchFilters,
        {
            "ipc": ipc,
            "sei": [q.sei] if q.sei else [],
            "regions": [q.region] if q.region else [],
            "cross_region": not q.same_region,
            "patent_types": [q.patent_type] if q.patent_type else [],
            "legal_statuses": [q.legal_status] if q.legal_status else [],
            "modes": [q.mode] if q.mode else [],
            "open_license_only": q.open_license_only,
            "granted_after": q.granted_after,
        },
        FILTER_INPUTS,
    )


def _run(
    db: Session, match_engine: MatchEngine, actor: Principal, q: MatchQuery, f: MatchFilters
) -> tuple[Any, FormErrors | None]:
    source = q.source or "text"
    if actor.role not in SOURCES[source]:
        return None, FormErrors("当前角色不能使用这种匹配方式", {"source": "请换一种匹配方式"})
    try:
        if source == "text":
            if not q.text:
                return None, FormErrors("请填写需求描述", {"text": "必填"})
            body = MatchRequest(text=q.text, region=q.region, filters=f, limit=q.limit)
            return matches.match_text(db, match_engine, actor, body), None
        if source == "need":
            if q.need_id is None:
                return None, FormErrors("请选择需求", {"need_id": "必填"})
            return matches.match_need(db, match_engine, actor, q.need_id, f, q.limit), None
        if source == "profile":
            assert actor.enterprise_id is not None  # only enterprise keys, always bound
            paging = PageParams(limit=q.limit)
            return matches.recommend(db, match_engine, actor, actor.enterprise_id, f, paging), None
        if q.patent_id is None:
            return None, FormErrors("请选择专利", {"patent_id": "必填"})
        return licensees.match_patent(db, match_engine, actor, q.patent_id, f, q.limit), None
    except DomainError as exc:
        return None, FormErrors.from_domain(exc)


def _pickers(db: Session, actor: Principal, q: MatchQuery) -> dict[str, Any]:
    """Stored needs and patents to pick from, for the roles that may use them.

    Patents are many: the picker lists the first 100 whose title contains ``patent_q``,
    and always the chosen patent, so the form shows what the results are for.
    """
    first = PageParams(limit=100)
    out: dict[str, Any] = {"needs": [], "patents": [], "patents_total": 0}
    if actor.role in SOURCES["need"]:
        own = NeedFilters(enterprise_id=actor.enterprise_id)
        own_needs = needs.list_page(db, actor, first, own).items
        out["needs"] = [(n.id, f"#{n.id} {n.title}") for n in own_needs]
    if actor.role in SOURCES["patent"]:
        mine = PatentFilters(institution_id=actor.institution_id, q=q.patent_q)
        listed = patents.list_page(db, actor, first, mine)
        found = list(listed.items)
        if q.patent_id is not None and q.patent_id not in {p.id for p in found}:
            with suppress(DomainError):  # not readable: the match itself reports it
                found.insert(0, patents.get(db, actor, q.patent_id))
        out["patents"] = [(p.id, f"{p.application_number} {p.title}") for p in found]
        out["patents_total"] = listed.total
    return out


@router.get("/matches")
def match_page(
    request: Request, db: DBSession, match_engine: AppMatchEngine, actor: Matcher
) -> Response:
    params = {k: v for k, v in request.query_params.items() if k != "run"}
    query, errors = parse(MatchQuery, params)
    result = None
    if query is not None and "run" in request.query_params:
        filters, errors = _filters(query)
        if filters is not None:
            result, errors = _run(db, match_engine, actor, query, filters)
    default_source = "patent" if actor.role is Role.institution else "text"
    context = {
        "query": query or MatchQuery(),
        "source": (query.source if query and query.source else default_source),
        "sources": [s for s, roles in SOURCES.items() if actor.role in roles],
        "errors": errors,
        "result": result,
        "sei_names": sei_names(),
        **_pickers(db, actor, query or MatchQuery()),
    }
    return page(request, "matches.html", context)
