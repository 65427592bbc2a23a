from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, EmailStr, Field, computed_field
from pydantic.config import JsonDict

from app.common.identifiers import region_name
from app.common.labels import accepts_labels
from app.common.schemas import PatchModel, ReadModel, RequestModel
from app.common.types import Address, IndustryCode, LongText, Name, RegionCode, ShortText, Uscc
from app.enterprises.models import EnterpriseSize

SizeIn = Annotated[EnterpriseSize, accepts_labels(EnterpriseSize, "enterprise_size")]

_EXAMPLE: JsonDict = {
    "name": "郑州智巡无人机科技有限公司",
    "uscc": "91410100MA9G4TJ603",
    "region_code": "410100",
    "industry": "无人机制造",
    "industry_code": "C3744",
    "is_specialized": True,
    "is_high_tech": True,
    "size": "small",
    "address": "河南省郑州市高新技术产业开发区科学大道 100 号",
    "business_scope": "一般项目：智能无人飞行器制造；智能无人飞行器销售",
    "main_products": "电力巡检无人机、无人机机库",
    "description": "工业级无人机巡检设备研发与制造",
}

Phone = ShortText


class EnterpriseCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    name: Name
    uscc: Uscc = Field(description="统一社会信用代码，18 位，含校验位")
    region_code: RegionCode
    industry: ShortText | None = None
    industry_code: IndustryCode | None = None
    is_specialized: bool = False
    is_high_tech: bool = False
    is_soe: bool = False
    is_little_giant: bool = False
    is_tech_sme: bool = False
    is_ip_advantage: bool = False
    is_protection_center_filed: bool = False
    size: SizeIn | None = None
    address: Address | None = None
    business_scope: LongText | None = None
    main_products: LongText | None = None
    description: LongText | None = None
    contact_name: ShortText | None = None
    contact_phone: Phone | None = None
    contact_email: EmailStr | None = Field(default=None, max_length=200)


class EnterpriseUpdate(PatchModel):
    NOT_NULL = frozenset(
        {
            "name",
            "uscc",
            "region_code",
            "is_specialized",
            "is_high_tech",
            "is_soe",
            "is_little_giant",
            "is_tech_sme",
            "is_ip_advantage",
            "is_protection_center_filed",
        }
    )

    name: Name | None = None
    uscc: Uscc | None = None
    region_code: RegionCode | None = None
    industry: ShortText | None = None
    industry_code: IndustryCode | None = None
    is_specialized: bool | None = None
    is_high_tech: bool | None = None
    is_soe: bool | None = None
    is_little_giant: bool | None = None
    is_tech_sme: bool | None = None
    is_ip_advantage: bool | None = None
    is_protection_center_filed: bool | None = None
    size: SizeIn | None = None
    address: Address | None = None
    business_scope: LongText | None = None
    main_products: LongText | None = None
    description: LongText | None = None
    contact_name: ShortText | None = None
    contact_phone: Phone | None = None
    contact_email: EmailStr | None = Field(default=None, max_length=200)


class EnterpriseRead(ReadModel):
    id: int
    name: str
    uscc: str
    region_code: str
    industry: str | None
    industry_code: str | None
    is_specialized: bool
    is_high_tech: bool
    is_soe: bool
    is_little_giant: bool
    is_tech_sme: bool
    is_ip_advantage: bool
    is_protection_center_filed: bool
    size: EnterpriseSize | None
    address: str | None
    business_scope: str | None
    main_products: str | None
    description: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str | None:
        return region_name(self.region_code)
