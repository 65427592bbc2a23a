from datetime import date

from pydantic import BaseModel, Field

from app.patents.models import LegalStatus


class ScreenedPatent(BaseModel):
    """What a screening row shows of its patent, so that an office can act on it."""

    patent_id: int
    application_number: str
    title: str
    legal_status: LegalStatus
    institution_id: int | None
    institution_name: str | None


class HighValuePatent(ScreenedPatent):
    score: float = Field(description="价值分 0-100，见 README")
    breakdown: dict[str, float] = Field(description="各项得分：grade, term, breadth, …")


class SleepingPatent(ScreenedPatent):
    grant_date: date
    state_funded_5y: bool = Field(description="财政资助且授权满五年")
