from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict

from app.common.enums import TransactionMode, TransactionModeIn
from app.common.jobs import JobState
from app.common.messages import BilingualError
from app.common.params import Id
from app.common.reference import sei_names
from app.common.schemas import ReadModel, RequestModel, unique
from app.common.types import IpcCode, IpcPrefix, NeedText, RegionCode
from app.patents.models import LegalStatus, PatentType
from app.patents.schemas import LegalStatusIn, PatentBrief, PatentTypeIn


def _sei_code(code: str) -> str:
    if code not in sei_names():
        raise BilingualError(
            f"未知的战略性新兴产业分类：{code[:10]}；应如 1.2",
            f"unknown SEI category {code[:10]!r}, e.g. 1.2",
        )
    return code


SeiCode = Annotated[str, StringConstraints(max_length=10), AfterValidator(_sei_code)]


class MatchFilters(RequestModel):
    """Hard filters, applied before ranking. An unsatisfiable filter gives no results."""

    ipc: list[IpcPrefix] = Field(default=[], max_length=50, description="IPC 前缀")
    sei: list[SeiCode] = Field(default=[], max_length=40, description="战略性新兴产业分类代码")
    institution_ids: list[Id] = Field(default=[], max_length=100)
    regions: list[RegionCode] = Field(default=[], max_length=50, description="按省匹配")
    cross_region: bool = Field(
        default=True, description="false：只要需求地区（及企业所在省）的专利"
    )
    patent_types: list[PatentTypeIn] = Field(default=[], max_length=3)
    legal_statuses: list[LegalStatusIn] = Field(
        default=[], max_length=8, description="默认 valid + pending（失效专利默认排除）"
    )
    modes: list[TransactionModeIn] = Field(default=[], max_length=5)
    open_license_only: bool = False
    granted_after: date | None = None


class MatchRequest(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "输电线路无人机巡检的图像采集与缺陷识别",
                    "ipc_hints": ["B64U"],
                    "modes": ["license"],
                    "region": "410100",
                    "filters": {"legal_statuses": ["valid"]},
                    "limit": 10,
                }
            ]
        }
    )

    text: NeedText
    ipc_hints: list[IpcCode] = Field(default=[], max_length=20)
    modes: list[TransactionModeIn] = Field(default=[], max_length=5)
    region: RegionCode | None = Field(default=None, description="需求方所在地区")
    filters: MatchFilters = MatchFilters()
    limit: int = Field(default=20, ge=1, le=100)


# Explanations are TypedDicts, not models: a response carries up to 100 of them with ~15
# parts each, and building that many model objects cost more CPU than ranking did.
# (typing_extensions: pydantic needs its TypedDict before Python 3.12.)
class TermOut(TypedDict):
    term: Annotated[str, Field(description="需求原文中的词或短语 / a word or phrase of the need")]
    contribution: Annotated[float, Field(description="计入得分的部分 / part of the score")]
    share: Annotated[float, Field(description="占所列词语之比，合计 1 / share of the terms")]


class IpcOut(TypedDict):
    code: str
    title: str
    source: Annotated[str, Field(description="shared / predicted / hint")]
    probability: float
    share: Annotated[float, Field(description="占得分的比例 / share of the score (≥ 0.05)")]


class FeatureOut(TypedDict):
    feature: str
    value: float
    contribution: float
    share: Annotated[float, Field(description="占得分的比例，合计为 1 / share of the score")]


class ExplanationOut(TypedDict):
    summary_zh: Annotated[str, Field(description="一句话匹配理由 / why, in one line")]
    summary: Annotated[str, Field(description="详细中文说明 / detailed Chinese explanation")]
    terms: list[TermOut]
    ipc: list[IpcOut]
    features: list[FeatureOut]


class PatentSummary(ReadModel):
    id: int
    application_number: str
    title: str
    patent_type: PatentType
    legal_status: LegalStatus
    institution_id: int | None
    institution_name: str | None = None
    region_code: str | None
    ipc_main: str | None
    transaction_modes: list[TransactionMode]
    open_license_id: int | None = Field(
        default=None, description="开放许可声明 id（条款见 GET /v1/open-licenses/{id}）"
    )


class PatentMatch(BaseModel):
    rank: int
    score: float
    patent: PatentSummary
    explanation: ExplanationOut | None


class MatchResponse(BaseModel):
    items: list[PatentMatch]


class EnterpriseSummary(ReadModel):
    id: int
    name: str
    region_code: str
    industry: str | None
    is_specialized: bool
    is_high_tech: bool
    is_soe: bool


class NeedSummary(BaseModel):
    id: int
    title: str


class NeedMatch(BaseModel):
    rank: int
    score: float
    enterprise: EnterpriseSummary
    need: NeedSummary | None = Field(description="institution 密钥不可见（企业商业秘密）")
    explanation: ExplanationOut | None


class NeedMatchResponse(BaseModel):
    items: list[NeedMatch]


class MatchRunCreate(RequestModel):
    need_ids: list[Id] | None = Field(
        default=None, max_length=10_000, description="省略则匹配全部开放需求（最多列出 10000 个）"
    )
    per_need: int = Field(default=20, ge=1, le=100)

    def selected(self) -> list[int] | None:
        return unique(self.need_ids) if self.need_ids is not None else None


class MatchRunRead(ReadModel):
    id: int
    state: JobState
    need_ids: list[int] | None
    per_need: int
    total: int
    processed: int
    errors: list[dict[str, Any]]
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime


class RunMatch(BaseModel):
    rank: int
    patent_id: int
    patent: PatentBrief | None = Field(description="专利摘要；运行后已删除的专利为 null")
    score: float
    explanation: dict[str, Any]


class RunNeedResults(BaseModel):
    need_id: int
    matches: list[RunMatch]


class IndexStatusOut(BaseModel):
    version: int
    patents: int
    needs: int
    last_refit: datetime | None
