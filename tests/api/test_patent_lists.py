from fastapi.testclient import TestClient

from tests import factories as f


def _titles(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/patents?{query}")
    assert response.status_code == 200, response.text
    return [p["title"] for p in response.json()["items"]]


def test_filters(client: TestClient) -> None:
    hubei = f.create(client, "/v1/institutions", f.institution(region_code="420100"))["id"]
    henan = f.create(client, "/v1/institutions", f.institution(region_code="410100"))["id"]
    f.create(
        client,
        "/v1/patents",
        f.patent(title="无人机甲", institution_id=hubei, ipc_codes=["B64U20/80"], value_grade="A"),
    )
    f.create(
        client,
        "/v1/patents",
        f.patent(
            title="电池乙",
            institution_id=henan,
            ipc_codes=["H01M10/44", "G06F16/33"],
            legal_status="失效-未缴年费",
            state_funded=True,
        ),
    )
    f.create(
        client,
        "/v1/patents",
        f.patent(
            title="无人机丙", institution_id=henan, ipc_codes=["B64C39/02"], pool_status="withdrawn"
        ),
    )
    assert _titles(client, f"institution_id={henan}") == ["电池乙", "无人机丙"]
    assert _titles(client, "ipc=G06F16/") == ["电池乙"]  # a secondary code matches too
    assert _titles(client, "ipc=b64") == ["无人机甲", "无人机丙"]
    assert _titles(client, "legal_status=lapsed") == ["电池乙"]
    assert _titles(client, "pool_status=in_pool&q=无人机") == ["无人机甲"]
    assert _titles(client, "region=420000") == ["无人机甲"]  # province matches its cities
    assert _titles(client, "value_grade=A") == ["无人机甲"]
    assert _titles(client, "state_funded=true") == ["电池乙"]
    assert _titles(client, "q=%25") == []  # LIKE wildcards are escaped
    assert client.get("/v1/patents?ipc=G06F16/33/1").status_code == 422
    assert client.get("/v1/patents?legal_status=dead").status_code == 422


def test_paging_is_capped_stable_and_totalled(client: TestClient) -> None:
    ids = [f.create(client, "/v1/patents", f.patent(title=f"专利{i}"))["id"] for i in range(7)]
    page1 = client.get("/v1/patents?limit=3").json()
    page2 = client.get("/v1/patents?limit=3&offset=3").json()
    page3 = client.get("/v1/patents?limit=3&offset=6").json()
    assert page1["total"] == page2["total"] == page3["total"] == 7
    seen = [p["id"] for p in page1["items"] + page2["items"] + page3["items"]]
    assert seen == ids
    assert client.get("/v1/patents?limit=100").status_code == 200
    too_big = client.get("/v1/patents?limit=101")
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "limit"
    assert client.get("/v1/patents?limit=0").status_code == 422
    assert client.get("/v1/patents?offset=-1").status_code == 422
