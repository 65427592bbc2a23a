"""Matching over profiles in both directions, through HTTP.

Patent → enterprises: one row per enterprise, need and profile evidence merged, need
text only for callers allowed to read it, holders and 无需求 answers left out.
Enterprise → patents (为您推荐): the profile as the query, paged and explained.
"""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests import factories as f
from tests.profiles.conftest import battery_maker


def _matches(caller: TestClient, patent: int, query: str = "") -> list[dict[str, Any]]:
    response = caller.get(f"/v1/patents/{patent}/matches{query}")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [i["enterprise"]["name"] for i in items]


def test_an_enterprise_without_needs_is_found_by_its_profile(
    client: TestClient, pool: dict[str, int]
) -> None:
    ent = f.create(client, "/v1/enterprises", battery_maker())["id"]
    items = _matches(client, pool["battery"])
    assert _names(items)[0] == "储能电池公司"
    top = items[0]
    assert top["enterprise"]["id"] == ent and top["enterprise"]["industry_code"] == "C3841"
    assert top["evidence"] == {"need": None, "profile": top["score"], "source": "profile"}
    assert top["need"] is None and top["explanation"]["summary_zh"]
    assert "储能电池公司" not in _names(_matches(client, pool["concrete"]))[:1]


def test_one_row_per_enterprise_and_need_text_only_for_those_allowed(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    hubei = {"region_code": "420100", "main_products": "巡检无人机"}  # the patent's province
    ent = f.create(client, "/v1/enterprises", f.enterprise(name="巡检公司", **hubei))
    for title in ("输电线路无人机巡检图像识别", "无人机巡检缺陷识别"):
        f.create(client, "/v1/needs", f.need(ent["id"], title=title, description="秘密的巡检方案"))
    henan = f.enterprise(name="河南巡检", main_products="巡检无人机")
    f.create(client, "/v1/enterprises", henan)
    province = client_for("province", province_code="420000")
    for caller in (client, client_for("portal"), province):
        items = _matches(caller, pool["drone"])
        assert _names(items).count("巡检公司") == 1
        row = items[_names(items).index("巡检公司")]
        assert row["evidence"]["need"] is not None and row["evidence"]["profile"] is not None
        assert row["score"] == max(row["evidence"]["need"], row["evidence"]["profile"])
        assert row["need"]["title"] in ("输电线路无人机巡检图像识别", "无人机巡检缺陷识别")
    assert "河南巡检" in _names(_matches(client, pool["drone"]))
    assert "河南巡检" not in _names(_matches(province, pool["drone"]))  # not its region
    owner = client_for("institution", institution_id=pool["inst"])
    row = _matches(owner, pool["drone"])[0]
    assert row["enterprise"]["name"] == "巡检公司" and row["need"] is None
    assert row["explanation"]["terms"] == [] and row["explanation"]["ipc"]
    assert "秘密" not in str(row) and "缺陷识别" not in str(row)
    assert (
        client_for("enterprise", enterprise_id=ent["id"])
        .get(f"/v1/patents/{pool['drone']}/matches")
        .status_code
        == 403
    )
    other = f.create(client, "/v1/institutions", f.institution())["id"]
    stranger = client_for("institution", institution_id=other)
    assert stranger.get(f"/v1/patents/{pool['drone']}/matches").status_code == 404


def test_holders_licensees_and_no_need_answers_are_left_out(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    names = ("甲电池", "乙电池", "丙电池", "丁电池")
    ents = {n: f.create(client, "/v1/enterprises", battery_maker(name=n))["id"] for n in names}
    assert sorted(_names(_matches(client, pool["battery"]))) == sorted(names)
    inst = client_for("institution", institution_id=pool["inst"])

    def deal(name: str, kind: str, steps: tuple[str, ...]) -> None:
        body = {"patent_ids": [pool["battery"]], "enterprise_id": ents[name], "type": kind}
        deal_id = inst.post("/v1/deals", json=body).json()["id"]
        for step in steps:
            extra = {"registration_number": "ZL-9", "registered_on": "2026-11-01"}
            moved = inst.post(f"/v1/deals/{deal_id}/transition", json={"status": step, **extra})
            assert moved.status_code == 200, moved.text

    deal("乙电池", "ordinary_license", ("negotiating", "signed"))  # a licensee
    refusing = client_for("enterprise", enterprise_id=ents["丙电池"])
    said = refusing.post(f"/v1/patents/{pool['battery']}/feedback", json={"intent": "no_need"})
    assert said.status_code == 201, said.text
    assert sorted(_names(_matches(client, pool["battery"]))) == ["丁电池", "甲电池"]
    deal("甲电池", "transfer", ("negotiating", "signed", "registered"))  # now the holder
    assert _names(_matches(client, pool["battery"])) == ["丁电池"]


def test_recommendations_rank_patents_for_the_profile(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    ent = f.create(client, "/v1/enterprises", battery_maker())["id"]
    me = client_for("enterprise", enterprise_id=ent)
    page = me.get(f"/v1/enterprises/{ent}/recommendations?limit=1").json()
    assert page["limit"] == 1 and page["offset"] == 0 and page["total"] >= 1
    top = page["items"][0]
    assert top["patent"]["id"] == pool["battery"] and top["rank"] == 1
    assert top["explanation"]["summary_zh"] and top["explanation"]["terms"]
    if page["total"] > 1:
        second = me.get(f"/v1/enterprises/{ent}/recommendations?limit=1&offset=1").json()
        assert second["items"][0]["patent"]["id"] != pool["battery"]
    filtered = me.get(f"/v1/enterprises/{ent}/recommendations?ipc=E04B").json()
    assert [i["patent"]["id"] for i in filtered["items"]] in ([], [pool["concrete"]])
    said = me.post(f"/v1/patents/{pool['battery']}/feedback", json={"intent": "no_need"})
    assert said.status_code == 201
    again = me.get(f"/v1/enterprises/{ent}/recommendations").json()["items"]
    assert pool["battery"] not in [i["patent"]["id"] for i in again]


def test_recommendations_readers(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    ent = f.create(client, "/v1/enterprises", battery_maker())["id"]  # in Henan
    other = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    path = f"/v1/enterprises/{ent}/recommendations"
    expected = {
        client: 200,
        client_for("portal"): 200,
        client_for("enterprise", enterprise_id=ent): 200,
        client_for("enterprise", enterprise_id=other): 404,
        client_for("province", province_code="410000"): 200,
        client_for("province", province_code="420000"): 404,
        client_for("institution", institution_id=pool["inst"]): 403,
    }
    assert {c: c.get(path).status_code for c in expected} == expected


def _shared_terms(caller: TestClient, patent: int, name: str) -> str:
    rows = [i for i in _matches(caller, patent) if i["enterprise"]["name"] == name]
    return " ".join(t["term"] for r in rows for t in r["explanation"]["terms"])


def test_a_profile_edit_is_seen_by_the_next_match(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    ent = f.create(client, "/v1/enterprises", battery_maker())["id"]
    assert "光伏" not in _shared_terms(client, pool["pv"], "储能电池公司")
    edit = {"main_products": "光伏组件层压机、胶膜平整设备", "industry_code": None}
    assert client.patch(f"/v1/enterprises/{ent}", json=edit).status_code == 200
    assert "光伏" in _shared_terms(client, pool["pv"], "储能电池公司")
    me = client_for("enterprise", enterprise_id=ent)
    top = me.get(f"/v1/enterprises/{ent}/recommendations").json()["items"][0]
    assert top["patent"]["id"] == pool["pv"]
    # A positive intent enters the profile, and the profile index, at once.
    assert "混凝土" not in _shared_terms(client, pool["concrete"], "储能电池公司")
    said = me.post(f"/v1/patents/{pool['concrete']}/feedback", json={"intent": "cooperation"})
    assert said.status_code == 201
    profile = me.get(f"/v1/enterprises/{ent}/profile").json()
    assert "intents" in [s["source"] for s in profile["sources"]]
    assert "混凝土" in _shared_terms(client, pool["concrete"], "储能电池公司")
