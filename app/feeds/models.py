"""Subscriptions, watchlist, feed items and the webhook outbox.

A feed item is unique per (enterprise, patent, reason, reason_key): the database, not the
producer's memory, guarantees an enterprise never gets the same patent twice for the same
reason. Webhook deliveries are the transactional outbox: the producer writes them in the
transaction that writes their feed item, and the worker sends them after the commit.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow


class Subscription(TimestampMixin, Base):
    """What an enterprise wants pushed (订阅). Given criteria must all hold (AND); inside
    one criterion any listed value is enough (OR)."""

    __tablename__ = "subscriptions"
    __audit_resource__ = "subscription"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True, index=True)  # False: paused
    all_needs: Mapped[bool] = mapped_column(default=False)  # every open need of the enterprise
    need_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    ipc_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sei: Mapped[list[str]] = mapped_column(JSON, default=list)  # 战略性新兴产业 codes
    institution_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)  # matched by province
    modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    open_license_only: Mapped[bool] = mapped_column(default=False)
    min_score: Mapped[float] = mapped_column(Float, default=0.0)
    quota: Mapped[int] = mapped_column(SmallInteger, default=20)  # items per daily digest


class WatchEntry(Base):
    """A watched patent (订阅专利): its status and licence changes reach the feed."""

    __tablename__ = "watchlist"
    __audit_resource__ = "watch"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "patent_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reason(StrEnum):
    match = "match"  # a patent entering the pool matched a subscription
    profile = "profile"  # a push run ranked it for the enterprise's profile (精准推送)
    watch = "watch"  # a watched patent's status or licence changed


class FeedItem(Base):
    """One pushed patent. Written by the producer only, in id order (see producer.py)."""

    __tablename__ = "feed_items"
    __audit_resource__ = None  # system-produced log rows; their subscription is audited
    __table_args__ = (
        UniqueConstraint("enterprise_id", "patent_id", "reason", "reason_key"),
        Index("ix_feed_items_enterprise_id_id", "enterprise_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[Reason] = mapped_column(str_enum(Reason, 16))
    # "" for matches; the patent's new state for watch items, so each change is pushed once.
    reason_key: Mapped[str] = mapped_column(String(200), default="")
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PatentState(Base):
    """The last state of a patent the producer saw: tells "entered the pool" and watched
    changes apart from other edits."""

    __tablename__ = "feed_patent_states"
    __audit_resource__ = None

    patent_id: Mapped[int] = mapped_column(
        ForeignKey("patents.id", ondelete="CASCADE"), primary_key=True
    )
    pushable: Mapped[bool]  # in the pool and valid
    signature: Mapped[str] = mapped_column(String(200))


class ProducerState(Base):
    """One row (id 1, inserted by the migration): the producer's watermark over
    ``index_changes``. Producers lock it, so they run one at a time across processes."""

    __tablename__ = "feed_producer"
    __audit_resource__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    last_change_id: Mapped[int] = mapped_column(default=0)
    # Patents created before the feeds started are not "new"; only later ones are pushed.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EndpointState(StrEnum):
    healthy = "healthy"
    failing = "failing"  # a delivery used up its retries; new ones are still attempted


class WebhookEndpoint(TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"
    __audit_resource__ = "webhook"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    # Kept in clear: signing needs it. Shown once at creation, never read back by the API.
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    state: Mapped[EndpointState] = mapped_column(str_enum(EndpointState, 16))
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryState(StrEnum):
    pending = "pending"
    sending = "sending"  # claimed by a worker until lease_until
    succeeded = "succeeded"
    failed = "failed"  # retries used up


class WebhookDelivery(Base):
    """Outbox row and delivery log entry: one event for one endpoint, retried as a unit
    under one ``webhook_id`` (receivers dedupe on it)."""

    __tablename__ = "webhook_deliveries"
    __audit_resource__ = None  # the outbox; its endpoint is audited
    __table_args__ = (
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    webhook_id: Mapped[str] = mapped_column(String(80), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    feed_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feed_items.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent, every attempt
    state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState, 16))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedToken(Base):
    """The secret in an enterprise's Atom feed URL, for feed readers that cannot send a
    Bearer key. Only its SHA-256 is stored; rotating replaces the row, revoking deletes it."""

    __tablename__ = "feed_tokens"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)
    __audit_resource__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
