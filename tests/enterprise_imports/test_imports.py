"""Enterprise list imports (企业名录) through HTTP: formats, upsert, resolution, access."""

import csv
import io
import json
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from tests import factories as f
from tests.conftest import ClientFor
from tests.factories import credit_code
from tests.imports import helpers

URL = "/v1/enterprise-imports"
HEADERS = ["序号", "企业名称", "统一社会信用代码", "所在地区", "注册地址", "所属行业", "专精特新"]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    return helpers.csv_bytes(rows, HEADERS, encoding)


def upload(client: TestClient, name: str, data: bytes, **query: Any) -> dict[str, Any]:
    response = client.post(URL, files={"file": (name, data)}, params=query)
    assert response.status_code == 202, response.text
    job = client.get(f"{URL}/{response.json()['id']}").json()
    assert job["state"] == "succeeded", job
    return dict(job)


def errors(client: TestClient, job_id: int) -> list[dict[str, Any]]:
    return list(client.get(f"{URL}/{job_id}/errors").json())


def by_uscc(client: TestClient, code: str) -> dict[str, Any]:
    [found] = [
        e for e in client.get("/v1/enterprises?size=100").json()["items"] if e["uscc"] == code
    ]
    return dict(found)


def test_gbk_csv_resolves_regions_industries_and_flags(client: TestClient) -> None:
    a, b, c = credit_code(), credit_code(), credit_code()
    rows = [
        [
            1,
            "杭州锂电科技有限公司",
            a,
            "",
            "浙江省杭州市余杭区文一西路 969 号",
            "锂离子电池制造",
            "是",
        ],
        [2, "郑州智巡无人机有限公司", b, "郑州市", "", "C3744", "√"],
        [3, "北京软件有限公司", c, "北京市海淀区", "", "6511", "否"],
    ]
    job = upload(client, "名录.csv", csv_bytes(rows, encoding="gbk"))
    assert (job["inserted"], job["failed"], job["encoding"]) == (3, 0, "gb18030")
    assert job["progress"] == 100.0 and job["processed"] == 3
    first = by_uscc(client, a)
    assert (first["region_code"], first["address"]) == (
        "330110",
        "浙江省杭州市余杭区文一西路 969 号",
    )
    assert (first["industry_code"], first["industry"]) == ("C3841", "锂离子电池制造")
    assert first["is_specialized"] is True
    second = by_uscc(client, b)
    assert (second["region_code"], second["industry_code"], second["is_specialized"]) == (
        "410100",
        "C3744",
        True,
    )
    third = by_uscc(client, c)
    assert (third["region_code"], third["industry_code"], third["is_specialized"]) == (
        "110108",
        "I6511",
        False,
    )


def test_reupload_is_idempotent_and_a_change_updates_only_its_row(client: TestClient) -> None:
    a, b = credit_code(), credit_code()
    rows = [
        [1, "甲公司", a, "浙江省杭州市", "", "C3841", "否"],
        [2, "乙公司", b, "430100", "", "", ""],
    ]
    first = upload(client, "list.csv", csv_bytes(rows))
    again = upload(client, "list.csv", csv_bytes(rows))
    assert (first["inserted"], again["inserted"], again["unchanged"]) == (2, 0, 2)
    rows[0][6] = "是"
    changed = upload(client, "list.csv", csv_bytes(rows))
    assert (changed["updated"], changed["unchanged"], changed["inserted"]) == (1, 1, 0)
    assert by_uscc(client, a)["is_specialized"] is True
    assert client.get("/v1/enterprises").json()["total"] == 2


def test_bad_rows_write_nothing_and_name_the_closest_entries(client: TestClient) -> None:
    good = credit_code()
    rows = [
        [1, "好公司", good, "浙江省杭州市余杭区", "", "C3841", "是"],
        [2, "校验位错", good[:-1] + ("0" if good[-1] != "0" else "1"), "杭州市", "", "", ""],
        [3, "行业不明", credit_code(), "杭州市", "", "锂电池制造", ""],
        [4, "地区不明", credit_code(), "浙江省杭洲市", "", "", ""],
        [5, "重复", good, "杭州市", "", "", ""],
        [6, "标志错", credit_code(), "杭州市", "", "", "也许"],
    ]
    job = upload(client, "bad.csv", csv_bytes(rows))
    assert (job["inserted"], job["failed"], job["processed"]) == (1, 5, 6)
    found = {e["row_number"]: e for e in errors(client, job["id"])}
    assert found[3]["column"] == "统一社会信用代码" and "校验位" in found[3]["reason_zh"]
    assert found[4]["column"] == "所属行业" and "C3841 锂离子电池制造" in found[4]["reason_zh"]
    assert found[5]["column"] == "所在地区" and "浙江省杭州市（330100）" in found[5]["reason_zh"]
    assert "did you mean" in found[5]["reason_en"]
    assert "第 2 行" in found[6]["reason_zh"]
    assert found[7]["column"] == "专精特新"
    assert client.get("/v1/enterprises").json()["total"] == 1


def test_xlsx_with_a_title_row_and_jsonl(client: TestClient) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["浙江省专精特新“小巨人”企业名单"])
    sheet.append(["企业名称", "统一社会信用代码", "所在地区", "专精特新“小巨人”", "规模"])
    code = credit_code()
    sheet.append(["小巨人公司", code, "宁波市", 1, "中型"])
    out = io.BytesIO()
    book.save(out)
    job = upload(client, "名单.xlsx", out.getvalue())
    assert (job["inserted"], job["failed"]) == (1, 0)
    found = by_uscc(client, code)
    assert (found["region_code"], found["is_little_giant"], found["size"]) == (
        "330200",
        True,
        "medium",
    )
    other = credit_code()
    lines = [
        {"name": "英文键公司", "uscc": other, "region_code": "420100", "is_tech_sme": True},
        {
            "企业名称": "中文键公司",
            "统一社会信用代码": credit_code(),
            "注册地址": "湖北省武汉市洪山区",
        },
    ]
    body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    job = upload(client, "list.jsonl", body)
    assert (job["inserted"], job["failed"]) == (2, 0)
    assert by_uscc(client, other)["is_tech_sme"] is True


def test_template_round_trips(client: TestClient) -> None:
    response = client.get(f"{URL}/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    values = {
        "企业名称": "模板公司",
        "统一社会信用代码": credit_code(),
        "所在地区": "浙江省杭州市",
        "注册地址": "浙江省杭州市西湖区文三路 1 号",
        "所属行业": "3841",
        "经营范围": "一般项目：电池制造",
        "主营产品": "动力电池",
        "企业简介": "简介",
        "专精特新": "是",
        '专精特新"小巨人"': "否",
        "高新技术企业": "是",
        "科技型中小企业": "是",
        "国有企业": "否",
        "规模": "小型",
        "联系人": "张三",
        "联系电话": "0571-88888888",
        "电子邮箱": "a@example.com",
    }
    assert set(headers) == set(values)
    sheet.append([values[h] for h in headers])
    out = io.BytesIO()
    book.save(out)
    job = upload(client, "模板.xlsx", out.getvalue())
    assert (job["inserted"], job["failed"], job["unknown_columns"]) == (1, 0, [])
    found = by_uscc(client, values["统一社会信用代码"])
    assert found["region_code"] == "330106" and found["main_products"] == "动力电池"
    assert found["is_high_tech"] and found["is_tech_sme"] and not found["is_little_giant"]
    assert found["contact_email"] == "a@example.com"


def test_who_may_import(client: TestClient, client_for: ClientFor) -> None:
    data = csv_bytes([[1, "甲", credit_code(), "武汉市", "", "", ""]])
    enterprise = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    institution = f.create(client, "/v1/institutions", f.institution())["id"]
    for role, binding in (
        ("enterprise", {"enterprise_id": enterprise}),
        ("institution", {"institution_id": institution}),
        ("portal", {}),
    ):
        other = client_for(role, **binding)
        assert other.post(URL, files={"file": ("a.csv", data)}).status_code == 403
        assert other.get(URL).status_code == 403
        assert other.get(f"{URL}/template.xlsx").status_code == 403
    admin_job = upload(client, "a.csv", data)
    hubei = client_for("province", province_code="420000")
    assert hubei.get(f"{URL}/{admin_job['id']}").status_code == 404
    assert hubei.get(URL).json()["total"] == 0


def test_a_province_imports_its_own_enterprises_only(
    client: TestClient, client_for: ClientFor
) -> None:
    elsewhere = credit_code()
    upload(client, "admin.csv", csv_bytes([[1, "豫企", elsewhere, "郑州市", "", "", ""]]))
    hubei = client_for("province", province_code="420000")
    mine = credit_code()
    rows = [
        [1, "鄂企", mine, "洪山区", "", "", ""],  # looked up within Hubei first
        [2, "浙企", credit_code(), "浙江省杭州市", "", "", ""],
        [3, "改豫企", elsewhere, "武汉市", "", "", ""],
    ]
    job = upload(hubei, "hubei.csv", csv_bytes(rows))
    assert (job["inserted"], job["failed"], job["province_code"]) == (1, 2, "420000")
    found = {e["row_number"]: e for e in errors(hubei, job["id"])}
    assert "不在本省范围内" in found[3]["reason_zh"]
    assert "其他省份" in found[4]["reason_zh"] and "豫企" not in found[4]["reason_zh"]
    assert by_uscc(client, mine)["region_code"] == "420111"
    assert by_uscc(client, elsewhere)["name"] == "豫企"
    assert [j["id"] for j in hubei.get(URL).json()["items"]] == [job["id"]]


def test_error_export_has_no_formulas(client: TestClient) -> None:
    rows = [[1, '=HYPERLINK("http://x")', "=1+1", "杭州市", "", "", ""]]
    job = upload(client, "evil.csv", csv_bytes(rows))
    response = client.get(f"{URL}/{job['id']}/errors?format=csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=1+1" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
