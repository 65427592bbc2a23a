"""Characters a database text column cannot store are row errors, on both backends.

PostgreSQL refuses NUL in text (SQLite keeps it), and neither driver can encode a lone
surrogate (JSON allows ``"\\ud800"``). One such cell failed the whole import on
PostgreSQL with SQL in the job's error; now its row fails alone, identically everywhere.
"""

import json

from fastapi.testclient import TestClient

from tests import factories as f
from tests.imports.helpers import HEADERS, csv_bytes, errors, upload


def _row(title: str, inventor: str = "张三") -> list[str]:
    return [f.application_number(), title, "发明", "2020-01-02", "", "", "有效", "甲大学", inventor]


def test_nul_in_a_cell_fails_its_row_only(client: TestClient) -> None:
    rows = [_row("无人机巡检装置"), _row("含\x00的名称"), _row("电池", "李\x00四"), _row("电机")]
    data = csv_bytes(rows, [*HEADERS, "发明人"])
    job = upload(client, "nul.csv", data)
    assert job["state"] == "succeeded", job["error"]
    assert (job["inserted"], job["failed"]) == (2, 2)
    problems = errors(client, job["id"])
    assert [(p["row_number"], p["column"]) for p in problems] == [(3, "专利名称"), (4, "发明人")]
    for p in problems:
        assert "NUL" in p["reason_en"] and "NUL" in p["reason_zh"]
        assert "\x00" not in p["raw_value"]
    assert "\x00" not in client.get(f"/v1/imports/{job['id']}/errors?format=csv").text


def test_nul_in_a_header_and_surrogates_in_jsonl(client: TestClient) -> None:
    data = csv_bytes([_row("无人机巡检装置")], [*HEADERS, "备\x00注"])
    job = upload(client, "header.csv", data)
    assert (job["state"], job["inserted"]) == ("succeeded", 1)
    assert all("\x00" not in c for c in job["unknown_columns"])
    lines = [
        {"application_number": f.application_number(), "title": "好的", "patent_type": "发明"},
        {"application_number": f.application_number(), "title": "坏\ud800", "patent_type": "发明"},
        {"application_number": f.application_number(), "title": "空\u0000", "patent_type": "发明"},
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    job = upload(client, "rows.jsonl", body)
    assert (job["state"], job["inserted"], job["failed"]) == ("succeeded", 1, 2), job["error"]
    assert [p["row_number"] for p in errors(client, job["id"])] == [2, 3]
