import pytest
from fastapi.testclient import TestClient

from tests import factories as f


def test_crud(client: TestClient) -> None:
    created = f.create(client, "/v1/institutions", f.institution(external_id="T-1"))
    assert created["region_name"] == "武汉市"
    url = f"/v1/institutions/{created['id']}"
    patched = client.patch(url, json={"name": "示例理工大学"}).json()
    assert patched["name"] == "示例理工大学" and patched["external_id"] == "T-1"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("code", ["999999", "41010", "4101000", "110103", "abcdef"])
def test_region_code_must_be_a_current_gbt2260_code(client: TestClient, code: str) -> None:
    response = client.post("/v1/institutions", json=f.institution(region_code=code))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "region_code"


def test_type_enum(client: TestClient) -> None:
    response = client.post("/v1/institutions", json=f.institution(type="company"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "type"


def test_duplicate_external_id_is_409(client: TestClient) -> None:
    f.create(client, "/v1/institutions", f.institution(external_id="DUP"))
    response = client.post("/v1/institutions", json=f.institution(external_id="DUP"))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "external_id"


def test_delete_with_patents_is_refused(client: TestClient) -> None:
    inst = f.create(client, "/v1/institutions", f.institution())
    f.create(client, "/v1/patents", f.patent(institution_id=inst["id"]))
    response = client.delete(f"/v1/institutions/{inst['id']}")
    assert response.status_code == 409
    assert client.get(f"/v1/institutions/{inst['id']}").status_code == 200


def test_list_filters(client: TestClient) -> None:
    f.create(client, "/v1/institutions", f.institution(name="甲大学", region_code="420100"))
    f.create(
        client,
        "/v1/institutions",
        f.institution(name="乙研究所", type="research_institute", region_code="110108"),
    )
    body = client.get("/v1/institutions?type=research_institute").json()
    assert [i["name"] for i in body["items"]] == ["乙研究所"] and body["total"] == 1
    assert [i["name"] for i in client.get("/v1/institutions?region=420000").json()["items"]] == [
        "甲大学"
    ]
    assert client.get("/v1/institutions?q=大学").json()["total"] == 1
