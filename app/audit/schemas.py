from datetime import datetime

from app.common.schemas import ReadModel


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
