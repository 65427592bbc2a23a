from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic.config import JsonDict

from app.common.enums import TransactionMode
from app.common.params import MAX_ID
from app.common.schemas import PatchModel, ReadModel, RequestModel, unique
from app.common.types import IpcCode, Keyword, LongText, Money, RegionCode, Title
from app.needs.models import NeedStatus

Keywords = Annotated[list[Keyword], Field(max_length=50)]
IpcHints = Annotated[list[IpcCode], Field(max_length=20)]
Regions = Annotated[list[RegionCode], Field(max_length=50)]

_EXAMPLE: JsonDict = {
    "enterprise_id": 1,
    "title": "电力巡检无人机的多光谱成像与缺陷识别",
    "description": "需要一种搭载在无人机上的多光谱成像装置，能够识别输电线路绝缘子缺陷……",
    "keywords": ["无人机", "巡检", "多光谱", "缺陷识别"],
    "ipc_hints": ["B64U", "G06V"],
    "wanted_modes": ["license", "cooperation"],
    "budget_min": "100000",
    "budget_max": "500000",
    "preferred_regions": ["410000"],
    "deadline": "2027-06-30",
}


class _NeedFields(RequestModel):
    @field_validator(
        "keywords", "ipc_hints", "wanted_modes", "preferred_regions", check_fields=False
    )
    @classmethod
    def _dedupe(cls, values: list[Any] | None) -> list[Any] | None:
        return unique(values) if values is not None else None

    @field_validator("budget_max", check_fields=False)
    @classmethod
    def _budget_order(cls, high: Decimal | None, info: ValidationInfo) -> Decimal | None:
        low = info.data.get("budget_min")
        if low is not None and high is not None and low > high:
            raise ValueError("预算上限不能低于下限 / budget_max must not be below budget_min")
        return high


class NeedCreate(_NeedFields):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    enterprise_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="enterprise 密钥可省略，默认为本企业"
    )
    title: Title
    description: LongText | None = None
    keywords: Keywords = []
    ipc_hints: IpcHints = []
    wanted_modes: list[TransactionMode] = []
    budget_min: Money | None = None
    budget_max: Money | None = None
    preferred_regions: Regions = []
    status: NeedStatus = NeedStatus.open
    deadline: date | None = None


class NeedUpdate(_NeedFields, PatchModel):
    NOT_NULL = frozenset(
        {"title", "keywords", "ipc_hints", "wanted_modes", "preferred_regions", "status"}
    )

    title: Title | None = None
    description: LongText | None = None
    keywords: Keywords | None = None
    ipc_hints: IpcHints | None = None
    wanted_modes: list[TransactionMode] | None = None
    budget_min: Money | None = None
    budget_max: Money | None = None
    preferred_regions: Regions | None = None
    status: NeedStatus | None = None
    deadline: date | None = None


class NeedRead(ReadModel):
    id: int
    enterprise_id: int
    title: str
    description: str | None
    keywords: list[str]
    ipc_hints: list[str]
    wanted_modes: list[TransactionMode]
    budget_min: Decimal | None
    budget_max: Decimal | None
    preferred_regions: list[str]
    status: NeedStatus
    deadline: date | None
    created_at: datetime
    updated_at: datetime
