import csv
import io
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "data" / "patent_export_sample.csv"
HEADERS = [
    "申请号",
    "专利名称",
    "专利类型",
    "申请日",
    "授权公告日",
    "分类号",
    "法律状态",
    "第一权利人",
]


def csv_bytes(
    rows: list[list[Any]], headers: list[str] = HEADERS, encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client: TestClient, name: str, data: bytes, **params: Any) -> dict[str, Any]:
    form = {k: str(v) for k, v in params.items() if k == "institution_id"}
    query = {k: v for k, v in params.items() if k != "institution_id"}
    response = client.post("/v1/imports", files={"file": (name, data)}, data=form, params=query)
    assert response.status_code == 202, response.text
    job = client.get(f"/v1/imports/{response.json()['id']}").json()
    return dict(job)


def errors(client: TestClient, job_id: int) -> list[dict[str, Any]]:
    return list(client.get(f"/v1/imports/{job_id}/errors").json())
