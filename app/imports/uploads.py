"""What every kind of file import shares: the stored upload, its rows parsed and landed in
batches, and each batch's errors and counters committed with its rows."""

import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.common import jobs
from app.common.messages import Msg
from app.errors import Invalid, field_error
from app.imports.landing import Outcome
from app.imports.models import RowErrorColumns, UploadColumns
from app.imports.readers import FileProblem, detect_format, head_bytes
from app.imports.rows import ParsedRow, TableParser

BATCH = 500
Rows = Iterable[tuple[int, dict[str, Any]]]
Commit = Callable[[list[ParsedRow[Any]], bool], None]


def upload_format(file: BinaryIO, filename: str) -> str:
    """csv, xlsx or jsonl; anything else is a 422 on the ``file`` field."""
    try:
        return detect_format(filename, head_bytes(file))
    except FileProblem as exc:
        problem = Msg(exc.zh, exc.en)
        raise Invalid(problem, [field_error("file", problem)]) from exc


def store_upload(
    file: BinaryIO, filename: str, encoding: str | None, store: Path, file_format: str
) -> dict[str, Any]:
    """Copy the upload under ``store``; the ``UploadColumns`` values of its job."""
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"{uuid.uuid4().hex}.{file_format}"
    with path.open("wb") as out:
        shutil.copyfileobj(file, out, 1 << 20)
    return {
        "filename": filename[:300],
        "file_format": file_format,
        "encoding": encoding,
        "stored_path": str(path),
    }


@contextmanager
def bad_file_fails_the_job() -> Iterator[None]:
    """A file that cannot be read (``FileProblem``) fails its job with the reason."""
    try:
        yield
    except FileProblem as exc:
        raise jobs.JobFailed(Msg(exc.zh, exc.en)) from exc


def land_rows(rows: Rows, parser: TableParser[Any], commit: Commit) -> None:
    """Parse ``rows`` and hand them to ``commit`` in batches; the last call says so."""
    batch: list[ParsedRow[Any]] = []
    for number, raw in rows:
        batch.append(parser.parse(number, raw))
        if len(batch) >= BATCH:
            commit(batch, False)
            batch = []
    commit(batch, True)


def count_batch(
    session: Session,
    job_id: int,
    job: UploadColumns,
    errors: type[RowErrorColumns],
    outcomes: list[Outcome],
    parser: TableParser[Any],
    size: int,
    last: bool,
) -> None:
    """Write a landed batch's row errors and add it to the job's counters (same transaction)."""
    rows = [
        {
            "job_id": job_id,
            "row_number": o.number,
            "column": p.column,
            "raw_value": p.raw,
            "reason_zh": p.zh[:300],
            "reason_en": p.en[:300],
        }
        for o in outcomes
        for p in o.problems
    ]
    if rows:
        session.execute(insert(errors), rows)
    for status in ("inserted", "updated", "unchanged", "failed"):
        setattr(job, status, getattr(job, status) + sum(o.status == status for o in outcomes))
    job.processed += size
    job.unknown_columns = list(parser.unknown)
    if last:  # the reader's count was an estimate
        job.total_rows = job.processed
