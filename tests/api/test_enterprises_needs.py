import pytest
from fastapi.testclient import TestClient

from tests import factories as f


def test_enterprise_crud_and_flags(client: TestClient) -> None:
    body = f.enterprise(is_specialized=True, industry_code="c3825", size="small")
    created = f.create(client, "/v1/enterprises", body)
    assert created["industry_code"] == "C3825" and created["region_name"] == "郑州市"
    f.create(client, "/v1/enterprises", f.enterprise(name="其他公司"))
    listed = client.get("/v1/enterprises?is_specialized=true").json()
    assert [e["id"] for e in listed["items"]] == [created["id"]]
    assert client.get("/v1/enterprises?industry_code=C38").json()["total"] == 1
    url = f"/v1/enterprises/{created['id']}"
    assert client.patch(url, json={"is_high_tech": True}).json()["is_specialized"] is True
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_directory_columns_round_trip_and_filter(client: TestClient) -> None:
    body = f.enterprise(
        address=" 河南省郑州市金水区花园路 1 号 ",
        business_scope="一般项目：锂离子电池制造",
        main_products="动力电池",
        is_little_giant=True,
    )
    created = f.create(client, "/v1/enterprises", body)
    assert created["address"] == "河南省郑州市金水区花园路 1 号"
    assert (created["business_scope"], created["main_products"]) == (
        "一般项目：锂离子电池制造",
        "动力电池",
    )
    assert created["is_little_giant"] is True and created["is_tech_sme"] is False
    other = f.create(client, "/v1/enterprises", f.enterprise(name="科技型公司"))
    url = f"/v1/enterprises/{other['id']}"
    assert client.patch(url, json={"is_tech_sme": True}).json()["is_tech_sme"] is True
    assert client.patch(url, json={"is_tech_sme": None}).status_code == 422
    giants = client.get("/v1/enterprises?is_little_giant=true").json()["items"]
    assert [e["id"] for e in giants] == [created["id"]]
    smes = client.get("/v1/enterprises?is_tech_sme=true").json()["items"]
    assert [e["id"] for e in smes] == [other["id"]]
    too_long = client.post("/v1/enterprises", json=f.enterprise(address="路" * 301))
    assert too_long.status_code == 422


@pytest.mark.parametrize("code", ["91410100000000001A", "9141010000000000", "X" * 18])
def test_bad_uscc(client: TestClient, code: str) -> None:
    response = client.post("/v1/enterprises", json=f.enterprise(uscc=code))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "uscc"


def test_duplicate_uscc_is_409_without_naming_the_holder(client: TestClient) -> None:
    first = f.create(client, "/v1/enterprises", f.enterprise(name="保密公司"))
    response = client.post("/v1/enterprises", json=f.enterprise(uscc=first["uscc"]))
    assert response.status_code == 409
    assert "保密公司" not in response.text


def test_bad_industry_code_and_email(client: TestClient) -> None:
    body = f.enterprise(industry_code="Z99", contact_email="not-an-email")
    response = client.post("/v1/enterprises", json=body)
    assert {e["field"] for e in response.json()["errors"]} == {"industry_code", "contact_email"}


def test_need_crud_filters_and_cascade(client: TestClient) -> None:
    ent = f.create(client, "/v1/enterprises", f.enterprise())
    body = f.need(
        ent["id"],
        keywords=["无人机", "无人机", "巡检"],
        ipc_hints=["b64u"],
        wanted_modes=["license", "improvement"],
        preferred_regions=["410000"],
        budget_min="1000",
        budget_max="5000",
        deadline="2027-01-31",
    )
    need = f.create(client, "/v1/needs", body)
    assert need["keywords"] == ["无人机", "巡检"] and need["ipc_hints"] == ["B64U"]
    other = f.create(client, "/v1/needs", f.need(ent["id"], title="电池", status="closed"))
    assert [n["id"] for n in client.get("/v1/needs?status=open").json()["items"]] == [need["id"]]
    assert client.get(f"/v1/needs?enterprise_id={ent['id']}").json()["total"] == 2
    url = f"/v1/needs/{need['id']}"
    assert client.patch(url, json={"status": "matched"}).json()["keywords"] == ["无人机", "巡检"]
    over = client.patch(url, json={"budget_max": "10"})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "budget_max"
    assert client.delete(f"/v1/enterprises/{ent['id']}").status_code == 204
    assert client.get(f"/v1/needs/{other['id']}").status_code == 404


def test_need_validation(client: TestClient) -> None:
    ent = f.create(client, "/v1/enterprises", f.enterprise())
    body = f.need(
        ent["id"],
        wanted_modes=["buy"],
        preferred_regions=["999999"],
        ipc_hints=["XYZ"],
        budget_min="-1",
    )
    fields = {e["field"] for e in client.post("/v1/needs", json=body).json()["errors"]}
    assert fields == {"wanted_modes.0", "preferred_regions.0", "ipc_hints.0", "budget_min"}
    missing = client.post("/v1/needs", json=f.need(987_654))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "enterprise_id"
