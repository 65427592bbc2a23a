"""GET /v1/enterprises/{id}/profile: what the profile holds and where it came from."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests import factories as f
from tests.profiles.conftest import battery_maker


def test_directory_fields_fill_the_profile(client: TestClient, pool: dict[str, int]) -> None:
    ent = f.create(client, "/v1/enterprises", battery_maker())["id"]
    profile = client.get(f"/v1/enterprises/{ent}/profile").json()
    sources = [s["source"] for s in profile["sources"]]
    assert sources == ["main_products", "business_scope", "description", "industry"]
    terms = [t["term"] for t in profile["terms"]]
    assert "正极" in terms and "技术转让" not in terms and "营业执照" not in terms
    assert profile["enterprise"]["industry_code"] == "C3841"
    assert profile["needs"] == {"total": 0, "open": 0}


def test_needs_patents_and_intents_are_sources(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    ent = f.create(client, "/v1/enterprises", f.enterprise(name="巡检公司"))["id"]
    f.create(client, "/v1/needs", f.need(ent, title="输电线路巡检机器人", ipc_hints=["B25J5/00"]))
    me = client_for("enterprise", enterprise_id=ent)
    said = me.post(f"/v1/patents/{pool['drone']}/feedback", json={"intent": "license"})
    assert said.status_code == 201, said.text
    inst = client_for("institution", institution_id=pool["inst"])
    deal = {"patent_ids": [pool["pv"]], "enterprise_id": ent, "type": "transfer"}
    deal_id = inst.post("/v1/deals", json=deal).json()["id"]
    for step in ("negotiating", "signed", "registered"):
        body = {"status": step, "registration_number": "ZL-1", "registered_on": "2026-11-01"}
        moved = inst.post(f"/v1/deals/{deal_id}/transition", json=body)
        assert moved.status_code == 200, moved.text

    profile = me.get(f"/v1/enterprises/{ent}/profile").json()
    counts = {s["source"]: (s["texts"], s["ipc_codes"]) for s in profile["sources"]}
    assert counts == {
        "patents_held": (1, 1),  # the registered transfer
        "patents_licensed": (1, 1),  # the same deal, signed
        "needs": (1, 1),
        "intents": (1, 1),
    }
    held = {i["code"] for i in profile["ipc"] if i["source"] == "held"}
    assert held == {"H02S", "B64U", "B25J"}
    assert {s["code"] for s in profile["sei"]}  # the IPC areas map to SEI categories
    assert profile["intents"] == {"license": 1}


def test_profile_readers(
    client: TestClient, client_for: Callable[..., TestClient], pool: dict[str, int]
) -> None:
    ent = f.create(client, "/v1/enterprises", battery_maker())["id"]  # in Henan (410100)
    other = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    path = f"/v1/enterprises/{ent}/profile"
    assert client_for("enterprise", enterprise_id=ent).get(path).status_code == 200
    assert client_for("enterprise", enterprise_id=other).get(path).status_code == 404
    assert client_for("portal").get(path).status_code == 200
    assert client_for("province", province_code="410000").get(path).status_code == 200
    assert client_for("province", province_code="420000").get(path).status_code == 404
    institution = client_for("institution", institution_id=pool["inst"])
    assert institution.get(path).status_code == 403  # built from confidential needs
