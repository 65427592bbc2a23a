"""Feedback privacy, open licensing rules, deal workflow."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests import factories as f

ClientFor = Callable[..., TestClient]
TERMS = {
    "fee_type": "one_off",
    "one_off_fee": "80000",
    "payment_method": "银行转账",
    "term_years": 3,
}


@dataclass
class Setup:
    patent: int
    inst: int
    a: int
    b: int
    owner: TestClient
    ent_a: TestClient
    ent_b: TestClient
    portal: TestClient


@pytest.fixture
def setup(client: TestClient, client_for: ClientFor) -> Setup:
    inst = f.create(client, "/v1/institutions", f.institution())["id"]
    patent = f.create(client, "/v1/patents", f.patent(institution_id=inst, title="无人机巡检图像"))
    a = f.create(client, "/v1/enterprises", f.enterprise(name="甲公司", contact_phone="111"))
    b = f.create(client, "/v1/enterprises", f.enterprise(name="乙公司", contact_phone="222"))
    return Setup(
        patent["id"],
        inst,
        a["id"],
        b["id"],
        owner=client_for("institution", institution_id=inst),
        ent_a=client_for("enterprise", enterprise_id=a["id"]),
        ent_b=client_for("enterprise", enterprise_id=b["id"]),
        portal=client_for("portal"),
    )


def test_feedback_privacy_and_history(setup: Setup) -> None:
    pid, a, b, owner, portal = setup.patent, setup.ent_a, setup.ent_b, setup.owner, setup.portal
    url = f"/v1/patents/{pid}/feedback"
    rating = {"market": 4, "maturity": 3, "difficulty": 5, "comment": "市场前景好"}
    assert a.post(url, json={"intent": "license", "share_contact": True}).status_code == 201
    assert (
        a.post(
            url,
            json={
                "intent": "transfer",
                "rating": rating,
                "share_contact": True,
                "show_author": False,
            },
        ).status_code
        == 201
    )
    b.post(url, json={"intent": "cooperation", "rating": {**rating, "market": 2}})
    own = a.get(url).json()
    assert [x["intent"] for x in own] == ["transfer", "license"]  # current + history
    assert [x["is_current"] for x in own] == [True, False]
    assert all(x["enterprise"]["name"] == "甲公司" for x in own)
    by_owner = {x["enterprise"]["name"]: x for x in owner.get(url).json()}
    assert by_owner["甲公司"]["enterprise"]["contact_phone"] == "111"  # opted in
    assert by_owner["乙公司"]["enterprise"]["contact_phone"] is None
    assert all(x["enterprise"] is None for x in portal.get(url).json())
    assert "甲公司" not in b.get(url).text
    summary = b.get(f"/v1/patents/{pid}/ratings").json()
    assert summary["count"] == 2 and summary["market"] == 3.0 and summary["difficulty"] == 5.0
    assert summary["comments"][0]["author"] is None  # no consent
    bad = a.post(url, json={"intent": "buy"})
    assert bad.status_code == 422


def test_no_need_is_never_proposed_again(setup: Setup) -> None:
    a = setup.ent_a
    body = {"text": "无人机巡检图像"}
    assert a.post("/v1/match", json=body).json()["items"]
    a.post(f"/v1/patents/{setup.patent}/feedback", json={"intent": "no_need"})
    assert a.post("/v1/match", json=body).json()["items"] == []
    assert setup.ent_b.post("/v1/match", json=body).json()["items"]


def test_open_licence_rules(client: TestClient, client_for: ClientFor, setup: Setup) -> None:
    owner, a, b, pid = setup.owner, setup.ent_a, setup.ent_b, setup.patent
    url = f"/v1/patents/{pid}/open-license"
    missing = owner.post(url, json={**TERMS, "fee_type": "entry_plus_royalty"})
    assert missing.status_code == 409 and missing.json()["errors"][0]["field"] == "entry_fee"
    lapsed = f.create(
        client, "/v1/patents", f.patent(institution_id=setup.inst, legal_status="失效-未缴年费")
    )
    refused = owner.post(f"/v1/patents/{lapsed['id']}/open-license", json=TERMS)
    assert refused.status_code == 409 and "not valid" in refused.json()["detail"]
    utility = f.create(
        client, "/v1/patents", f.patent(institution_id=setup.inst, patent_type="utility_model")
    )
    no_report = owner.post(f"/v1/patents/{utility['id']}/open-license", json=TERMS)
    assert no_report.status_code == 409
    assert no_report.json()["errors"][0]["field"] == "evaluation_report"
    expensive = owner.post(url, json={**TERMS, "one_off_fee": "30000000"})
    assert expensive.status_code == 201 and expensive.json()["advice"]  # advice, not refusal
    licence = expensive.json()["id"]
    assert a.post(f"/v1/open-licenses/{licence}/acceptances").status_code == 201
    assert b.post(f"/v1/open-licenses/{licence}/acceptances").status_code == 201  # 一对多
    assert a.post(f"/v1/open-licenses/{licence}/acceptances").status_code == 409
    exclusive = {"patent_ids": [pid], "enterprise_id": setup.a, "type": "exclusive_license"}
    assert owner.post("/v1/deals", json=exclusive).status_code == 409
    found = a.post("/v1/match", json={"text": "无人机巡检图像"}).json()["items"][0]
    assert found["patent"]["open_license_id"] == licence
    assert owner.post(f"/v1/open-licenses/{licence}/withdraw").json()["status"] == "withdrawn"
    found = a.post("/v1/match", json={"text": "无人机巡检图像"}).json()["items"][0]
    assert found["patent"]["open_license_id"] is None  # only declared terms are shown
    assert setup.portal.post(f"/v1/open-licenses/{licence}/acceptances").status_code == 403
    c = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    late = client_for("enterprise", enterprise_id=c)
    assert late.post(f"/v1/open-licenses/{licence}/acceptances").status_code == 409
    accepted = owner.get(f"/v1/open-licenses/{licence}/acceptances").json()
    assert len(accepted) == 2  # withdrawal never touches existing licences


def test_deal_workflow_and_transfer_registration(client: TestClient, setup: Setup) -> None:
    owner, pid = setup.owner, setup.patent
    deal = owner.post(
        "/v1/deals",
        json={
            "patent_ids": [pid],
            "enterprise_id": setup.a,
            "type": "transfer",
            "amount": "500000",
        },
    ).json()
    step = f"/v1/deals/{deal['id']}/transition"
    assert owner.post(step, json={"status": "signed"}).status_code == 409
    for status in ("negotiating", "signed"):
        assert owner.post(step, json={"status": status}).json()["status"] == status
    incomplete = owner.post(step, json={"status": "registered"})
    assert incomplete.status_code == 409
    done = owner.post(
        step,
        json={
            "status": "registered",
            "registration_number": "ZL-2026-1",
            "registered_on": "2026-11-01",
        },
    ).json()
    assert done["status"] == "registered" and done["registration_number"] == "ZL-2026-1"
    patent = client.get(f"/v1/patents/{pid}").json()
    assert patent["pool_status"] == "withdrawn"
    assert owner.post(step, json={"status": "negotiating"}).status_code == 409
    assert setup.ent_a.get(f"/v1/deals/{deal['id']}").status_code == 200
    assert setup.ent_b.get(f"/v1/deals/{deal['id']}").status_code == 404
    assert client.delete(f"/v1/patents/{pid}").status_code == 409
