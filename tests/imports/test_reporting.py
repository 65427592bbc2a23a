"""What an import tells the office: file-level errors, repeated-error summaries, warnings,
holder changes, exact counts, and the list of past imports."""

import io
from collections.abc import Callable

import openpyxl
from fastapi.testclient import TestClient

from tests import factories as f
from tests.imports.helpers import HEADERS, csv_bytes, upload

GOOD = ["CN202121635235.X", "好的专利", "实用新型", "20210715", "", "H04N7/18", "有权", ""]


def test_a_file_without_required_columns_fails_with_the_headers(client: TestClient) -> None:
    data = csv_bytes([["甲", "乙", "丙"]], headers=["编号", "名称", "备注"])
    job = upload(client, "wrong.csv", data)
    assert job["state"] == "failed" and job["processed"] == 0
    assert "缺少必填列" in job["error"] and "申请号" in job["error"]
    assert "编号、名称、备注" in job["error"]  # the headers found
    assert "application_number" in job["error"]  # the English half names the field
    assert client.get("/v1/patents").json()["total"] == 0


def test_xlsx_total_rows_equals_processed(client: TestClient) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(GOOD)
    sheet.append(["CN202223220665.2", "第二条", "实用新型", "20221202", "", "", "有权", ""])
    out = io.BytesIO()
    book.save(out)
    job = upload(client, "list.xlsx", out.getvalue())
    assert job["state"] == "succeeded"
    assert job["total_rows"] == job["processed"] == 2 and job["progress"] == 100.0


def _numbers(n: int) -> list[str]:
    return [f.application_number() for _ in range(n)]


def test_repeated_row_errors_get_one_file_level_summary(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    ours = f.create(client, "/v1/institutions", f.institution(name="甲大学"))["id"]
    theirs = f.create(client, "/v1/institutions", f.institution(name="乙大学"))["id"]
    numbers = _numbers(6)
    rows = [[n, f"专利{i}", "发明", "", "", "", "有权", ""] for i, n in enumerate(numbers)]
    assert upload(client, "theirs.csv", csv_bytes(rows), institution_id=theirs)["inserted"] == 6
    mine = client_for("institution", institution_id=ours)
    job = upload(mine, "wrong-file.csv", csv_bytes(rows))
    assert job["failed"] == 6 and len(job["error_summary"]) == 1
    summary = job["error_summary"][0]
    assert summary["count"] == 6 and summary["first_rows"] == [2, 3, 4, 5, 6]
    assert summary["reason_zh"] == "该申请号已由其他专利权人登记"
    assert "6 行因同一原因失败" in summary["message_zh"] and "其他机构" in summary["message_zh"]
    assert "6 rows failed" in summary["message_en"]
    few = upload(client, "few.csv", csv_bytes([["坏", "坏", "发明", "", "", "", "", ""]]))
    assert few["failed"] == 1 and few["error_summary"] == []  # one row: its own error says it


def test_a_publication_number_under_two_application_numbers_is_a_warning(
    client: TestClient,
) -> None:
    headers = ["申请号", "公开号", "专利名称", "专利类型"]
    a, b, c = _numbers(3)
    first = upload(client, "one.csv", csv_bytes([[a, "CN118000001A", "甲", "发明"]], headers))
    assert first["review"] == []
    rows = [[b, "CN118000002A", "乙", "发明"], [c, "CN118000002A", "丙", "发明"]]
    rows.append([_numbers(1)[0], "CN118000001A", "丁", "发明"])
    job = upload(client, "two.csv", csv_bytes(rows, headers))
    assert job["inserted"] == 3 and job["failed"] == 0  # a warning, not a refusal
    warned = {r["row"]: r for r in job["review"] if r["kind"] == "publication_number_reused"}
    assert set(warned) == {3, 4}
    assert b in warned[3]["reason_zh"] and "第 2 行" in warned[3]["reason_zh"]
    assert a in warned[4]["reason_zh"] and "已登记" in warned[4]["reason_zh"]
    assert warned[4]["reason_en"].startswith("publication number CN118000001A")


def test_a_change_of_holder_on_reimport_is_reported(client: TestClient) -> None:
    old = f.create(client, "/v1/institutions", f.institution(name="甲大学"))["id"]
    new = f.create(client, "/v1/institutions", f.institution(name="乙大学"))["id"]
    rows = [[n, "专利", "发明", "", "", "", "有权", ""] for n in _numbers(2)]
    upload(client, "v1.csv", csv_bytes(rows), institution_id=old)
    again = upload(client, "v2.csv", csv_bytes(rows), institution_id=new)
    assert again["updated"] == 2
    changed = [r for r in again["review"] if r["kind"] == "holder_changed"]
    assert [r["row"] for r in changed] == [2, 3]
    assert changed[0]["from_institution_id"] == old and changed[0]["to_institution_id"] == new
    assert "专利权人由「甲大学」变更为「乙大学」" in changed[0]["reason_zh"]
    same = upload(client, "v3.csv", csv_bytes(rows), institution_id=new)
    assert same["unchanged"] == 2 and same["review"] == []


def test_past_imports_are_listed_newest_first_and_scoped(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    ours = f.create(client, "/v1/institutions", f.institution(name="甲大学"))["id"]
    other = f.create(client, "/v1/institutions", f.institution(name="乙大学"))["id"]
    row = [[_numbers(1)[0], "专利", "发明", "", "", "", "有权", ""]]
    mine = client_for("institution", institution_id=ours)
    first = upload(mine, "a.csv", csv_bytes(row))
    second = upload(mine, "b.csv", csv_bytes([]))
    theirs = upload(client, "c.csv", csv_bytes(row), institution_id=other)
    listed = mine.get("/v1/imports?limit=10").json()
    assert listed["total"] == 2
    assert [j["id"] for j in listed["items"]] == [second["id"], first["id"]]
    assert listed["items"][1]["filename"] == "a.csv" and listed["items"][1]["inserted"] == 1
    everything = client.get("/v1/imports").json()
    assert everything["items"][0]["id"] == theirs["id"] and everything["total"] == 3
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    assert client_for("enterprise", enterprise_id=ent).get("/v1/imports").status_code == 403
    assert mine.get("/v1/imports?limit=101").status_code == 422


def test_bulk_reports_a_change_of_holder_too(client: TestClient) -> None:
    f.create(client, "/v1/institutions", f.institution(name="甲大学"))
    f.create(client, "/v1/institutions", f.institution(name="乙大学"))
    item = f.patent(patentee="甲大学")  # JSON arrays (ipc_codes) as the API takes them
    first = client.post("/v1/patents/bulk", json=[item]).json()
    assert first["inserted"] == 1, str(first)
    moved = client.post("/v1/patents/bulk", json=[{**item, "patentee": "乙大学"}]).json()
    assert moved["updated"] == 1, str(moved)
    assert [r["kind"] for r in moved["review"]] == ["holder_changed"]
    assert "专利权人由「甲大学」变更为「乙大学」" in moved["review"][0]["reason_zh"]
