"""Statistics equal hand-computed values; screening order; scoping."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests import factories as f


def _world(client: TestClient, client_for: Callable[..., TestClient]) -> dict[str, int]:
    inst = f.create(client, "/v1/institutions", f.institution(region_code="420100"))["id"]
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]

    def patent(**over: object) -> int:
        body = f.patent(institution_id=inst, filing_date="2014-03-01", **over)
        return int(f.create(client, "/v1/patents", body)["id"])

    ids = {
        "p1": patent(grant_date="2015-06-01", implementation_status="implemented", value_grade="A"),
        "p2": patent(grant_date="2015-06-01", value_grade="B"),
        "p3": patent(grant_date="2015-06-01"),
        "p4": patent(grant_date="2015-06-01", state_funded=True, value_grade="C"),
        "p5": patent(legal_status="pending"),
        "p6": patent(legal_status="lapsed"),
    }
    owner = client_for("institution", institution_id=inst)
    licence = owner.post(
        "/v1/deals",
        json={
            "patent_ids": [ids["p2"]],
            "enterprise_id": ent,
            "type": "ordinary_license",
            "amount": "5000",
        },
    ).json()
    _walk(owner, licence["id"], "industrialized", "2026-11-02")
    transfer = owner.post(
        "/v1/deals",
        json={
            "patent_ids": [ids["p3"]],
            "enterprise_id": ent,
            "type": "transfer",
            "amount": "100000",
        },
    ).json()
    _walk(owner, transfer["id"], "registered", "2026-10-15")
    buyer = client_for("enterprise", enterprise_id=ent)
    buyer.post(f"/v1/patents/{ids['p4']}/feedback", json={"intent": "license"})
    buyer.post(f"/v1/patents/{ids['p1']}/feedback", json={"intent": "no_need"})
    return {**ids, "inst": inst, "ent": ent}


def _walk(owner: TestClient, deal: int, last: str, registered_on: str) -> None:
    for status in ("negotiating", "signed", "registered", "implemented", "industrialized"):
        body = {"status": status, "registration_number": "R-1", "registered_on": registered_on}
        assert owner.post(f"/v1/deals/{deal}/transition", json=body).status_code == 200
        if status == last:
            return


def test_summary_equals_hand_computed(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    _world(client, client_for)
    data = client.get("/v1/stats/summary").json()
    # Valid pool: p1, p2, p4 (p3 was transferred out); implemented: p1, p2 (licence reached
    # 实施); industrialized: p2.
    assert data["rates"] == {
        "implementation_rate": 0.6667,
        "industrialization_rate": 0.3333,
        "valid_pool_patents": 3,
        "implemented": 2,
        "industrialized_patents": 1,
    }
    assert data["outcomes"]["transfers_registered"] == 1
    assert data["outcomes"]["licences_filed"] == 1
    assert data["outcomes"]["amount_total"] == 105000.0
    assert [(m["month"], m["transfers"], m["licences"]) for m in data["by_month"]] == [
        ("2026-10", 1, 0),
        ("2026-11", 0, 1),
    ]
    funnel = data["funnel"]
    assert funnel["in_pool"] == 5 and funnel["intents"] == {"license": 1, "no_need": 1}
    assert funnel["deals"]["registered"] == 1 and funnel["deals"]["industrialized"] == 1
    october = client.get("/v1/stats/summary?until=2026-10-31").json()
    assert october["outcomes"]["licences_filed"] == 0
    assert list(data)[:3] == ["filters", "rates", "outcomes"]  # rates lead, counts follow


def test_scoping_and_export(client: TestClient, client_for: Callable[..., TestClient]) -> None:
    ids = _world(client, client_for)
    hubei = client_for("province", province_code="420000")
    assert hubei.get("/v1/stats/summary").json()["rates"]["valid_pool_patents"] == 3
    assert hubei.get("/v1/stats/summary?province=410000").status_code == 404
    henan = client_for("province", province_code="410000")
    assert henan.get("/v1/stats/summary").json()["rates"]["valid_pool_patents"] == 0
    other = f.create(client, "/v1/institutions", f.institution())["id"]
    inst = client_for("institution", institution_id=ids["inst"])
    assert inst.get(f"/v1/stats/summary?institution_id={other}").status_code == 404
    assert (
        client_for("enterprise", enterprise_id=ids["ent"]).get("/v1/stats/summary").status_code
        == 403
    )
    exported = client.get("/v1/stats/export?format=csv&table=rates")
    assert "实施率,66.67%" in exported.content.decode("utf-8-sig")
    assert client.get("/v1/stats/export?format=xlsx").content[:2] == b"PK"


def test_screening(client: TestClient, client_for: Callable[..., TestClient]) -> None:
    ids = _world(client, client_for)
    ranked = client.get("/v1/patents/screening/high-value").json()
    order = [item["patent_id"] for item in ranked["items"]]
    assert order.index(ids["p1"]) < order.index(ids["p4"]) < order.index(ids["p5"])
    assert ids["p6"] not in order  # lapsed: nothing left to value
    top = ranked["items"][0]
    assert top["score"] == round(sum(top["breakdown"].values()), 2)
    assert top["institution_id"] == ids["inst"] and top["institution_name"] == "示例大学"
    assert top["application_number"].startswith("CN") and top["legal_status"] == "valid"
    sleeping = client.get("/v1/patents/screening/sleeping?years=5").json()
    assert [i["patent_id"] for i in sleeping["items"]] == [ids["p4"]]  # p1 implemented
    assert sleeping["items"][0]["state_funded_5y"] is True
    assert sleeping["items"][0]["institution_name"] == "示例大学"
    assert client.get("/v1/patents/screening/sleeping?years=0").status_code == 422


def test_profiles(client: TestClient, client_for: Callable[..., TestClient]) -> None:
    ids = _world(client, client_for)
    profile = client.get(f"/v1/institutions/{ids['inst']}/profile").json()
    assert profile["pool_size"] == 5 and profile["rates"]["valid_pool_patents"] == 3
    assert profile["ipc_sections"] == {"G": 5}  # factory patents are G06T7/00 first
    assert profile["deals"]["industrialized"] == 1
    f.create(
        client,
        "/v1/needs",
        f.need(ids["ent"], keywords=["无人机", "巡检"], ipc_hints=["B64U20/80"]),
    )
    ent = client_for("enterprise", enterprise_id=ids["ent"])
    mine = ent.get(f"/v1/enterprises/{ids['ent']}/profile").json()
    assert mine["needs"] == {"total": 1, "open": 1}
    assert mine["watched_fields"] == [{"ipc_subclass": "B64U", "needs": 1}]
    assert mine["intents"] == {"license": 1, "no_need": 1}
    other = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    assert ent.get(f"/v1/enterprises/{other}/profile").status_code == 404
    henan = client_for("province", province_code="410000")
    assert henan.get(f"/v1/institutions/{ids['inst']}/profile").status_code == 404
