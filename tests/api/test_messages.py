"""Bilingual messages: the Chinese half says as much as the English, for our own rules,
pydantic's and conflicts; enum inputs take their Chinese labels; GB/T 4754 digits alone."""

from typing import Any

from fastapi.testclient import TestClient

from app.common.identifiers import application_check_digit
from tests import factories as f
from tests.imports.helpers import csv_bytes, errors, upload


def _errors(response: Any, status: int) -> dict[str, dict[str, Any]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {e["field"]: e for e in response.json()["errors"]}


def _halves(message: str) -> tuple[str, str]:
    zh, en = message.split(" / ", 1)
    return zh, en


def test_check_digit_message_is_complete_in_chinese(client: TestClient) -> None:
    body = "202310000001"
    right = application_check_digit(body)
    wrong = "1" if right != "1" else "2"
    response = client.post("/v1/patents", json=f.patent(application_number=f"CN{body}.{wrong}"))
    zh, en = _halves(_errors(response, 422)["application_number"]["message"])
    assert zh == f"申请号校验位错误：应为 {right}，实为 {wrong}"
    assert en == f"wrong check digit: expected {right}, got {wrong}"


def test_pydantic_messages_are_translated_with_their_limits(client: TestClient) -> None:
    response = client.post("/v1/patents", json=f.patent(title="长" * 501, ipc_codes=[1]))
    found = _errors(response, 422)
    assert _halves(found["title"]["message"]) == (
        "最多 500 个字符，实为 501 个",
        "should have at most 500 characters, not 501",
    )
    assert found["title"]["type"] == "too_long"
    assert _halves(found["ipc_codes.0"]["message"])[0] == "应为字符串"
    quota = client.post(
        f"/v1/enterprises/{f.create(client, '/v1/enterprises', f.enterprise())['id']}"
        "/subscriptions",
        json={"name": "x", "keywords": ["无人机"], "quota": 0},
    )
    zh, en = _halves(_errors(quota, 422)["quota"]["message"])
    assert (zh, en) == ("不能小于 1", "Input should be greater than or equal to 1")
    detail = quota.json()["detail"]
    assert detail == "请求参数无效：quota / invalid input: quota"


def test_missing_field_is_translated(client: TestClient) -> None:
    found = _errors(client.post("/v1/institutions", json={"type": "高校"}), 422)
    assert found["name"]["message"] == "必填 / Field required"


def test_conflict_field_messages_are_bilingual(client: TestClient) -> None:
    body = f.patent()
    f.create(client, "/v1/patents", body)
    again = client.post("/v1/patents", json=body)
    found = _errors(again, 409)
    assert found["application_number"]["message"] == "申请号重复 / duplicate application number"
    number = body["application_number"]
    assert again.json()["detail"] == (
        f"申请号已存在：{number} / application number {number} already exists"
    )


def test_enum_inputs_accept_chinese_labels(client: TestClient) -> None:
    institution = f.create(client, "/v1/institutions", f.institution(type="高校"))
    assert institution["type"] == "university"
    enterprise = f.create(client, "/v1/enterprises", f.enterprise(size="小型"))
    assert enterprise["size"] == "small"
    patent = f.patent(patent_type="发明", legal_status="有权", transaction_modes=["许可", "转让"])
    created = f.create(client, "/v1/patents", patent)
    assert (created["patent_type"], created["legal_status"]) == ("invention", "valid")
    assert created["transaction_modes"] == ["license", "transfer"]


def test_a_wrong_enum_value_lists_the_chinese_labels(client: TestClient) -> None:
    response = client.post("/v1/enterprises", json=f.enterprise(size="超大"))
    zh, en = _halves(_errors(response, 422)["size"]["message"])
    assert zh == "取值无效：超大；应为 微型（micro）、小型（small）、中型（medium）、大型（large）"
    assert en.startswith("invalid value '超大'; expected one of 'micro' (微型), 'small' (小型)")


def test_industry_code_digits_alone_are_completed(client: TestClient) -> None:
    created = f.create(client, "/v1/enterprises", f.enterprise(industry_code="4210"))
    assert created["industry_code"] == "C4210"
    division = f.create(client, "/v1/enterprises", f.enterprise(industry_code="38"))
    assert division["industry_code"] == "C38"
    listed = client.get("/v1/enterprises", params={"industry_code": "4210"}).json()
    assert [e["id"] for e in listed["items"]] == [created["id"]]


def test_unknown_industry_code_says_the_expected_format(client: TestClient) -> None:
    for code in ("9999", "C9999", "Z99"):
        response = client.post("/v1/enterprises", json=f.enterprise(industry_code=code))
        zh, en = _halves(_errors(response, 422)["industry_code"]["message"])
        assert f"国民经济行业分类代码无效：{code}" in zh and "（如 C4210）" in zh and "4210" in zh
        assert f"unknown GB/T 4754-2017 industry code '{code}'" in en and "(e.g. C4210)" in en


def test_empty_title_cell_says_the_value_is_missing(client: TestClient) -> None:
    body = "202310000002"
    number = f"CN{body}.{application_check_digit(body)}"
    rows = [[number, "", "发明", "20230101", "", "", "有权", ""]]
    job = upload(client, "empty-title.csv", csv_bytes(rows))
    (problem,) = errors(client, job["id"])
    assert problem["column"] == "专利名称"
    assert problem["reason_zh"] == "缺少必填值：专利名称"
    assert problem["reason_en"] == "required value missing: title (column 专利名称)"


def test_enum_query_parameters_list_the_chinese_labels(client: TestClient) -> None:
    response = client.get("/v1/needs", params={"status": "active"})
    zh, en = _halves(_errors(response, 422)["status"]["message"])
    assert zh == "应为以下值之一：开放（open）、已匹配（matched）、已关闭（closed）"
    assert en == "Input should be 'open', 'matched' or 'closed'"


def test_patent_filters_take_chinese_labels(client: TestClient) -> None:
    valid = f.create(client, "/v1/patents", f.patent(legal_status="valid"))
    f.create(client, "/v1/patents", f.patent(legal_status="pending"))
    listed = client.get("/v1/patents", params={"legal_status": "有权", "patent_type": "发明"})
    assert [p["id"] for p in listed.json()["items"]] == [valid["id"]]
    wrong = client.get("/v1/patents", params={"legal_status": "active"})
    zh, _ = _halves(_errors(wrong, 422)["legal_status"]["message"])
    assert zh.startswith("取值无效：active；应为 有权（valid）、审中（pending）")
