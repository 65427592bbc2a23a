from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.common.labels import accepts_labels
from app.common.schemas import ReadModel, RequestModel
from app.common.types import LongText
from app.feedback.models import Intent

IntentIn = Annotated[Intent, accepts_labels(Intent, "intent")]

Score = Field(ge=1, le=5)


class RatingIn(RequestModel):
    """产业化前景评价: 1 (poor) to 5 (good); for difficulty 5 means easy to implement."""

    market: int = Score
    maturity: int = Score
    difficulty: int = Score
    comment: LongText | None = Field(default=None, max_length=2000)


class FeedbackCreate(RequestModel):
    intent: IntentIn
    message: LongText | None = Field(default=None, max_length=2000)
    rating: RatingIn | None = None
    share_contact: bool = Field(default=False, description="允许专利权人机构查看本企业联系方式")
    show_author: bool = Field(default=False, description="评价意见公开时显示企业名称")


class EnterpriseContact(BaseModel):
    id: int
    name: str
    region_code: str
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


class FeedbackRead(ReadModel):
    id: int
    patent_id: int
    intent: IntentIn
    message: str | None
    rating_market: int | None
    rating_maturity: int | None
    rating_difficulty: int | None
    rating_comment: str | None
    share_contact: bool
    is_current: bool
    created_at: datetime
    enterprise: EnterpriseContact | None = Field(
        default=None, description="portal 不可见；机构仅在企业同意时可见联系方式"
    )


class RatingComment(BaseModel):
    comment: str
    author: str | None = Field(description="仅在作者同意时显示")
    at: datetime


class RatingSummary(BaseModel):
    patent_id: int
    count: int
    market: float | None
    maturity: float | None
    difficulty: float | None
    comments: list[RatingComment]
