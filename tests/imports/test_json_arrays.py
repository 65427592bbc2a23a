"""JSON arrays in bulk items and JSONL rows are lists, not text (issue 15, defect 9)."""

import json

from fastapi.testclient import TestClient

from tests import factories as f
from tests.imports.helpers import upload


def test_bulk_takes_json_arrays_as_lists(client: TestClient) -> None:
    item = {
        "application_number": f.application_number(),
        "title": "一种数据检索方法",
        "patent_type": "invention",
        "ipc_codes": ["G06F16/33", "G06F 16/35"],
        "applicants": ["甲大学", "乙公司"],
        "inventors": ["张三", "李四"],
        "transaction_modes": ["转让", "license"],
    }
    result = client.post("/v1/patents/bulk", json=[item]).json()
    assert result["items"][0]["status"] == "inserted", result
    patent = client.get(f"/v1/patents/{result['items'][0]['patent_id']}").json()
    assert patent["ipc_codes"] == ["G06F16/33", "G06F16/35"]
    assert patent["applicants"] == ["甲大学", "乙公司"]
    assert patent["inventors"] == ["张三", "李四"]
    assert patent["transaction_modes"] == ["transfer", "license"]


def test_bulk_refuses_a_list_or_object_where_one_value_belongs(client: TestClient) -> None:
    one = {"patent_type": "invention", "title": "甲"}
    items = [
        {**one, "application_number": f.application_number(), "title": ["甲", "乙"]},
        {**one, "application_number": f.application_number(), "ipc_codes": [["G06F"]]},
        {**one, "application_number": {"a": 1}},
    ]
    result = client.post("/v1/patents/bulk", json=items).json()
    assert [i["status"] for i in result["items"]] == ["failed"] * 3, result
    fields = [i["errors"][0]["field"] for i in result["items"]]
    assert fields == ["title", "ipc_codes", "application_number"]


def test_jsonl_arrays_are_lists(client: TestClient) -> None:
    row = {
        "application_number": f.application_number(),
        "title": "一种数据检索方法",
        "patent_type": "invention",
        "ipc_codes": ["G06F16/33"],
        "applicants": ["甲大学", "乙公司"],
    }
    job = upload(client, "rows.jsonl", (json.dumps(row, ensure_ascii=False) + "\n").encode())
    assert job["inserted"] == 1, job
    found = client.get("/v1/patents", params={"q": "数据检索"}).json()["items"][0]
    assert found["applicants"] == ["甲大学", "乙公司"] and found["ipc_codes"] == ["G06F16/33"]
