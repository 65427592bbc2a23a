"""Stream rows out of uploaded files (CSV in UTF-8/GBK, xlsx, JSONL) with bounded memory.

Each reader yields ``(row_number, {header: raw value})``; row numbers count the header as
row 1, as a spreadsheet shows them. Problems with the whole file raise ``FileProblem``.
"""

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.imports.shared_strings import Reader, SharedStrings, TooManyStrings

Row = tuple[int, dict[str, Any]]
MAX_XLSX_UNCOMPRESSED = 2_000_000_000
MAX_COMPRESSION_RATIO = 200  # a zip bomb compresses far better than any real sheet
_CHUNK = 1 << 20
csv.field_size_limit(10_000_000)


class FileProblem(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass
class Rows:
    rows: Iterator[Row]
    total: int | None
    encoding: str | None = None


def detect_format(filename: str, head: bytes) -> str:
    if "\x00" in filename:  # the name is stored with the job; PostgreSQL cannot store NUL
        raise FileProblem(
            "文件名不能包含 NUL 字符", "the file name must not contain NUL characters"
        )
    name = filename.lower()
    if head.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        return "jsonl"
    if name.endswith(".csv") or name.endswith(".txt"):
        return "csv"
    raise FileProblem(
        "不支持的文件类型，请上传 .xlsx、.csv 或 .jsonl",
        "unsupported file type: upload .xlsx, .csv or .jsonl",
    )


def open_rows(path: Path, file_format: str, encoding: str | None = None) -> Rows:
    if file_format == "xlsx":
        return _xlsx_rows(path)
    if file_format == "jsonl":
        return Rows(_jsonl_rows(path), _count_lines(path))
    encoding = _check_encoding(encoding) if encoding else detect_encoding(path)
    return Rows(_csv_rows(path, encoding), _count_csv(path, encoding), encoding)


def _check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise FileProblem(f"未知编码：{name[:20]}", f"unknown encoding {name[:20]!r}") from exc


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes, else GB18030 (⊃ GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileProblem(
        "无法识别文件编码，请用 ?encoding= 指定", "cannot detect the text encoding; pass ?encoding="
    )


def _csv_rows(path: Path, encoding: str) -> Iterator[Row]:
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        number = 1
        try:
            for record in reader:
                number += 1
                if any(cell.strip() for cell in record):
                    yield number, dict(zip(header, record, strict=False))
        except csv.Error as exc:  # a truncated file ends inside a quoted field
            yield number + 1, {"__error__": f"CSV 格式错误 / malformed CSV: {exc}"}


def _count_csv(path: Path, encoding: str) -> int:
    with path.open("r", encoding=encoding, newline="") as fh:
        try:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
        except csv.Error:
            return 0


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open("r", encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, {"__error__": f"JSON 格式错误 / invalid JSON: {exc.msg}"}
                continue
            if not isinstance(item, dict):
                yield number, {"__error__": "每行应为 JSON 对象 / each line must be an object"}
                continue
            yield number, item


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileProblem(
            "不是有效的 Excel (.xlsx) 文件，可能已损坏或被截断",
            "not a valid .xlsx file (corrupt or truncated)",
        ) from exc
    total = sum(i.file_size for i in infos)
    ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_XLSX_UNCOMPRESSED or (ratio > MAX_COMPRESSION_RATIO and total > 50_000_000):
        raise FileProblem(
            "压缩内容异常（疑似压缩炸弹），已拒绝", "suspicious compression (zip bomb), refused"
        )


def _xlsx_rows(path: Path) -> Rows:
    _check_zip(path)
    reader = None
    try:
        reader = Reader(path, read_only=True, data_only=True)
        reader.read()
    except TooManyStrings as exc:
        raise FileProblem(
            "Excel 共享字符串过多（超过 500 万个），请拆分文件或另存为 CSV",
            "the workbook has too many shared strings (over 5 million): split it or save as CSV",
        ) from exc
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        _close_strings(reader and reader.shared_strings)
        raise FileProblem("无法读取 Excel 文件", f"cannot read the workbook: {exc}") from exc
    book = reader.wb
    sheet = book.worksheets[0]
    total = sheet.max_row if isinstance(sheet.max_row, int) else None
    return Rows(_sheet_rows(book, sheet, reader.shared_strings), total)


def _close_strings(strings: object) -> None:
    if isinstance(strings, SharedStrings):
        strings.close()


def _sheet_rows(book: Any, sheet: Any, strings: object) -> Iterator[Row]:
    header: list[str] | None = None
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else v for v in values]
            filled = [c for c in cells if str(c).strip()]
            if header is None:
                # A merged title row above the headers has one filled cell: skip it.
                if len(filled) >= 2:
                    header = [str(c).strip() for c in cells]
                continue
            if filled:
                yield number, dict(zip(header, cells, strict=False))
    except (zipfile.BadZipFile, OSError, KeyError, IndexError, ValueError) as exc:
        raise FileProblem(
            "Excel 文件读取中断（可能被截断）", f"the workbook ended unexpectedly: {exc}"
        ) from exc
    finally:
        book.close()
        _close_strings(strings)


def head_bytes(data: io.BufferedIOBase | Any, size: int = 8) -> bytes:
    position = data.tell()
    head = data.read(size)
    data.seek(position)
    return bytes(head)
