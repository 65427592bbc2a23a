from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from app.common.labels import accepts_labels
from app.common.schemas import ReadModel, RequestModel
from app.common.types import Money, ShortText
from app.licenses.models import DeclarationStatus, FeeType
from app.patents.schemas import PatentBrief

FeeTypeIn = Annotated[FeeType, accepts_labels(FeeType, "fee_type")]


class OpenLicenseCreate(RequestModel):
    fee_type: FeeTypeIn
    one_off_fee: Money | None = Field(default=None, description="一次性许可费（元）")
    entry_fee: Money | None = Field(default=None, description="入门费（元）")
    royalty_rate: Decimal | None = Field(
        default=None, ge=0, le=100, max_digits=5, decimal_places=2, description="提成比例 %"
    )
    payment_method: ShortText = Field(min_length=1, description="支付方式")
    payment_schedule: ShortText | None = Field(default=None, description="支付期限")
    term_years: int = Field(ge=1, le=20, description="许可期限（年）")
    evaluation_report: ShortText | None = Field(
        default=None, description="专利权评价报告编号；实用新型和外观设计必填"
    )


class OpenLicenseRead(ReadModel):
    id: int
    patent_id: int
    status: DeclarationStatus
    fee_type: FeeType
    one_off_fee: Decimal | None
    entry_fee: Decimal | None
    royalty_rate: Decimal | None
    payment_method: str
    payment_schedule: str | None
    term_years: int
    evaluation_report: str | None
    withdrawn_at: datetime | None
    created_at: datetime
    advice: list[str] = Field(default=[], description="费用指导（建议，不强制）")


class AcceptanceRead(ReadModel):
    id: int
    open_license_id: int
    enterprise_id: int
    accepted_at: datetime
    starts_on: date
    ends_on: date


class EnterpriseAcceptanceRead(AcceptanceRead):
    """An enterprise's own acceptance, with the licence's patent and fee type."""

    patent_id: int
    fee_type: FeeType
    patent: PatentBrief
