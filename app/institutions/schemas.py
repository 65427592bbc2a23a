from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, computed_field
from pydantic.config import JsonDict

from app.common.identifiers import region_name
from app.common.labels import accepts_labels
from app.common.schemas import PatchModel, ReadModel, RequestModel
from app.common.types import Name, RegionCode, ShortText
from app.institutions.models import InstitutionType

TypeIn = Annotated[InstitutionType, accepts_labels(InstitutionType, "institution_type")]

_EXAMPLE: JsonDict = {
    "name": "中科大数据研究院",
    "type": "research_institute",
    "region_code": "410100",
    "external_id": "ZK-001",
}


class InstitutionCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    name: Name
    type: TypeIn
    region_code: RegionCode
    external_id: ShortText | None = None


class InstitutionUpdate(PatchModel):
    NOT_NULL = frozenset({"name", "type", "region_code"})

    name: Name | None = None
    type: TypeIn | None = None
    region_code: RegionCode | None = None
    external_id: ShortText | None = None


class InstitutionRead(ReadModel):
    id: int
    name: str
    type: InstitutionType
    region_code: str
    external_id: str | None
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str | None:
        return region_name(self.region_code)
