"""CSV and XLSX exports that are safe to open in a spreadsheet.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, TAB or CR (also after leading
whitespace, or in full-width form) is read as a formula by Excel, LibreOffice or WPS
(OWASP "CSV injection": ``=cmd|' /C calc'!A0``). Such cells get a leading ``'``, which
makes them text. Numbers stay numbers. Every export writes through these functions.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when a spreadsheet would take it for a formula."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_TRIGGERS):
        return "'" + value
    first = value.lstrip()[:1]
    if first and unicodedata.normalize("NFKC", first).startswith(_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (which makes Excel read it as UTF-8)."""
    out = io.StringIO()
    csv.writer(out).writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, Iterable[Iterable[Any]]]) -> bytes:
    """One worksheet per entry. openpyxl stores a string beginning with ``=`` as a formula,
    so the same neutralisation applies."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
