"""An import's failed rows as a CSV the office can fix the file from."""

from collections.abc import Sequence
from pathlib import PurePath

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.exports import CsvEncoding, Export, Table, csv_media_type, to_csv
from app.common.jobs import JobMixin
from app.imports import service
from app.imports.models import RowErrorColumns, UploadColumns

HEADER = ["行号", "列", "原始值", "原因", "原因（英文）"]


def errors_csv(
    job: JobMixin, rows: Sequence[RowErrorColumns], encoding: CsvEncoding = "utf-8"
) -> tuple[bytes, str, str, str]:
    """Body, media type, file name and its ASCII fallback (``job``: an import of any kind)."""
    assert isinstance(job, UploadColumns)
    export = Export(
        "盘活导入错误",
        f"导入任务 {job.id}：{job.filename}",
        [f"失败行：{job.failed}", f"已处理：{job.processed}"],
    )
    table = Table(
        "导入错误",
        HEADER,
        [[r.row_number, r.column or "", r.raw_value or "", r.reason_zh, r.reason_en] for r in rows],
    )
    stem = PurePath(job.filename).stem[:60].replace("/", "-") or str(job.id)
    name = f"导入错误_{stem}_{export.day()}.csv"
    fallback = f"import-{job.id}-errors_{export.day()}.csv"
    return to_csv(export, table, encoding), csv_media_type(encoding), name, fallback


def errors_file(
    session: Session, actor: Principal, job_id: int, encoding: CsvEncoding = "utf-8"
) -> tuple[bytes, str, str, str]:
    job = service.get(session, actor, job_id)
    return errors_csv(job, service.errors(session, actor, job_id), encoding)
