"""Enterprise workbench: its needs, 为您推荐 (patents for its profile) with what the
profile holds, its feed (read / acknowledge) and its watchlist."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import PageParams
from app.common.params import ResourceId
from app.console import queries
from app.console.render import page, redirect
from app.console.routing import ConsoleRoute
from app.console.security import ConsoleAccess
from app.deps import AppMatchEngine, DBSession
from app.feeds import feed
from app.feeds import service as feeds
from app.matches import service as matches
from app.matches.schemas import MatchFilters
from app.needs import service as needs
from app.needs.repository import NeedFilters
from app.profiles import service as profiles

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
EnterpriseOnly = Annotated[Principal, Depends(ConsoleAccess(Role.enterprise))]
FEED_ITEMS = 30
RECOMMENDED = 10


def _own(actor: Principal) -> int:
    assert actor.enterprise_id is not None  # enterprise keys are always bound
    return actor.enterprise_id


@router.get("/enterprise")
def workbench(
    request: Request, db: DBSession, match_engine: AppMatchEngine, actor: EnterpriseOnly
) -> Response:
    own = _own(actor)
    first = PageParams(limit=RECOMMENDED)
    recommended = matches.recommend(db, match_engine, actor, own, MatchFilters(), first).items
    own_needs = needs.list_page(db, actor, PageParams(limit=100), NeedFilters(enterprise_id=own))
    items = feed.page(db, actor, own, None, FEED_ITEMS, "desc").items
    watched = feeds.watchlist(db, actor, own, PageParams(limit=100)).items
    titles = queries.patent_titles(db, [w.patent_id for w in watched])
    context = {
        "needs": own_needs.items,
        "feed": items,
        "unread": sum(1 for i in items if i.read_at is None),
        "watched": [(w, titles.get(w.patent_id, {})) for w in watched],
        "recommended": recommended,
        "profile": profiles.read(db, match_engine, actor, own),
    }
    return page(request, "enterprise.html", context)


@router.post("/enterprise/feed/{item_id}/{action}")
def mark_item(
    request: Request,
    item_id: ResourceId,
    action: Literal["read", "ack"],
    db: DBSession,
    actor: EnterpriseOnly,
) -> Response:
    column = "read_at" if action == "read" else "acked_at"
    changed = feed.mark(db, actor, _own(actor), [item_id], column)
    text = {"read": "已标记为已读", "ack": "已确认收到"}[action]
    note = ("ok", text) if changed else ("info", "该条目已处理")
    return redirect(request, "/console/enterprise#feed", note)
