"""File imports end to end: formats, encodings, bad rows, idempotency, robustness."""

import io
import json
import zipfile
from datetime import datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests import factories as f
from tests.imports.helpers import EXPORT, csv_bytes, errors, upload


@pytest.fixture
def zk(client: TestClient) -> int:
    body = f.institution(name="中科大数据研究院", type="research_institute", region_code="410100")
    return int(f.create(client, "/v1/institutions", body)["id"])


def test_the_real_export_imports_with_zero_errors(client: TestClient, zk: int) -> None:
    job = upload(client, "export.csv", EXPORT.read_bytes())
    assert job["state"] == "succeeded" and job["progress"] == 100.0
    assert (job["total_rows"], job["inserted"], job["failed"]) == (10, 10, 0)
    assert "授权名称" in job["unknown_columns"] and "申请号" not in job["unknown_columns"]
    listed = client.get(f"/v1/patents?institution_id={zk}&limit=100").json()
    assert listed["total"] == 10  # 第一权利人 resolved to the registered institution
    patent = client.get("/v1/patents?q=无人机机载多功能盒").json()["items"][0]
    assert patent["application_number"] == "CN202223220665.2"
    assert patent["legal_status"] == "valid" and patent["patent_type"] == "utility_model"
    assert patent["grant_date"] == "2023-03-28" and patent["region_code"] == "410000"
    assert patent["ipc_codes"] == ["B64U20/80", "B64U101/30"]
    again = upload(client, "export.csv", EXPORT.read_bytes())
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 10)


def test_shared_export_imports_too(client: TestClient, zk: int, shared_dir: object) -> None:
    from pathlib import Path

    data = (Path(str(shared_dir)) / "data" / "patent_export_sample.csv").read_bytes()
    assert upload(client, "export.csv", data)["failed"] == 0


@pytest.mark.parametrize("explicit", [None, "gbk"])
def test_gbk_csv(client: TestClient, zk: int, explicit: str | None) -> None:
    data = EXPORT.read_text(encoding="utf-8").encode("gb18030")
    params = {"encoding": explicit} if explicit else {}
    job = upload(client, "export-gbk.csv", data, **params)
    assert job["failed"] == 0 and job["inserted"] == 10
    title = client.get("/v1/patents?q=无人机机载").json()["items"][0]["title"]
    assert title == "一种无人机机载多功能盒"


def test_a_wrong_encoding_fails_instead_of_mangling(client: TestClient) -> None:
    data = EXPORT.read_text(encoding="utf-8").encode("gb18030")
    job = upload(client, "export-gbk.csv", data, encoding="utf-8")
    assert job["state"] == "failed" and job["error"]
    assert client.get("/v1/patents").json()["total"] == 0


def test_bad_rows_are_reported_and_good_rows_land(client: TestClient) -> None:
    rows = [
        [
            "CN202121635235.X",
            "好的专利",
            "实用新型",
            "20210715",
            "20221004",
            "H04N7/18",
            "有权",
            "",
        ],
        ["CN202121635235.1", "校验位错", "实用新型", "20210715", "", "", "", ""],
        ["CN202223220665.2", "IPC 错", "实用新型", "20221202", "", "XX99", "", ""],
        ["CN202122975192.6", "日期错", "实用新型", "2021-13-45", "", "", "", ""],
        ["CN202121635426.6", "", "实用新型", "20210715", "", "", "", ""],
        ["202121635235X", "重复行", "实用新型", "20210715", "", "", "", ""],
        [
            "CN202121741650.3",
            "另一条好的",
            "发明公开;发明授权",
            "2021/7/28",
            "",
            "",
            "审中-实质审查",
            "",
        ],
    ]
    job = upload(client, "rows.csv", csv_bytes(rows))
    assert (job["inserted"], job["failed"], job["processed"]) == (2, 5, 7)
    found = {(e["row_number"], e["column"]) for e in errors(client, job["id"])}
    assert found == {(3, "申请号"), (4, "分类号"), (5, "申请日"), (6, "专利名称"), (7, "申请号")}
    by_row = {e["row_number"]: e for e in errors(client, job["id"])}
    assert by_row[3]["raw_value"] == "CN202121635235.1" and "校验位" in by_row[3]["reason_zh"]
    assert "check digit" in by_row[3]["reason_en"] and "第 2 行" in by_row[7]["reason_zh"]
    exported = client.get(f"/v1/imports/{job['id']}/errors?format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "CN202121635235.1" in exported.content.decode("utf-8-sig")
    assert client.get("/v1/patents").json()["total"] == 2


def test_a_corrected_file_updates_only_what_changed(client: TestClient) -> None:
    rows = [
        ["CN202121635235.X", "标题甲", "实用新型", "20210715", "", "H04N7/18", "有权", ""],
        ["CN202223220665.2", "标题乙", "实用新型", "20221202", "", "B64U20/80", "有权", ""],
    ]
    first = upload(client, "v1.csv", csv_bytes(rows))
    assert first["inserted"] == 2
    rows[1][1] = "标题乙（更正）"
    second = upload(client, "v2.csv", csv_bytes(rows))
    assert (second["updated"], second["unchanged"], second["inserted"]) == (1, 1, 0)
    assert client.get("/v1/patents?q=更正").json()["total"] == 1


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["专利清单（某大学技术转移中心）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["申请号", "专利名称", "专利类型", "申请日", "发明人", None])
    sheet.merge_cells("E2:F2")  # a merged header cell
    for row in rows:
        sheet.append(row)
    sheet.append([None, None, None])  # an empty trailing row
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_merged_headers_and_excel_dates(client: TestClient) -> None:
    data = _xlsx(
        [
            ["CN202121635235.X", "表格专利一", "实用新型", datetime(2021, 7, 15), "张三;李四"],
            ["CN202223220665.2", "表格专利二", "发明", 44897, "王五"],
        ]
    )
    job = upload(client, "list.xlsx", data)
    assert job["state"] == "succeeded" and (job["inserted"], job["failed"]) == (2, 0)
    second = client.get("/v1/patents?q=表格专利二").json()["items"][0]
    assert second["filing_date"] == "2022-12-02" and second["inventors"] == ["王五"]
    first = client.get("/v1/patents?q=表格专利一").json()["items"][0]
    assert first["inventors"] == ["张三", "李四"] and first["filing_date"] == "2021-07-15"


def test_truncated_and_fake_spreadsheets_fail_clearly(client: TestClient) -> None:
    data = _xlsx([["CN202121635235.X", "专利", "发明", "20210715", "张三"]])
    truncated = upload(client, "cut.xlsx", data[: len(data) // 2])
    assert truncated["state"] == "failed" and "xlsx" in truncated["error"]
    fake = upload(client, "photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert fake["state"] == "failed" and "Excel" in fake["error"]


def test_zip_bomb_is_refused(client: TestClient) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)
    job = upload(client, "bomb.xlsx", out.getvalue())
    assert job["state"] == "failed" and "zip bomb" in job["error"]


def test_unsupported_and_oversize_uploads(client: TestClient, settings: object) -> None:
    response = client.post("/v1/imports", files={"file": ("report.pdf", b"%PDF-1.7")})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    big = b"x" * (settings.max_upload_bytes + 1)  # type: ignore[attr-defined]
    assert client.post("/v1/imports", files={"file": ("big.csv", big)}).status_code == 413


def test_jsonl_with_english_names(client: TestClient) -> None:
    first = {
        "application_number": "CN202121635235.X",
        "title": "JSON 专利",
        "patent_type": "invention",
    }
    lines = [
        json.dumps(first, ensure_ascii=False),
        "not json",
        '{"application_number": "CN202223220665.2", "title": "另一个", "type": "实用新型"}',
    ]
    job = upload(client, "rows.jsonl", "\n".join(lines).encode())
    assert (job["inserted"], job["failed"]) == (2, 1)
    assert errors(client, job["id"])[0]["row_number"] == 2


def test_imported_patents_are_matched(client: TestClient, zk: int) -> None:
    upload(client, "export.csv", EXPORT.read_bytes())
    found = client.post("/v1/match", json={"text": "无人机机载多功能盒 数据接口"}).json()
    assert found["items"][0]["patent"]["application_number"] == "CN202223220665.2"
