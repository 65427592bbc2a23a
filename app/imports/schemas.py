from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, computed_field

from app.common.jobs import JobState
from app.common.schemas import ReadModel


class RepeatedError(BaseModel):
    """One reason shared by many failed rows, said once for the whole file."""

    count: int
    reason_zh: str
    reason_en: str
    first_rows: list[int]
    message_zh: str
    message_en: str


class UploadRead(ReadModel):
    """An import job of any kind: its file, progress and counters."""

    id: int
    state: JobState
    filename: str
    file_format: str
    encoding: str | None
    total_rows: int | None
    processed: int
    inserted: int
    updated: int
    unchanged: int
    failed: int
    unknown_columns: list[str] = Field(description="未识别（已忽略）的列")
    error: str | None
    error_summary: list[RepeatedError] = Field(
        default=[],
        description="多行同一原因失败时的汇总（单个任务的 GET 中；列表中为空）",
    )
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def progress(self) -> float:
        """Percent of rows processed (100 when done)."""
        if self.state in (JobState.succeeded, JobState.failed) and self.finished_at:
            return 100.0 if self.state is JobState.succeeded else self._ratio()
        return self._ratio()

    def _ratio(self) -> float:
        if not self.total_rows:
            return 0.0
        return round(min(100.0, 100.0 * self.processed / self.total_rows), 1)


class ImportRead(UploadRead):
    institution_id: int | None
    review: list[dict[str, Any]] = Field(
        description="需人工确认的行（已导入）：kind = institution_name 机构名称歧义或未匹配，"
        "publication_number_reused 公开号对应多个申请号，holder_changed 专利权人变更；"
        "每项有 row、reason_zh、reason_en"
    )


class RowErrorRead(ReadModel):
    row_number: int
    column: str | None
    raw_value: str | None
    reason_zh: str
    reason_en: str


class BulkItemResult(BaseModel):
    index: int
    status: str = Field(description="inserted / updated / unchanged / failed")
    patent_id: int | None
    errors: list[dict[str, Any]]


class BulkResult(BaseModel):
    inserted: int
    updated: int
    unchanged: int
    failed: int
    items: list[BulkItemResult]
    review: list[dict[str, Any]] = Field(
        default=[], description="已写入但需人工确认的条目（同导入任务的 review；row 为 index）"
    )
