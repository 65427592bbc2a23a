from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime

from app.common.params import MAX_ID
from app.common.schemas import ReadModel
from app.common.types import ShortText


class AuditRead(ReadModel):
    id: int
    at: datetime
    key_id: int | None
    role: str
    action: str
    resource_type: str
    resource_id: str
    fields: list[str]
    request_id: str | None


class AuditFilters:
    def __init__(
        self,
        key_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        resource_type: ShortText | None = None,
        resource_id: ShortText | None = None,
        action: ShortText | None = None,
        since: AwareDatetime | None = None,
    ) -> None:
        self.values = {
            "key_id": key_id,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "action": action,
        }
        self.since = since
