"""Feedback flows into matching: ratings rank, 无需求 excludes (also in batch runs),
similar enterprises' positive intents raise similar patents."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests import factories as f

ClientFor = Callable[..., TestClient]
GOOD = {"market": 5, "maturity": 5, "difficulty": 5}


def _patent(client: TestClient, title: str, ipc: list[str]) -> int:
    return int(
        f.create(client, "/v1/patents", f.patent(title=title, abstract="", ipc_codes=ipc))["id"]
    )


def _ranked(client: TestClient, text: str) -> list[int]:
    response = client.post("/v1/match", json={"text": text})
    assert response.status_code == 200, response.text
    return [item["patent"]["id"] for item in response.json()["items"]]


def _enterprise(client: TestClient, client_for: ClientFor, **over: str) -> TestClient:
    ent = f.create(client, "/v1/enterprises", f.enterprise(**over))["id"]
    return client_for("enterprise", enterprise_id=ent)


def test_well_rated_patent_rises(client: TestClient, client_for: ClientFor) -> None:
    first = _patent(client, "锂电池正极材料", ["H01M4/00"])
    twin = _patent(client, "锂电池正极材料", ["H01M4/00"])  # same text: ties break on id
    assert _ranked(client, "锂电池正极材料")[:2] == [first, twin]
    raters = [_enterprise(client, client_for) for _ in range(4)]
    for rater in raters:
        body = {"intent": "cooperation", "rating": GOOD}
        assert rater.post(f"/v1/patents/{twin}/feedback", json=body).status_code == 201
    items = client.post("/v1/match", json={"text": "锂电池正极材料"}).json()["items"]
    assert [i["patent"]["id"] for i in items[:2]] == [twin, first]
    rating = next(x for x in items[0]["explanation"]["features"] if x["feature"] == "rating")
    assert rating["value"] == round(4 * 2 / (2 * (4 + 3)), 6)  # shrunk toward neutral
    assert "产业化前景评价5.0分（4家企业）" in items[0]["explanation"]["summary"]
    assert all(x["feature"] != "rating" for x in items[1]["explanation"]["features"])


def test_batch_runs_exclude_no_need_patents(client: TestClient, client_for: ClientFor) -> None:
    drone = _patent(client, "无人机巡检图像采集装置", ["B64U20/80"])
    a = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    b = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    need_a = f.create(client, "/v1/needs", f.need(a, title="无人机巡检"))["id"]
    need_b = f.create(client, "/v1/needs", f.need(b, title="无人机巡检"))["id"]
    answer = {"intent": "no_need"}
    ent_a = client_for("enterprise", enterprise_id=a)
    assert ent_a.post(f"/v1/patents/{drone}/feedback", json=answer).status_code == 201
    run = client.post("/v1/match-runs", json={"per_need": 5}).json()
    page = client.get(f"/v1/match-runs/{run['id']}/results").json()
    found = {i["need_id"]: [m["patent_id"] for m in i["matches"]] for i in page["items"]}
    assert found.get(need_a, []) == [] and found[need_b] == [drone]


def test_similar_enterprise_intent_raises_a_similar_patent(
    client: TestClient, client_for: ClientFor
) -> None:
    cathode = _patent(client, "锂电池正极", ["H01M4/00"])
    recycle = _patent(client, "锂电池回收", ["H01M4/00"])
    liked = _patent(client, "废旧电池回收方法", ["H01M10/54"])
    asker = _enterprise(client, client_for, industry_code="C3841", region_code="410100")
    assert _ranked(asker, "锂电池")[:2] == [cathode, recycle]
    other = _enterprise(client, client_for, industry_code="A0111", region_code="420100")
    assert (
        other.post(f"/v1/patents/{liked}/feedback", json={"intent": "license"}).status_code == 201
    )
    assert _ranked(asker, "锂电池")[:2] == [cathode, recycle]  # not a peer: no effect
    peer = _enterprise(client, client_for, industry_code="C3841", region_code="420100")
    assert peer.post(f"/v1/patents/{liked}/feedback", json={"intent": "license"}).status_code == 201
    items = asker.post("/v1/match", json={"text": "锂电池"}).json()["items"]
    assert [i["patent"]["id"] for i in items[:2]] == [recycle, cathode]
    assert "相似企业对相似专利表达过许可意向" in items[0]["explanation"]["summary"]
    boost = [x for x in items[0]["explanation"]["features"] if x["feature"] == "peer_intent"]
    assert boost and 0 < boost[0]["contribution"] <= 0.1
    assert _ranked(client, "锂电池")[:2] == [cathode, recycle]  # no asker, no peers
