"""Spreadsheet downloads as Chinese offices file them, safe to open.

Every export is a title block (title, scope, filters, generation time in Beijing time),
a blank row, then a table with Chinese headers. CSV is UTF-8 with a BOM (Excel on
Windows reads it as UTF-8) or GB18030 on request (older WPS/Excel setups); XLSX has one
sheet per table, named in Chinese. Rates are ``Percent`` values: ``12.5%`` in CSV, a
percentage-formatted number in XLSX. The download name is Chinese (RFC 5987
``filename*``) with an ASCII fallback for old clients.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, TAB or CR (also after leading
whitespace, or in full-width form) is read as a formula by Excel, LibreOffice or WPS
(OWASP "CSV injection": ``=cmd|' /C calc'!A0``). Every value passes through ``cell``,
which gives such text a leading ``'``; numbers stay numbers.
"""

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Query, Response
from openpyxl import Workbook

CsvEncoding = Literal["utf-8", "gb18030"]
# ?format= and ?encoding= of every download that also answers JSON (import errors)
ErrorsFormat = Literal["json", "csv"]
ErrorsEncoding = Annotated[CsvEncoding, Query(description="CSV 编码：utf-8（带 BOM）或 gb18030")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BEIJING = timezone(timedelta(hours=8))
_CODECS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}


@dataclass(frozen=True)
class Percent:
    """A rate (0-1) shown as a percentage; None is shown as 无数据."""

    value: float | None


@dataclass
class Table:
    sheet: str  # Chinese sheet name, at most 31 characters (an Excel limit)
    header: list[str]
    rows: list[list[Any]]


@dataclass
class Export:
    title: str  # e.g. 盘活统计
    scope: str  # e.g. 浙江省, 全部
    filters: list[str] = field(default_factory=list)  # e.g. ["IPC：H01M", "起始日期：2026-01-01"]
    generated: datetime = field(default_factory=lambda: datetime.now(BEIJING))

    def block(self) -> list[list[Any]]:
        """The title rows above every table."""
        stamp = self.generated.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        return [
            [self.title],
            ["范围", self.scope],
            ["筛选条件", "；".join(self.filters) or "无"],
            ["生成时间", f"{stamp}（北京时间）"],
            [],
        ]

    def day(self) -> str:
        return self.generated.astimezone(BEIJING).date().isoformat()


_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The one function every exported value passes through: text a spreadsheet would
    take for a formula gets a leading ``'``."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_TRIGGERS):
        return "'" + value
    first = value.lstrip()[:1]
    if first and unicodedata.normalize("NFKC", first).startswith(_TRIGGERS):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, Percent):
        return "无数据" if value.value is None else f"{value.value * 100:.2f}%"
    return "" if value is None else cell(value)


def to_csv(export: Export, table: Table, encoding: CsvEncoding = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([cell(v) for v in row] for row in export.block())
    writer.writerow([cell(h) for h in table.header])
    writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    return out.getvalue().encode(_CODECS[encoding])


def to_xlsx(export: Export, tables: Sequence[Table]) -> bytes:
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.sheet[:31])
        for row in export.block():
            sheet.append([cell(v) for v in row])
        sheet.append([cell(h) for h in table.header])
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
            for at, value in enumerate(row, start=1):
                if isinstance(value, Percent) and value.value is not None:
                    sheet.cell(sheet.max_row, at).number_format = "0.00%"
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["B"].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Percent):
        return "无数据" if value.value is None else value.value
    return cell(value)


def content_disposition(name: str, fallback: str) -> str:
    """``attachment`` with the Chinese name (RFC 5987/6266) and an ASCII ``filename``."""
    ascii_name = fallback.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(body: bytes, media_type: str, name: str, fallback: str) -> Response:
    headers = {"Content-Disposition": content_disposition(name, fallback)}
    return Response(body, media_type=media_type, headers=headers)


def csv_media_type(encoding: CsvEncoding) -> str:
    return f"text/csv; charset={encoding}"
