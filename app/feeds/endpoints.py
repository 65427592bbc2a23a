from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.paging import Page, Paging
from app.common.params import ResourceId
from app.config import Settings
from app.db import DBSession
from app.feeds import digest, feed, service, tokens, webhooks
from app.feeds.models import DeliveryState
from app.feeds.schemas import (
    DeliveryRead,
    Digest,
    FeedMarks,
    FeedPage,
    FeedTokenCreated,
    MarkResult,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
    WatchRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/v1/enterprises/{enterprise_id}", tags=["feeds 订阅推送"])
# The secret feed URL is its own credential (no Bearer key): see app/feeds/tokens.py.
feed_url_router = APIRouter(tags=["feeds 订阅推送"])

Owner = Annotated[Principal, Depends(Access(Role.admin, Role.enterprise))]
Reader = Annotated[Principal, Depends(Access(Role.admin, Role.portal, Role.enterprise))]
Limit = Annotated[int, Query(ge=1, le=100, description="每页条数，最多 100")]
Cursor = Annotated[str | None, Query(max_length=20, description="上一页的 next_cursor")]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings)]


@router.post("/watchlist/{patent_id}", status_code=status.HTTP_201_CREATED)
def watch_patent(
    enterprise_id: ResourceId, patent_id: ResourceId, session: DBSession, actor: Owner
) -> WatchRead:
    return service.watch(session, actor, enterprise_id, patent_id)


@router.delete("/watchlist/{patent_id}", status_code=status.HTTP_204_NO_CONTENT)
def unwatch_patent(
    enterprise_id: ResourceId, patent_id: ResourceId, session: DBSession, actor: Owner
) -> None:
    service.unwatch(session, actor, enterprise_id, patent_id)


@router.get("/watchlist")
def list_watchlist(
    enterprise_id: ResourceId, session: DBSession, actor: Reader, paging: Paging
) -> Page[WatchRead]:
    return service.watchlist(session, actor, enterprise_id, paging)


@router.post("/subscriptions", status_code=status.HTTP_201_CREATED)
def create_subscription(
    enterprise_id: ResourceId, body: SubscriptionCreate, session: DBSession, actor: Owner
) -> SubscriptionRead:
    return service.create_subscription(session, actor, enterprise_id, body)


@router.get("/subscriptions")
def list_subscriptions(
    enterprise_id: ResourceId, session: DBSession, actor: Reader, paging: Paging
) -> Page[SubscriptionRead]:
    return service.list_subscriptions(session, actor, enterprise_id, paging)


@router.get("/subscriptions/{subscription_id}")
def get_subscription(
    enterprise_id: ResourceId, subscription_id: ResourceId, session: DBSession, actor: Reader
) -> SubscriptionRead:
    return service.get_subscription(session, actor, enterprise_id, subscription_id)


@router.patch("/subscriptions/{subscription_id}")
def update_subscription(
    enterprise_id: ResourceId,
    subscription_id: ResourceId,
    body: SubscriptionUpdate,
    session: DBSession,
    actor: Owner,
) -> SubscriptionRead:
    return service.update_subscription(session, actor, enterprise_id, subscription_id, body)


@router.post("/subscriptions/{subscription_id}/pause")
def pause_subscription(
    enterprise_id: ResourceId, subscription_id: ResourceId, session: DBSession, actor: Owner
) -> SubscriptionRead:
    return service.set_active(session, actor, enterprise_id, subscription_id, False)


@router.post("/subscriptions/{subscription_id}/resume")
def resume_subscription(
    enterprise_id: ResourceId, subscription_id: ResourceId, session: DBSession, actor: Owner
) -> SubscriptionRead:
    return service.set_active(session, actor, enterprise_id, subscription_id, True)


@router.delete("/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_subscription(
    enterprise_id: ResourceId, subscription_id: ResourceId, session: DBSession, actor: Owner
) -> None:
    service.delete_subscription(session, actor, enterprise_id, subscription_id)


@router.get("/feed")
def get_feed(
    enterprise_id: ResourceId,
    session: DBSession,
    actor: Reader,
    cursor: Cursor = None,
    limit: Limit = 20,
    order: feed.Order = "asc",
    unread: bool = False,
) -> FeedPage:
    return feed.page(session, actor, enterprise_id, cursor, limit, order, unread)


@router.get(
    "/feed.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def get_feed_atom(
    enterprise_id: ResourceId,
    request: Request,
    session: DBSession,
    actor: Reader,
    limit: Limit = 50,
) -> Response:
    base = str(request.base_url).rstrip("/")
    body = feed.atom(session, actor, enterprise_id, base, limit)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.post("/feed-token", status_code=status.HTTP_201_CREATED)
def rotate_feed_token(
    enterprise_id: ResourceId, request: Request, session: DBSession, actor: Owner
) -> FeedTokenCreated:
    """Create or replace the secret Atom feed URL (shown only now; the old one stops)."""
    base = str(request.base_url).rstrip("/")
    return tokens.rotate(session, actor, enterprise_id, base)


@router.delete("/feed-token", status_code=status.HTTP_204_NO_CONTENT)
def revoke_feed_token(enterprise_id: ResourceId, session: DBSession, actor: Owner) -> None:
    """Revoke the secret Atom feed URL."""
    tokens.revoke(session, actor, enterprise_id)


@feed_url_router.get(
    "/v1/feeds/{token}.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def get_feed_atom_by_token(
    token: Annotated[str, Path(max_length=100)],
    request: Request,
    session: DBSession,
    limit: Limit = 50,
) -> Response:
    """The Atom feed for feed readers: the secret URL from ``POST …/feed-token``."""
    base = str(request.base_url).rstrip("/")
    body = feed.atom_by_token(session, token, base, limit)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feed/digest")
def get_digest(
    enterprise_id: ResourceId,
    session: DBSession,
    actor: Reader,
    day: Annotated[date | None, Query(alias="date", description="北京时间日期，默认今天")] = None,
    top: Limit = 20,
) -> Digest:
    return digest.get(session, actor, enterprise_id, day, top)


@router.post("/feed/read")
def mark_read(
    enterprise_id: ResourceId, body: FeedMarks, session: DBSession, actor: Owner
) -> MarkResult:
    return MarkResult(updated=feed.mark(session, actor, enterprise_id, body.item_ids, "read_at"))


@router.post("/feed/ack")
def acknowledge(
    enterprise_id: ResourceId, body: FeedMarks, session: DBSession, actor: Owner
) -> MarkResult:
    return MarkResult(updated=feed.mark(session, actor, enterprise_id, body.item_ids, "acked_at"))


@router.post("/webhooks", status_code=status.HTTP_201_CREATED)
def create_webhook(
    enterprise_id: ResourceId,
    body: WebhookCreate,
    session: DBSession,
    actor: Owner,
    settings: AppSettings,
) -> WebhookCreated:
    return webhooks.create(session, actor, settings, enterprise_id, body)


@router.get("/webhooks")
def list_webhooks(
    enterprise_id: ResourceId, session: DBSession, actor: Owner, paging: Paging
) -> Page[WebhookRead]:
    return webhooks.list_page(session, actor, enterprise_id, paging)


@router.get("/webhooks/{webhook_id}")
def get_webhook(
    enterprise_id: ResourceId, webhook_id: ResourceId, session: DBSession, actor: Owner
) -> WebhookRead:
    return webhooks.get(session, actor, enterprise_id, webhook_id)


@router.patch("/webhooks/{webhook_id}")
def update_webhook(
    enterprise_id: ResourceId,
    webhook_id: ResourceId,
    body: WebhookUpdate,
    session: DBSession,
    actor: Owner,
    settings: AppSettings,
) -> WebhookRead:
    return webhooks.update(session, actor, settings, enterprise_id, webhook_id, body)


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(
    enterprise_id: ResourceId, webhook_id: ResourceId, session: DBSession, actor: Owner
) -> None:
    webhooks.delete(session, actor, enterprise_id, webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries")
def list_deliveries(
    enterprise_id: ResourceId,
    webhook_id: ResourceId,
    session: DBSession,
    actor: Owner,
    paging: Paging,
    state: DeliveryState | None = None,
) -> Page[DeliveryRead]:
    return webhooks.deliveries(session, actor, enterprise_id, webhook_id, paging, state)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
)
def redeliver(
    enterprise_id: ResourceId,
    webhook_id: ResourceId,
    delivery_id: ResourceId,
    session: DBSession,
    actor: Owner,
) -> DeliveryRead:
    return webhooks.redeliver(session, actor, enterprise_id, webhook_id, delivery_id)
