from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from app.common.params import MAX_ID
from app.common.schemas import ReadModel, RequestModel
from app.common.types import ShortText
from app.deals.models import DealStatus, DealType

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class DealCreate(RequestModel):
    patent_ids: list[Id] = Field(min_length=1, max_length=100, description="可打包多件专利")
    enterprise_id: Id
    type: DealType
    amount: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)


class DealTransition(RequestModel):
    status: DealStatus
    signed_on: date | None = None
    registration_number: ShortText | None = Field(default=None, description="登记号/备案号")
    registered_on: date | None = None


class DealRead(ReadModel):
    id: int
    institution_id: int
    enterprise_id: int
    type: DealType
    status: DealStatus
    amount: Decimal | None
    signed_on: date | None
    registration_number: str | None
    registered_on: date | None
    patent_ids: list[int]
    created_at: datetime
