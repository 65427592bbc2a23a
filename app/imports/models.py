from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.jobs import JobMixin, Wording
from app.common.messages import Msg
from app.db import Base

UPLOAD_AGAIN = Msg(
    "请重新上传（已导入的行会显示为未变化）",
    "upload again (rows already imported are reported unchanged)",
)


class UploadColumns:
    """An uploaded file and what became of its rows; counters are committed with each
    batch of rows they count."""

    filename: Mapped[str] = mapped_column(String(300))
    file_format: Mapped[str] = mapped_column(String(8))  # csv / xlsx / jsonl
    encoding: Mapped[str | None] = mapped_column(String(20))
    stored_path: Mapped[str] = mapped_column(String(500))
    total_rows: Mapped[int | None]
    processed: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    unknown_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)

    def record_error(self, reason: str) -> None:
        """Where an upload's job keeps its error (``JobMixin.record_error``)."""
        self.error = reason


class RowErrorColumns:
    """A failed row: where it is in the file, which column, the raw value, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    row_number: Mapped[int]
    column: Mapped[str | None] = mapped_column(String(100))
    raw_value: Mapped[str | None] = mapped_column(String(500))
    reason_zh: Mapped[str] = mapped_column(String(300))
    reason_en: Mapped[str] = mapped_column(String(300))


class ImportJob(UploadColumns, JobMixin, Base):
    """One uploaded patent list."""

    __tablename__ = "import_jobs"
    __audit_resource__ = "import_job"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)
    wording = Wording(Msg("导入", "import"), UPLOAD_AGAIN)

    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL"), index=True
    )
    review: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ImportRowError(RowErrorColumns, Base):
    """A failed row of a patent list."""

    __tablename__ = "import_errors"
    __audit_resource__ = None  # part of its job
    __table_args__ = (
        Index("ix_import_errors_job_row", "job_id", "row_number"),
        {"sqlite_autoincrement": True},
    )

    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
