from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.jobs import JobMixin, Wording
from app.common.messages import Msg
from app.db import Base
from app.imports.models import UPLOAD_AGAIN, RowErrorColumns, UploadColumns


class EnterpriseImport(UploadColumns, JobMixin, Base):
    """One uploaded enterprise list. Counters are committed with each batch they count."""

    __tablename__ = "enterprise_imports"
    __audit_resource__ = "enterprise_import"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (SQLite)
    wording = Wording(Msg("企业名录导入", "enterprise import"), UPLOAD_AGAIN)

    # The uploading province (its rows must lie in it); None for an admin's upload.
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)


class EnterpriseImportError(RowErrorColumns, Base):
    """A failed row of an enterprise list."""

    __tablename__ = "enterprise_import_errors"
    __audit_resource__ = None  # part of its job
    __table_args__ = (
        Index("ix_enterprise_import_errors_job_row", "job_id", "row_number"),
        {"sqlite_autoincrement": True},
    )

    job_id: Mapped[int] = mapped_column(ForeignKey("enterprise_imports.id", ondelete="CASCADE"))
