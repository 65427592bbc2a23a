"""Exports as Chinese offices file them: labels, percentages, title rows, file names, encodings."""

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import unquote

from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook

from app.common.exports import BEIJING
from tests import factories as f

ENGLISH_KEYS = re.compile(r"implementation_rate|deal:|intent:|in_pool|transfers_registered")


def _world(client: TestClient) -> int:
    inst = f.create(client, "/v1/institutions", f.institution(region_code="420100"))["id"]
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    for status in ("implemented", "not_implemented", "not_implemented"):
        body = f.patent(institution_id=inst, implementation_status=status)
        f.create(client, "/v1/patents", body)
    patent = f.create(client, "/v1/patents", f.patent(institution_id=inst))["id"]
    deal = {"patent_ids": [patent], "enterprise_id": ent, "type": "ordinary_license"}
    deal_id = f.create(client, "/v1/deals", deal)["id"]
    client.post(f"/v1/deals/{deal_id}/transition", json={"status": "negotiating"})
    return int(inst)


def _filename(response: Response) -> tuple[str, str]:
    """The RFC 5987 name and the ASCII fallback of an attachment."""
    header = response.headers["content-disposition"]
    assert header.startswith("attachment;")
    fallback = re.search(r'filename="([^"]+)"', header)
    encoded = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert fallback and encoded, header
    assert fallback.group(1).isascii()
    return unquote(encoded.group(1)), fallback.group(1)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_stats_csv_is_chinese_with_title_rows_and_percentages(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    _world(client)
    hubei = client_for("province", province_code="420000")
    response = hubei.get("/v1/stats/export?format=csv&table=rates&ipc=G06")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = _rows(response.content.decode("utf-8-sig"))
    assert rows[0] == ["盘活统计"]
    assert rows[1] == ["范围", "湖北省"]
    assert rows[2] == ["筛选条件", "IPC：G06"]
    assert rows[3][0] == "生成时间" and "北京时间" in rows[3][1]
    assert rows[5] == ["指标", "数值"]
    assert ["实施率", "25.00%"] in rows and ["在库有效专利（件）", "4"] in rows
    name, fallback = _filename(response)
    today = _beijing_today()
    assert name == f"盘活统计_实施与产业化_湖北省_{today}.csv"
    assert fallback == f"panhuo-stats-rates_{today}.csv"
    assert not ENGLISH_KEYS.search(response.content.decode("utf-8-sig"))


def test_stats_funnel_and_gb18030(client: TestClient) -> None:
    _world(client)
    response = client.get("/v1/stats/export?format=csv&table=funnel&encoding=gb18030")
    assert response.headers["content-type"] == "text/csv; charset=gb18030"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("gb18030")
    assert ["交易：洽谈中", "1"] in _rows(text) and ["在库专利", "4"] in _rows(text)
    assert ["范围", "全部"] in _rows(text)
    assert not ENGLISH_KEYS.search(text)
    assert _filename(response)[0] == f"盘活统计_转化漏斗_{_beijing_today()}.csv"
    bad = client.get("/v1/stats/export?format=csv&encoding=latin-1")
    assert bad.status_code == 422


def test_stats_xlsx_has_chinese_sheets_and_percent_cells(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    inst = _world(client)
    owner = client_for("institution", institution_id=inst)
    response = owner.get("/v1/stats/export?format=xlsx")
    name, fallback = _filename(response)
    assert name == f"盘活统计_示例大学_{_beijing_today()}.xlsx"
    assert fallback.endswith(".xlsx") and fallback.isascii()
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["实施与产业化", "转化成果", "转化漏斗", "按月统计"]
    sheet = book["实施与产业化"]
    assert sheet["A1"].value == "盘活统计" and sheet["B2"].value == "示例大学"
    rate = next(r for r in sheet.iter_rows(min_row=7) if r[0].value == "实施率")[1]
    assert rate.value == 0.25 and rate.number_format == "0.00%"
    values = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    assert not ENGLISH_KEYS.search(values)


def test_import_errors_csv(client: TestClient) -> None:
    inst = f.create(client, "/v1/institutions", f.institution())["id"]
    body = "申请号,专利名称,专利类型\nCN202310000000.9,坏行,发明\n"
    job = client.post(
        "/v1/imports",
        files={"file": ("导出.csv", body.encode("utf-8"))},
        data={"institution_id": str(inst)},
    ).json()
    job = client.get(f"/v1/imports/{job['id']}").json()  # ran after the response
    assert job["failed"] == 1, str(job)
    response = client.get(f"/v1/imports/{job['id']}/errors?format=csv&encoding=gb18030")
    rows = _rows(response.content.decode("gb18030"))
    assert rows[0] == ["盘活导入错误"] and rows[1][1] == f"导入任务 {job['id']}：导出.csv"
    assert rows[5] == ["行号", "列", "原始值", "原因", "原因（英文）"]
    assert rows[6][0] == "2"
    name, fallback = _filename(response)
    today = _beijing_today()
    assert name == f"导入错误_导出_{today}.csv"
    assert fallback == f"import-{job['id']}-errors_{today}.csv"


def test_the_import_template_has_a_chinese_file_name(client: TestClient) -> None:
    response = client.get("/v1/imports/template.xlsx")
    assert _filename(response) == ("盘活专利导入模板.xlsx", "panhuo-import-template.xlsx")


def _beijing_today() -> str:
    """File names carry the date in Beijing, the users' time (UTC+8), not the machine's."""
    return datetime.now(BEIJING).date().isoformat()
