"""Match API: ranking, filters, explanations, consistency with writes, bad input."""

from collections.abc import Callable, Mapping

import pytest
from fastapi.testclient import TestClient

from app.matches.schemas import MatchResponse
from tests import factories as f

TOPICS = [
    (
        "drone",
        "一种无人机巡检图像采集装置",
        "无人机搭载摄像头对输电线路进行巡检，实时处理图像并识别缺陷。",
        ["B64U20/80", "H04N7/18"],
    ),
    (
        "battery",
        "锂离子电池正极材料及其制备方法",
        "一种高镍三元正极材料，提高锂电池的循环寿命和安全性。",
        ["H01M4/525"],
    ),
    (
        "concrete",
        "装配式混凝土梁柱连接结构",
        "预制混凝土梁与柱通过灌浆套筒连接，施工快速。",
        ["E04B1/21"],
    ),
    ("pv", "光伏组件层压胶膜平整机构", "光伏组件生产线上的胶膜平整装置，减少气泡。", ["H02S30/10"]),
]


@pytest.fixture
def pool(client: TestClient) -> dict[str, int]:
    hubei = f.create(client, "/v1/institutions", f.institution(region_code="420100"))["id"]
    henan = f.create(client, "/v1/institutions", f.institution(region_code="410100"))["id"]
    ids = {}
    for i, (name, title, abstract, ipc) in enumerate(TOPICS):
        body = f.patent(
            title=title,
            abstract=abstract,
            ipc_codes=ipc,
            institution_id=hubei if i % 2 == 0 else henan,
            transaction_modes=["license"] if i == 0 else ["transfer"],
            grant_date="2023-05-01" if i == 0 else None,
        )
        ids[name] = f.create(client, "/v1/patents", body)["id"]
    return ids


def _top(client: TestClient, body: Mapping[str, object]) -> list[int]:
    response = client.post("/v1/match", json=body)
    assert response.status_code == 200, response.text
    return [item["patent"]["id"] for item in response.json()["items"]]


def test_match_ranks_the_relevant_patent_first_with_an_explanation(
    client: TestClient, pool: dict[str, int]
) -> None:
    response = client.post("/v1/match", json={"text": "需要无人机巡检输电线路的图像识别技术"})
    top = response.json()["items"][0]
    assert top["patent"]["id"] == pool["drone"] and top["rank"] == 1
    assert top["patent"]["institution_name"] == "示例大学"
    assert top["patent"]["legal_status"] == "valid"
    explanation = top["explanation"]
    assert explanation["summary"]
    # The need's own phrase (无人机 + 机巡 + 巡检), never the bigram 机巡.
    assert explanation["terms"][0]["term"] == "无人机巡检"
    assert explanation["summary_zh"].startswith("共同技术：无人机巡检、")
    assert "\n" not in explanation["summary_zh"]
    assert {"feature", "value", "contribution", "share"} <= set(explanation["features"][0])
    assert sum(t["share"] for t in explanation["terms"]) == pytest.approx(1, abs=1e-5)
    assert sum(x["share"] for x in explanation["features"]) == pytest.approx(1, abs=1e-5)
    assert all(i["title"] and i["share"] >= 0.05 for i in explanation["ipc"])
    # Results are built without validation (speed): the body must still fit the schema.
    MatchResponse.model_validate_json(response.content, strict=True)


def test_filters(client: TestClient, pool: dict[str, int]) -> None:
    text = "无人机 电池 混凝土 光伏"
    assert _top(client, {"text": text, "filters": {"regions": ["420000"]}}) and all(
        pid in (pool["drone"], pool["concrete"])
        for pid in _top(client, {"text": text, "filters": {"regions": ["420000"]}})
    )
    assert _top(client, {"text": text, "filters": {"ipc": ["H01M"]}}) == [pool["battery"]]
    assert _top(client, {"text": text, "filters": {"modes": ["license"]}}) == [pool["drone"]]
    assert _top(client, {"text": text, "filters": {"granted_after": "2023-01-01"}}) == [
        pool["drone"]
    ]
    assert _top(client, {"text": text, "filters": {"legal_statuses": ["lapsed"]}}) == []
    assert _top(client, {"text": text, "filters": {"open_license_only": True}}) == []
    assert _top(client, {"text": text, "filters": {"patent_types": ["design"]}}) == []


def test_lapsed_patents_are_excluded_by_default(client: TestClient, pool: dict[str, int]) -> None:
    client.patch(f"/v1/patents/{pool['battery']}", json={"legal_status": "失效-未缴年费"})
    assert pool["battery"] not in _top(client, {"text": "锂电池正极材料"})
    lapsed = {"text": "锂电池正极材料", "filters": {"legal_statuses": ["lapsed"]}}
    assert _top(client, lapsed) == [pool["battery"]]


def test_a_read_after_a_write_sees_the_write(client: TestClient, pool: dict[str, int]) -> None:
    body = {"text": "石墨烯散热膜"}
    assert _top(client, body) == []
    new = f.create(
        client,
        "/v1/patents",
        f.patent(title="石墨烯散热膜及其制备方法", abstract="石墨烯散热膜用于手机散热。"),
    )
    assert _top(client, body)[0] == new["id"]
    client.patch(f"/v1/patents/{new['id']}", json={"pool_status": "withdrawn"})
    assert new["id"] not in _top(client, body)
    client.patch(f"/v1/patents/{new['id']}", json={"pool_status": "in_pool"})
    assert _top(client, body)[0] == new["id"]
    client.delete(f"/v1/patents/{new['id']}")
    assert new["id"] not in _top(client, body)


def test_another_worker_sees_the_write(
    client: TestClient, client_for: Callable[..., TestClient], app: object, pool: dict[str, int]
) -> None:
    """Two app instances stand in for two uvicorn workers with separate indexes."""
    from app.main import create_app

    second_app = create_app(app.state.settings, app.state.sessionmaker)  # type: ignore[attr-defined]
    with TestClient(second_app) as second:
        key = client.post("/v1/api-keys", json={"name": "w2", "role": "portal"}).json()["key"]
        headers = {"Authorization": f"Bearer {key}"}
        created = f.create(client, "/v1/patents", f.patent(title="海水淡化反渗透膜组件"))
        found = second.post("/v1/match", json={"text": "海水淡化反渗透"}, headers=headers)
        assert found.json()["items"][0]["patent"]["id"] == created["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 5001},
        {"text": "无人机", "limit": 0},
        {"text": "无人机", "limit": 101},
        {"text": "a\x00b"},
        {"text": "无人机", "filters": {"sei": ["99.9"]}},
        {"text": "无人机", "filters": {"ipc": ["ZZ"]}},
        {},
    ],
)
def test_bad_match_requests_are_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/v1/match", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_words_give_an_empty_list(client: TestClient, pool: dict[str, int]) -> None:
    assert _top(client, {"text": "qwxz"}) == []


def test_stored_need_matches_and_scoping(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    mine = f.create(client, "/v1/enterprises", f.enterprise())
    other = f.create(client, "/v1/enterprises", f.enterprise())
    need = f.create(
        client, "/v1/needs", f.need(mine["id"], title="光伏组件胶膜平整", keywords=["光伏", "胶膜"])
    )
    foreign = f.create(client, "/v1/needs", f.need(other["id"], title="锂电池"))
    ent = client_for("enterprise", enterprise_id=mine["id"])
    response = ent.get(f"/v1/needs/{need['id']}/matches?limit=2")
    assert response.status_code == 200
    assert response.json()["items"][0]["patent"]["id"] == pool["pv"]
    assert len(response.json()["items"]) <= 2
    assert ent.get(f"/v1/needs/{foreign['id']}/matches").status_code == 404
    assert client.get("/v1/needs/999999/matches").status_code == 404
    assert client.get(f"/v1/needs/{need['id']}/matches?limit=101").status_code == 422


def test_patent_to_needs_masks_needs_for_institutions(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    ent = f.create(client, "/v1/enterprises", f.enterprise(name="巡检公司"))
    f.create(
        client,
        "/v1/needs",
        f.need(ent["id"], title="无人机巡检图像识别", description="输电线路无人机巡检"),
    )
    patent_id = pool["drone"]
    portal = client_for("portal").get(f"/v1/patents/{patent_id}/matches").json()
    assert portal["items"][0]["enterprise"]["name"] == "巡检公司"
    assert portal["items"][0]["need"]["title"] == "无人机巡检图像识别"
    owner = client.get(f"/v1/patents/{patent_id}").json()["institution_id"]
    inst = client_for("institution", institution_id=owner)
    masked = inst.get(f"/v1/patents/{patent_id}/matches").json()["items"][0]
    assert masked["enterprise"]["name"] == "巡检公司" and masked["need"] is None
    assert masked["explanation"]["terms"] == [] and "无人机巡检图像识别" not in str(masked)
    for summary in (masked["explanation"]["summary_zh"], masked["explanation"]["summary"]):
        assert summary.startswith("该企业的技术需求与本专利相关") and "巡检" not in summary
    other_patent = pool["battery"]
    assert inst.get(f"/v1/patents/{other_patent}/matches").status_code == 404


def test_writes_are_seen_with_known_terms(client: TestClient, pool: dict[str, int]) -> None:
    body = {"text": "无人机光伏巡检"}
    new = f.create(client, "/v1/patents", f.patent(title="光伏电站无人机巡检方法"))
    assert new["id"] in _top(client, body)
    client.patch(f"/v1/patents/{new['id']}", json={"pool_status": "withdrawn"})
    assert new["id"] not in _top(client, body)
    client.patch(f"/v1/patents/{new['id']}", json={"pool_status": "in_pool"})
    assert new["id"] in _top(client, body)
    client.delete(f"/v1/patents/{new['id']}")
    assert new["id"] not in _top(client, body)


def test_ready_reports_the_index(client: TestClient, pool: dict[str, int]) -> None:
    _top(client, {"text": "无人机"})  # catch up
    index = client.get("/ready").json()["index"]
    assert index["patents"] == 4 and index["version"] > 0 and index["last_refit"]
    rebuilt = client.post("/v1/admin/index/rebuild").json()
    assert rebuilt["patents"] == 4


def test_potential_licensees_one_row_per_enterprise_without_holders(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    names = ("甲公司", "乙公司", "丙公司", "丁公司")
    ents = {n: f.create(client, "/v1/enterprises", f.enterprise(name=n))["id"] for n in names}
    for name, ent in ents.items():
        for title in ("无人机巡检图像识别", "输电线路无人机巡检缺陷识别"):
            f.create(client, "/v1/needs", f.need(ent, title=title, description=f"{name}巡检"))
    patent_id = pool["drone"]
    owner = client.get(f"/v1/patents/{patent_id}").json()["institution_id"]
    inst = client_for("institution", institution_id=owner)
    deal = {"patent_ids": [patent_id], "enterprise_id": ents["乙公司"], "type": "exclusive_license"}
    deal_id = inst.post("/v1/deals", json=deal).json()["id"]
    for step in ("negotiating", "signed"):
        moved = inst.post(f"/v1/deals/{deal_id}/transition", json={"status": step})
        assert moved.status_code == 200, moved.text
    refusing = client_for("enterprise", enterprise_id=ents["丙公司"])
    said = refusing.post(f"/v1/patents/{patent_id}/feedback", json={"intent": "no_need"})
    assert said.status_code == 201, said.text

    items = inst.get(f"/v1/patents/{patent_id}/matches").json()["items"]
    assert sorted(i["enterprise"]["name"] for i in items) == ["丁公司", "甲公司"]
    assert [i["rank"] for i in items] == [1, 2]
    for item in items:
        summary = item["explanation"]["summary"]
        assert summary and "需求" in summary and "巡检" not in summary
    portal = client_for("portal").get(f"/v1/patents/{patent_id}/matches?limit=1").json()
    assert len(portal["items"]) == 1 and portal["items"][0]["need"]["title"]
