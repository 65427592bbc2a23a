"""Valid request bodies, overridable per test."""

from itertools import count
from typing import Any

from fastapi.testclient import TestClient
from stdnum.cn import uscc

from app.common.identifiers import application_check_digit

_serial = count(1)


def application_number() -> str:
    body = f"20231{next(_serial):07d}"
    return f"CN{body}.{application_check_digit(body)}"


def credit_code() -> str:
    body = f"9141010{next(_serial):010d}"[:17]
    return body + uscc.calc_check_digit(body)


def institution(**over: Any) -> dict[str, Any]:
    return {"name": "示例大学", "type": "university", "region_code": "420100", **over}


def patent(**over: Any) -> dict[str, Any]:
    return {
        "application_number": application_number(),
        "patent_type": "invention",
        "title": "一种无人机巡检图像处理方法",
        "abstract": "本发明公开了一种无人机巡检图像处理方法。",
        "ipc_codes": ["G06T7/00", "B64U20/80"],
        "legal_status": "valid",
        **over,
    }


def enterprise(**over: Any) -> dict[str, Any]:
    return {"name": "示例科技有限公司", "uscc": credit_code(), "region_code": "410100", **over}


def need(enterprise_id: int, **over: Any) -> dict[str, Any]:
    return {"enterprise_id": enterprise_id, "title": "无人机巡检缺陷识别", **over}


def create(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())
