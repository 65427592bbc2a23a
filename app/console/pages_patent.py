"""One patent: details, IPC titles, open licence terms; an enterprise gives feedback and a
prospect rating, accepts the open licence, or watches the patent from here."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import PageParams
from app.common.params import ResourceId
from app.console import queries
from app.console.render import FormErrors, FormValues, attempt, page, parse, redirect
from app.console.routing import ConsoleRoute, safe_next
from app.console.security import ConsoleAccess
from app.db import DBSession
from app.deals import service as deals
from app.deals.repository import DealFilters
from app.feedback import service as feedback
from app.feedback.schemas import FeedbackCreate
from app.feeds import service as feeds
from app.feeds.models import WatchEntry
from app.licenses import service as licences
from app.patents import service as patents

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Anyone = Annotated[Principal, Depends(ConsoleAccess(*Role))]
EnterpriseOnly = Annotated[Principal, Depends(ConsoleAccess(Role.enterprise))]
RATING = ("market", "maturity", "difficulty", "comment")


def _context(db: Session, actor: Principal, patent_id: int) -> dict[str, Any]:
    patent = patents.get(db, actor, patent_id)
    context: dict[str, Any] = {
        "patent": patent,
        "licences": licences.list_for_patent(db, actor, patent_id),
        "ratings": feedback.ratings(db, actor, patent_id),
        "feedback": [],
        "watched": False,
    }
    if actor.role is not Role.province:  # provinces read statistics, not intents
        context["feedback"] = feedback.for_patent(db, actor, patent_id)
    if actor.role is Role.enterprise:
        context["watched"] = _watching(db, actor, patent_id)
    ids = [lic.id for lic in context["licences"]]
    context["accepted"] = queries.accepted_by(db, actor.enterprise_id, ids)
    context.update(_deals(db, actor, patent))
    return context


def _deals(db: Session, actor: Principal, patent: Any) -> dict[str, Any]:
    """Deals on the patent the viewer may read, and the open licences in force.

    Licensees of open licences are named to the holder, the portal and the admin; others
    see how many there are.
    """
    on_patent = DealFilters(patent_id=patent.id)
    found = deals.list_page(db, actor, PageParams(limit=100), on_patent).items
    licensees = queries.open_licensees(db, patent.id, date.today())
    names = actor.role in (Role.admin, Role.portal) or actor.owns_institution(patent.institution_id)
    return {
        "deals": found,
        "deal_parties": queries.enterprise_names(db, {d.enterprise_id for d in found}),
        "in_force": queries.IN_FORCE,
        "open_licensees": licensees if names else [],
        "open_licensee_count": len(licensees),
    }


def _watching(db: Session, actor: Principal, patent_id: int) -> bool:
    stmt = select(WatchEntry.id).where(
        WatchEntry.enterprise_id == actor.enterprise_id, WatchEntry.patent_id == patent_id
    )
    return db.scalar(stmt) is not None


@router.get("/patents/{patent_id}")
def patent_page(request: Request, patent_id: ResourceId, db: DBSession, actor: Anyone) -> Response:
    return page(request, "patent.html", _context(db, actor, patent_id))


def _feedback_body(values: dict[str, str]) -> dict[str, Any]:
    """Flat form fields → the API's FeedbackCreate body (``rating`` only when rated)."""
    body: dict[str, Any] = {
        k: v for k, v in values.items() if not k.startswith("rating.") and v != ""
    }
    rating = {k: values.get(f"rating.{k}", "") for k in RATING}
    if any(rating[k] for k in RATING):
        body["rating"] = {k: v for k, v in rating.items() if v != ""}
    return body


@router.post("/patents/{patent_id}/feedback")
def give_feedback(
    request: Request,
    patent_id: ResourceId,
    db: DBSession,
    actor: EnterpriseOnly,
    values: FormValues,
) -> Response:
    data, errors = parse(FeedbackCreate, _feedback_body(values))
    saved = None
    if data is not None:
        saved, errors = attempt(db, feedback.submit, db, actor, patent_id, data)
    if saved is None:
        context = _context(db, actor, patent_id)
        context.update(values=values, errors=errors or FormErrors("提交失败"))
        return page(request, "patent.html", context)
    return redirect(request, f"/console/patents/{patent_id}", ("ok", "反馈已提交，感谢您的评价"))


@router.post("/open-licenses/{license_id}/accept")
def accept_licence(
    request: Request, license_id: ResourceId, db: DBSession, actor: EnterpriseOnly
) -> Response:
    licence = licences.get(db, actor, license_id)
    target = f"/console/patents/{licence.patent_id}"
    accepted, errors = attempt(db, licences.accept, db, actor, license_id)
    if accepted is None:
        return redirect(request, target, ("error", errors.message if errors else "操作失败"))
    note = f"已接受开放许可，许可期 {accepted.starts_on} 至 {accepted.ends_on}"
    return redirect(request, target, ("ok", note))


@router.post("/patents/{patent_id}/watch")
def watch(
    request: Request, patent_id: ResourceId, db: DBSession, actor: EnterpriseOnly
) -> Response:
    assert actor.enterprise_id is not None  # an enterprise key is bound to its enterprise
    feeds.watch(db, actor, actor.enterprise_id, patent_id)
    return redirect(request, f"/console/patents/{patent_id}", ("ok", "已加入关注列表"))


@router.post("/patents/{patent_id}/unwatch")
def unwatch(
    request: Request,
    patent_id: ResourceId,
    db: DBSession,
    actor: EnterpriseOnly,
    values: FormValues,
) -> Response:
    assert actor.enterprise_id is not None
    _, errors = attempt(db, feeds.unwatch, db, actor, actor.enterprise_id, patent_id)
    back = values.get("back") or f"/console/patents/{patent_id}"
    message = ("error", errors.message) if errors else ("ok", "已取消关注")
    return redirect(request, safe_next(back), message)
