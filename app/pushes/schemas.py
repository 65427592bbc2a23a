from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from app.common.messages import BilingualError
from app.common.params import Id
from app.common.schemas import ReadModel, RequestModel
from app.common.types import IpcPrefix, RegionCode, SearchText
from app.patents.models import ImplementationStatus, ValueGrade
from app.patents.schemas import LegalStatusIn, PatentTypeIn
from app.pushes.models import PartitionState, PushState

# A GB/T 4754 section letter, optionally with the first 2 to 4 digits (C, C38, C3841).
IndustryPrefix = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-T](\d{2,4})?$")
]
# 专精特新, 高新技术企业, 国有企业, 专精特新"小巨人", 科技型中小企业
Flag = Literal["specialized", "high_tech", "soe", "little_giant", "tech_sme"]


class PatentSelection(RequestModel):
    """Pool patents to push (always in the pool); given fields must all hold."""

    pool_since: date | None = Field(default=None, description="此日期及之后入库的专利")
    ids: list[Id] | None = Field(default=None, min_length=1, max_length=10_000)
    institution_id: Id | None = None
    ipc: IpcPrefix | None = None
    legal_status: LegalStatusIn | None = None
    patent_type: PatentTypeIn | None = None
    region: RegionCode | None = None
    value_grade: ValueGrade | None = None
    state_funded: bool | None = None
    implementation_status: ImplementationStatus | None = None
    q: SearchText | None = Field(default=None, description="标题包含")


class EnterpriseSelection(RequestModel):
    """Enterprises to push to: ``all``, or any of the criteria (all given must hold)."""

    all: bool = False
    provinces: list[RegionCode] = Field(default_factory=list, max_length=40)
    industries: list[IndustryPrefix] = Field(default_factory=list, max_length=100)
    flags: list[Flag] = Field(default_factory=list, description="须同时具备的企业标识")
    ids: list[Id] | None = Field(default=None, min_length=1, max_length=10_000)

    @model_validator(mode="after")
    def _something(self) -> "EnterpriseSelection":
        if not (self.all or self.provinces or self.industries or self.flags or self.ids):
            raise BilingualError(
                "请选择企业：all=true 或至少一个条件", "select enterprises: all=true or a criterion"
            )
        return self


class PushRunCreate(RequestModel):
    patents: PatentSelection = Field(default_factory=PatentSelection)
    enterprises: EnterpriseSelection
    per_enterprise: int = Field(default=10, ge=1, le=50, description="每家企业最多推送条数")
    min_score: float = Field(default=0.0, ge=0.0, le=1000.0, description="匹配分下限")


class PushProgress(ReadModel):
    partitions_done: int
    partitions_running: int
    partitions_failed: int
    enterprises_done: int
    enterprises_pushed: int
    items: int


class PushRunRead(ReadModel):
    id: int
    state: PushState
    patents: dict[str, Any]
    enterprises: dict[str, Any]
    per_enterprise: int
    min_score: float
    total_enterprises: int
    total_partitions: int
    progress: PushProgress
    errors: list[dict[str, Any]]
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime


class PartitionRead(ReadModel):
    id: int
    lo_id: int
    hi_id: int
    enterprises: int
    state: PartitionState
    owner: str | None
    claims: int
    heartbeat_at: datetime | None
    done_enterprises: int
    items: int
    error: str | None
