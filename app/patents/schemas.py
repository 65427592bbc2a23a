from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from app.common.enums import TransactionMode
from app.common.params import MAX_ID
from app.common.reference import ipc_title
from app.common.schemas import PatchModel, ReadModel, RequestModel, unique
from app.common.types import (
    ApplicationNumber,
    IpcCode,
    LongText,
    Money,
    Name,
    PublicationNumber,
    RegionCode,
    ShortText,
    Title,
)
from app.patents.models import (
    ImplementationStatus,
    LegalStatus,
    PatentType,
    PoolStatus,
    ValueGrade,
)
from app.patents.normalize import parse_legal_status, parse_patent_type

LegalStatusIn = Annotated[LegalStatus, BeforeValidator(parse_legal_status)]
PatentTypeIn = Annotated[PatentType, BeforeValidator(parse_patent_type)]
Prospect = Annotated[int, Field(ge=1, le=5, description="自评产业化前景 1-5")]
People = Annotated[list[Name], Field(max_length=100)]
IpcList = Annotated[list[IpcCode], Field(max_length=100)]

_EXAMPLE: JsonDict = {
    "application_number": "CN202121635235.X",
    "publication_number": "CN217546176U",
    "patent_type": "实用新型",
    "title": "一种用于无人机的多功能巡检装置",
    "abstract": "本实用新型公开了一种用于无人机的多功能巡检装置……",
    "ipc_main": "H04N7/18",
    "ipc_codes": ["H04N 7/18", "G07C1/20", "B64C39/02"],
    "applicants": ["中科大数据研究院"],
    "inventors": ["刘迪", "王元卓"],
    "filing_date": "2021-07-15",
    "grant_date": "2022-10-04",
    "legal_status": "有权-审定授权",
    "institution_id": 1,
    "value_grade": "B",
    "transaction_modes": ["transfer", "license"],
    "asking_price": "200000.00",
}


class _PatentFields(RequestModel):
    """Fields shared by create and patch, with their normalization."""

    @model_validator(mode="before")
    @classmethod
    def _keep_raw_legal_status(cls, data: Any) -> Any:
        # Keep the exporter's wording (有权-审定授权) next to the normalized enum.
        if isinstance(data, dict) and isinstance(data.get("legal_status"), str):
            raw = data["legal_status"].strip()
            if raw not in LegalStatus.__members__ and "legal_status_raw" not in data:
                data = {**data, "legal_status_raw": raw}
        return data

    @field_validator("ipc_codes", "transaction_modes", check_fields=False)
    @classmethod
    def _dedupe(cls, values: list[Any] | None) -> list[Any] | None:
        return unique(values) if values is not None else None


class PatentCreate(_PatentFields):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    application_number: ApplicationNumber
    publication_number: PublicationNumber | None = None
    patent_type: PatentTypeIn
    title: Title
    abstract: LongText | None = None
    first_claim: LongText | None = None
    ipc_main: IpcCode | None = None
    ipc_codes: IpcList = []
    applicants: People = []
    inventors: People = []
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    legal_status: LegalStatusIn = LegalStatus.pending
    legal_status_raw: ShortText | None = None
    institution_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    region_code: RegionCode | None = None
    pool_status: PoolStatus = PoolStatus.in_pool
    value_grade: ValueGrade | None = None
    industrialization_prospect: Prospect | None = None
    implementation_status: ImplementationStatus = ImplementationStatus.not_implemented
    state_funded: bool = False
    transaction_modes: list[TransactionMode] = []
    asking_price: Money | None = None


class PatentUpdate(_PatentFields, PatchModel):
    NOT_NULL = frozenset(
        {
            "patent_type",
            "title",
            "ipc_codes",
            "applicants",
            "inventors",
            "legal_status",
            "pool_status",
            "implementation_status",
            "state_funded",
            "transaction_modes",
        }
    )

    publication_number: PublicationNumber | None = None
    patent_type: PatentTypeIn | None = None
    title: Title | None = None
    abstract: LongText | None = None
    first_claim: LongText | None = None
    ipc_main: IpcCode | None = None
    ipc_codes: IpcList | None = None
    applicants: People | None = None
    inventors: People | None = None
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    legal_status: LegalStatusIn | None = None
    legal_status_raw: ShortText | None = None
    institution_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    region_code: RegionCode | None = None
    pool_status: PoolStatus | None = None
    value_grade: ValueGrade | None = None
    industrialization_prospect: Prospect | None = None
    implementation_status: ImplementationStatus | None = None
    state_funded: bool | None = None
    transaction_modes: list[TransactionMode] | None = None
    asking_price: Money | None = None


class PatentRead(ReadModel):
    id: int
    application_number: str
    publication_number: str | None
    patent_type: PatentType
    title: str
    abstract: str | None
    first_claim: str | None
    ipc_main: str | None
    ipc_codes: list[str]
    applicants: list[str]
    inventors: list[str]
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    legal_status: LegalStatus
    legal_status_raw: str | None
    institution_id: int | None
    region_code: str | None
    pool_status: PoolStatus
    value_grade: ValueGrade | None
    industrialization_prospect: int | None
    implementation_status: ImplementationStatus
    state_funded: bool
    transaction_modes: list[TransactionMode]
    asking_price: Decimal | None
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ipc_titles(self) -> dict[str, str | None]:
        """Chinese IPC titles (from data/ipc_zh.tsv) for the main code and every listed code."""
        codes = unique(([self.ipc_main] if self.ipc_main else []) + self.ipc_codes)
        return {code: ipc_title(code) for code in codes}
