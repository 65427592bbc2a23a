from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator
from pydantic.config import JsonDict

from app.common.enums import TransactionModeIn
from app.common.params import Id
from app.common.schemas import PatchModel, ReadModel, RequestModel, unique
from app.common.types import NO_NUL, IpcPrefix, Keyword, Name, RegionCode
from app.feeds.models import DeliveryState, EndpointState, Reason
from app.matches.schemas import SeiCode
from app.patents.schemas import PatentBrief

Score = Annotated[float, Field(ge=0, le=1000)]
Quota = Annotated[int, Field(ge=1, le=100, description="每日摘要最多条数")]
EventType = Literal["feed.item", "watch.change", "digest"]
WebhookUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NO_NUL
]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=200), NO_NUL]

_SUBSCRIPTION_EXAMPLE: JsonDict = {
    "name": "无人机巡检",
    "all_needs": True,
    "keywords": ["无人机", "巡检"],
    "ipc_prefixes": ["B64", "G06V"],
    "sei": ["5.2"],
    "regions": ["420000"],
    "modes": ["license"],
    "min_score": 0.1,
    "quota": 10,
}


class _Criteria(RequestModel):
    @field_validator(
        "need_ids",
        "keywords",
        "ipc_prefixes",
        "sei",
        "institution_ids",
        "regions",
        "modes",
        check_fields=False,
    )
    @classmethod
    def _dedupe(cls, values: list[Any] | None) -> list[Any] | None:
        return unique(values) if values is not None else None


class SubscriptionCreate(_Criteria):
    model_config = ConfigDict(json_schema_extra={"examples": [_SUBSCRIPTION_EXAMPLE]})

    name: Name
    all_needs: bool = Field(default=False, description="匹配本企业全部开放需求")
    need_ids: list[Id] = Field(default=[], max_length=100, description="本企业的需求 id")
    keywords: list[Keyword] = Field(default=[], max_length=50)
    ipc_prefixes: list[IpcPrefix] = Field(default=[], max_length=50)
    sei: list[SeiCode] = Field(default=[], max_length=40, description="战略性新兴产业分类")
    institution_ids: list[Id] = Field(default=[], max_length=100)
    regions: list[RegionCode] = Field(default=[], max_length=50, description="按省匹配")
    modes: list[TransactionModeIn] = Field(default=[], max_length=5)
    open_license_only: bool = False
    min_score: Score = 0.0
    quota: Quota = 20
    active: bool = True


# What a subscription follows; without any of them it would take every new patent.
CRITERIA = (
    "all_needs",
    "need_ids",
    "keywords",
    "ipc_prefixes",
    "sei",
    "institution_ids",
    "regions",
    "modes",
    "open_license_only",
)


class SubscriptionUpdate(_Criteria, PatchModel):
    NOT_NULL = frozenset({"name", *CRITERIA, "min_score", "quota", "active"})

    name: Name | None = None
    all_needs: bool | None = None
    need_ids: list[Id] | None = Field(default=None, max_length=100)
    keywords: list[Keyword] | None = Field(default=None, max_length=50)
    ipc_prefixes: list[IpcPrefix] | None = Field(default=None, max_length=50)
    sei: list[SeiCode] | None = Field(default=None, max_length=40)
    institution_ids: list[Id] | None = Field(default=None, max_length=100)
    regions: list[RegionCode] | None = Field(default=None, max_length=50)
    modes: list[TransactionModeIn] | None = Field(default=None, max_length=5)
    open_license_only: bool | None = None
    min_score: Score | None = None
    quota: Quota | None = None
    active: bool | None = None


class SubscriptionRead(ReadModel):
    id: int
    enterprise_id: int
    name: str
    active: bool
    all_needs: bool
    need_ids: list[int]
    keywords: list[str]
    ipc_prefixes: list[str]
    sei: list[str]
    institution_ids: list[int]
    regions: list[str]
    modes: list[str]
    open_license_only: bool
    min_score: float
    quota: int
    created_at: datetime
    updated_at: datetime


class WatchRead(ReadModel):
    enterprise_id: int
    patent_id: int
    created_at: datetime
    patent: PatentBrief


class FeedPatent(PatentBrief):
    pass


class FeedItemRead(ReadModel):
    id: int
    enterprise_id: int
    patent: FeedPatent
    subscription_id: int | None
    reason: Reason
    score: float
    explanation: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    acked_at: datetime | None


class FeedPage(ReadModel):
    items: list[FeedItemRead]
    next_cursor: str | None = Field(
        description="下一页游标（最后一条的 id）；轮询时带上它只返回更新的条目"
    )


class Digest(ReadModel):
    enterprise_id: int
    date: str
    items: list[FeedItemRead]


class FeedMarks(RequestModel):
    item_ids: list[Id] = Field(min_length=1, max_length=100)


class MarkResult(ReadModel):
    updated: int


class WebhookCreate(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"url": "https://erp.example.com/hooks/panhuo", "events": ["feed.item"]}]
        }
    )

    url: WebhookUrl
    secret: Secret | None = Field(default=None, description="whsec_ + base64；省略则自动生成")
    events: list[EventType] = Field(default=["feed.item", "watch.change"], min_length=1)

    @field_validator("events")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return unique(values)


class WebhookUpdate(PatchModel):
    NOT_NULL = frozenset({"url", "events", "active"})

    url: WebhookUrl | None = None
    events: list[EventType] | None = Field(default=None, min_length=1)
    active: bool | None = None


class WebhookRead(ReadModel):
    id: int
    enterprise_id: int
    url: str
    events: list[str]
    active: bool
    state: EndpointState
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="签名密钥，仅此一次显示 / shown only now")


class DeliveryRead(ReadModel):
    id: int
    endpoint_id: int
    webhook_id: str
    event_type: str
    feed_item_id: int | None
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class FeedTokenCreated(ReadModel):
    enterprise_id: int
    url: str = Field(description="Atom 订阅地址，可直接填入 RSS/Atom 阅读器；仅此一次显示")
    token: str = Field(description="地址中的密钥，仅此一次显示 / shown only now")
    created_at: datetime
