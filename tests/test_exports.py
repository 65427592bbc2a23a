"""Every CSV/XLSX export neutralises spreadsheet formulas (issue 15, defect 6).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, TAB or CR, also after leading
whitespace, is written with a leading ``'``; numbers stay numbers.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.common.exports import Export, Table, cell, to_csv, to_xlsx
from app.stats import export as stats_export
from tests.conftest import MakeKey
from tests.console.conftest import sign_in
from tests.imports.helpers import HEADERS, upload
from tests.imports.helpers import csv_bytes as upload_csv

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "@x",
    "\t=1",
    "-2+3+cmd|' /C calc'!A0",
    "\r=1",
    "  =1+1",
    '\u3000=HYPERLINK("http://x")',
    "＝1+1",  # full-width equals sign
]


def _dangerous(cell: object) -> bool:
    if not isinstance(cell, str) or not cell or _number(cell):
        return False
    return cell[0] in "=+-@\t\r" or cell.lstrip()[:1] in ("=", "+", "-", "@", "＝")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_cells(body: bytes) -> Iterator[str]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
        yield from row


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cell_prefixes_formulas(payload: str) -> None:
    assert cell(payload) == "'" + payload
    assert not _dangerous(cell(payload))


@pytest.mark.parametrize("value", ["申请号", "CN202121635235.X", "a=b", "", None, -5, 1.5, 0])
def test_cell_leaves_other_values(value: Any) -> None:
    assert cell(value) == value


def test_shared_writers() -> None:
    rows: list[list[Any]] = [[p, -1] for p in PAYLOADS]
    export = Export("导出", PAYLOADS[0], [PAYLOADS[1]])  # scope and filters may echo input
    table = Table("t", [PAYLOADS[2], "n"], rows)
    cells = list(_csv_cells(to_csv(export, table)))
    assert not any(_dangerous(c) for c in cells) and "-1" in cells
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(export, [table])))
    values = [c.value for row in book["t"].iter_rows() for c in row]
    assert all(c.data_type != "f" for row in book["t"].iter_rows() for c in row)
    assert not any(_dangerous(v) for v in values) and -1 in values


def _import_with_payloads(client: TestClient) -> int:
    rows = [[p, "标题", "发明", "2021-01-01", "", "G06F16/33", "有效", "某大学"] for p in PAYLOADS]
    job = upload(client, "evil.csv", upload_csv(rows, HEADERS))
    assert job["failed"] == len(PAYLOADS), job
    return int(job["id"])


def test_import_error_exports(client: TestClient, app: FastAPI, make_key: MakeKey) -> None:
    job = _import_with_payloads(client)
    api = client.get(f"/v1/imports/{job}/errors", params={"format": "csv"})
    assert api.status_code == 200, api.text
    cells = list(_csv_cells(api.content))
    assert {"'" + p for p in PAYLOADS} <= set(cells)
    assert not any(_dangerous(c) for c in cells)
    console = sign_in(app, make_key("admin")).get(f"/console/import/{job}/errors.csv")
    assert console.status_code == 200, console.text
    assert not any(_dangerous(c) for c in _csv_cells(console.content))


def test_stats_tables_go_through_the_shared_writer() -> None:
    data = {
        "rates": {"implementation_rate": 0.5, "industrialization_rate": 0.25},
        "outcomes": {},
        "funnel": {
            "in_pool": 1,
            "pushed": 0,
            "enterprises_pushed": 0,
            "items_pushed": 0,
            "intents": {PAYLOADS[2]: 1},
            "deals": {},
        },
        "by_month": [
            {"month": p, "transfers": 1, "licences": 0, "equity": 0, "amount": -1.0}
            for p in PAYLOADS
        ],
    }
    export = Export("盘活统计", PAYLOADS[0], [f"IPC：{PAYLOADS[1]}"])
    for name in ("funnel", "by_month"):
        table = stats_export.tables({**data, "rates": _all_rates(), "outcomes": _all_outcomes()})[
            name
        ]
        assert not any(_dangerous(c) for c in _csv_cells(to_csv(export, table)))


def _all_rates() -> dict[str, float]:
    return {key: 0.5 for key in stats_export.RATES}


def _all_outcomes() -> dict[str, int]:
    return {key: 1 for key in stats_export.OUTCOMES}


def test_stats_exports_over_http(client: TestClient, app: FastAPI, make_key: MakeKey) -> None:
    for table in ("rates", "outcomes", "funnel", "by_month"):
        response = client.get("/v1/stats/export", params={"format": "csv", "table": table})
        assert response.status_code == 200, response.text
        assert not any(_dangerous(c) for c in _csv_cells(response.content))
    console = sign_in(app, make_key("admin"))
    provinces = console.get("/console/stats/export", params={"table": "provinces"})
    assert provinces.status_code == 200
    assert not any(_dangerous(c) for c in _csv_cells(provinces.content))
