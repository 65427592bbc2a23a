"""Subscriptions (订阅) and the watchlist (订阅专利) of an enterprise.

Scope: an enterprise key manages only its own subscriptions, watchlist, feed and webhooks
(another enterprise's id answers 404); admins all. The portal may read subscriptions,
watchlists and feeds (it shows them to enterprises, as it reads their needs) but change
nothing and never sees webhooks, whose URLs and deliveries are the enterprise's systems.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.enterprises.models import Enterprise
from app.errors import Invalid, NotFound, field_error
from app.feeds import sources
from app.feeds.models import PatentState, Subscription, WatchEntry
from app.feeds.schemas import (
    CRITERIA,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
    WatchRead,
)
from app.needs.models import Need
from app.patents import repository as patent_rows
from app.patents import service as patents
from app.patents.schemas import PatentBrief


def enterprise(session: Session, actor: Principal, enterprise_id: int, write: bool) -> int:
    """The enterprise id when the caller may read (or write) its feed; else 404."""
    allowed = actor.owns_enterprise(enterprise_id) or (actor.role is Role.portal and not write)
    if not allowed or session.get(Enterprise, enterprise_id) is None:
        raise NotFound(Msg(f"企业不存在：{enterprise_id}", f"enterprise {enterprise_id} not found"))
    return enterprise_id


def _check_needs(session: Session, enterprise_id: int, need_ids: list[int]) -> None:
    own = set(
        session.scalars(
            select(Need.id).where(Need.enterprise_id == enterprise_id, Need.id.in_(need_ids))
        )
    )
    missing = [n for n in need_ids if n not in own]
    if missing:  # another enterprise's need reads as missing: ids cannot be probed
        raise Invalid(
            Msg("需求不存在", "unknown need ids"),
            [field_error("need_ids", Msg(f"未找到：{missing[:20]}", f"not found: {missing[:20]}"))],
        )


def _require_criteria(values: dict[str, Any]) -> None:
    if any(values.get(name) for name in CRITERIA):
        return
    raise Invalid(
        Msg(
            "订阅至少需要一个条件：全部需求、指定需求、关键词、IPC、战略性新兴产业、"
            "机构、地区、交易方式或仅开放许可",
            "a subscription needs at least one criterion: all_needs, need_ids, keywords, "
            "ipc_prefixes, sei, institution_ids, regions, modes or open_license_only",
        ),
        [
            field_error(name, Msg("至少填写一项订阅条件", "give at least one criterion"))
            for name in CRITERIA
        ],
    )


def create_subscription(
    session: Session, actor: Principal, enterprise_id: int, data: SubscriptionCreate
) -> SubscriptionRead:
    enterprise(session, actor, enterprise_id, write=True)
    _require_criteria(data.model_dump())
    _check_needs(session, enterprise_id, data.need_ids)
    sub = Subscription(enterprise_id=enterprise_id, **data.model_dump())
    session.add(sub)
    session.flush()
    return SubscriptionRead.model_validate(sub)


def find_subscription(
    session: Session, actor: Principal, enterprise_id: int, sub_id: int, write: bool = False
) -> Subscription:
    enterprise(session, actor, enterprise_id, write)
    sub = session.get(Subscription, sub_id)
    if sub is None or sub.enterprise_id != enterprise_id:
        raise NotFound(Msg(f"订阅不存在：{sub_id}", f"subscription {sub_id} not found"))
    return sub


def get_subscription(
    session: Session, actor: Principal, enterprise_id: int, sub_id: int
) -> SubscriptionRead:
    return SubscriptionRead.model_validate(find_subscription(session, actor, enterprise_id, sub_id))


def list_subscriptions(
    session: Session, actor: Principal, enterprise_id: int, paging: PageParams
) -> Page[SubscriptionRead]:
    enterprise(session, actor, enterprise_id, write=False)
    stmt = select(Subscription).where(Subscription.enterprise_id == enterprise_id)
    return paginate(
        session, stmt.order_by(Subscription.id), paging, SubscriptionRead.model_validate
    )


def update_subscription(
    session: Session, actor: Principal, enterprise_id: int, sub_id: int, data: SubscriptionUpdate
) -> SubscriptionRead:
    sub = find_subscription(session, actor, enterprise_id, sub_id, write=True)
    changes = data.changes()
    _require_criteria({name: changes.get(name, getattr(sub, name)) for name in CRITERIA})
    if "need_ids" in changes:
        _check_needs(session, enterprise_id, changes["need_ids"])
    for field, value in changes.items():
        setattr(sub, field, value)
    session.flush()
    return SubscriptionRead.model_validate(sub)


def set_active(
    session: Session, actor: Principal, enterprise_id: int, sub_id: int, active: bool
) -> SubscriptionRead:
    """Pause (False) or resume (True); a paused subscription produces nothing meanwhile."""
    sub = find_subscription(session, actor, enterprise_id, sub_id, write=True)
    sub.active = active
    session.flush()
    return SubscriptionRead.model_validate(sub)


def delete_subscription(
    session: Session, actor: Principal, enterprise_id: int, sub_id: int
) -> None:
    session.delete(find_subscription(session, actor, enterprise_id, sub_id, write=True))
    session.flush()


def watch(session: Session, actor: Principal, enterprise_id: int, patent_id: int) -> WatchRead:
    """Watch a pool patent (idempotent). Its current state is recorded, so its next status
    or licence change is recognised as one."""
    enterprise(session, actor, enterprise_id, write=True)
    patent = patents.find(session, actor, patent_id)
    entry = session.scalar(
        select(WatchEntry).where(
            WatchEntry.enterprise_id == enterprise_id, WatchEntry.patent_id == patent_id
        )
    )
    if entry is not None:
        return _with_patents(session, [entry])[0]
    if session.get(PatentState, patent_id) is None:
        loaded = sources.load_patents(session, [patent.id])
        session.add(sources.patent_state(*loaded[0]))
    entry = WatchEntry(enterprise_id=enterprise_id, patent_id=patent_id)
    session.add(entry)
    session.flush()
    return _with_patents(session, [entry])[0]


def unwatch(session: Session, actor: Principal, enterprise_id: int, patent_id: int) -> None:
    enterprise(session, actor, enterprise_id, write=True)
    entry = session.scalar(
        select(WatchEntry).where(
            WatchEntry.enterprise_id == enterprise_id, WatchEntry.patent_id == patent_id
        )
    )
    if entry is None:
        raise NotFound(
            Msg(f"未订阅该专利：{patent_id}", f"patent {patent_id} is not on the watchlist")
        )
    session.delete(entry)
    session.flush()


def watchlist(
    session: Session, actor: Principal, enterprise_id: int, paging: PageParams
) -> Page[WatchRead]:
    enterprise(session, actor, enterprise_id, write=False)
    stmt = select(WatchEntry).where(WatchEntry.enterprise_id == enterprise_id)
    page = paginate(session, stmt.order_by(WatchEntry.id), paging, lambda entry: entry)
    return page.with_items(_with_patents(session, page.items))


def _with_patents(session: Session, entries: list[WatchEntry]) -> list[WatchRead]:
    """Watch entries with the summary of each patent (title, number, status, institution)."""
    found = patent_rows.briefs(session, [e.patent_id for e in entries])
    return [
        WatchRead(
            enterprise_id=e.enterprise_id,
            patent_id=e.patent_id,
            created_at=e.created_at,
            patent=PatentBrief.model_validate(found[e.patent_id]),
        )
        for e in entries
    ]
