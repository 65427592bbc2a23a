from datetime import datetime

from pydantic import AwareDatetime, ConfigDict, Field

from app.auth.models import Role
from app.common.params import MAX_ID
from app.common.schemas import ReadModel, RequestModel
from app.common.types import Name, RegionCode


class ApiKeyCreate(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "清华大学技术转移研究院", "role": "institution", "institution_id": 1}
            ]
        }
    )

    name: Name
    role: Role
    institution_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    enterprise_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    province_code: RegionCode | None = Field(default=None, description="省级代码，如 410000")
    expires_at: AwareDatetime | None = None


class ApiKeyRead(ReadModel):
    id: int
    name: str
    prefix: str
    role: Role
    institution_id: int | None
    enterprise_id: int | None
    province_code: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="完整密钥，仅在创建时显示一次 / shown once, store it now")
