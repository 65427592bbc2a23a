"""Webhook endpoints of an enterprise, their delivery log and manual redelivery.

Only the enterprise itself and admins manage them (the portal does not see them). The
secret is returned once, at creation; reads never include it.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.messages import Msg, split
from app.common.paging import Page, PageParams, paginate
from app.config import Settings
from app.db import utcnow
from app.errors import Invalid, NotFound, field_error
from app.feeds import outbound
from app.feeds.models import DeliveryState, EndpointState, WebhookDelivery, WebhookEndpoint
from app.feeds.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from app.feeds.service import enterprise


def _checked_url(url: str, settings: Settings) -> str:
    try:
        outbound.resolve(url, settings.webhook_allow_networks)
    except outbound.Refused as exc:
        reason = split(str(exc))
        raise Invalid(
            Msg(f"Webhook 地址不可用：{reason.zh}", f"webhook URL refused: {reason.en}"),
            [field_error("url", reason)],
        ) from exc
    return url


def create(
    session: Session, actor: Principal, settings: Settings, enterprise_id: int, data: WebhookCreate
) -> WebhookCreated:
    enterprise(session, actor, enterprise_id, write=True)
    secret = data.secret or outbound.new_secret()
    try:
        outbound.secret_key(secret)
    except ValueError as exc:
        reason = split(str(exc))
        raise Invalid(reason, [field_error("secret", reason)]) from exc
    endpoint = WebhookEndpoint(
        enterprise_id=enterprise_id,
        url=_checked_url(data.url, settings),
        secret=secret,
        events=data.events,
        active=True,
        state=EndpointState.healthy,
    )
    session.add(endpoint)
    session.flush()
    return WebhookCreated.model_validate(
        {**WebhookRead.model_validate(endpoint).model_dump(), "secret": secret}
    )


def find(
    session: Session, actor: Principal, enterprise_id: int, endpoint_id: int
) -> WebhookEndpoint:
    enterprise(session, actor, enterprise_id, write=True)
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.enterprise_id != enterprise_id:
        raise NotFound(Msg(f"Webhook不存在：{endpoint_id}", f"webhook {endpoint_id} not found"))
    return endpoint


def get(session: Session, actor: Principal, enterprise_id: int, endpoint_id: int) -> WebhookRead:
    return WebhookRead.model_validate(find(session, actor, enterprise_id, endpoint_id))


def list_page(
    session: Session, actor: Principal, enterprise_id: int, paging: PageParams
) -> Page[WebhookRead]:
    enterprise(session, actor, enterprise_id, write=True)
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.enterprise_id == enterprise_id)
    return paginate(session, stmt.order_by(WebhookEndpoint.id), paging, WebhookRead.model_validate)


def update(
    session: Session,
    actor: Principal,
    settings: Settings,
    enterprise_id: int,
    endpoint_id: int,
    data: WebhookUpdate,
) -> WebhookRead:
    endpoint = find(session, actor, enterprise_id, endpoint_id)
    changes = data.changes()
    if "url" in changes:
        changes["url"] = _checked_url(changes["url"], settings)
    for field, value in changes.items():
        setattr(endpoint, field, value)
    session.flush()
    return WebhookRead.model_validate(endpoint)


def delete(session: Session, actor: Principal, enterprise_id: int, endpoint_id: int) -> None:
    session.delete(find(session, actor, enterprise_id, endpoint_id))
    session.flush()


def deliveries(
    session: Session,
    actor: Principal,
    enterprise_id: int,
    endpoint_id: int,
    paging: PageParams,
    state: DeliveryState | None,
) -> Page[DeliveryRead]:
    """The delivery log, newest first."""
    find(session, actor, enterprise_id, endpoint_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if state is not None:
        stmt = stmt.where(WebhookDelivery.state == state)
    newest_first = stmt.order_by(WebhookDelivery.id.desc())
    return paginate(session, newest_first, paging, DeliveryRead.model_validate)


def redeliver(
    session: Session, actor: Principal, enterprise_id: int, endpoint_id: int, delivery_id: int
) -> DeliveryRead:
    """Send a delivery again soon, with the same webhook-id and body and a fresh set of
    attempts; a delivery that is being sent right now is left to finish."""
    find(session, actor, enterprise_id, endpoint_id)
    found = session.get(WebhookDelivery, delivery_id)
    if found is None or found.endpoint_id != endpoint_id:
        raise NotFound(Msg(f"投递记录不存在：{delivery_id}", f"delivery {delivery_id} not found"))
    if found.state is not DeliveryState.sending:
        found.state, found.attempts, found.next_attempt_at = DeliveryState.pending, 0, utcnow()
        session.flush()
    return DeliveryRead.model_validate(found)
