"""Feeds as a new user meets them: criteria required, needs named by title, a secret Atom
URL for feed readers, the watchlist and open-licence acceptances with patent summaries."""

import hashlib
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.feeds.schemas import CRITERIA
from tests import factories as f
from tests.feeds.conftest import RunWorker, Shop, feed, import_patents, subscribe

ATOM = "{http://www.w3.org/2005/Atom}"
DRONE = {
    "title": "一种无人机巡检图像采集装置",
    "abstract": "无人机搭载摄像头对输电线路进行巡检，实时识别绝缘子缺陷。",
    "ipc_codes": ["B64U20/80", "H04N7/18"],
}


def _subs(shop: Shop) -> str:
    return f"/v1/enterprises/{shop.enterprise_id}/subscriptions"


def test_a_subscription_without_criteria_is_refused(shop: Shop) -> None:
    response = shop.client.post(_subs(shop), json={"name": "全部", "min_score": 0.5})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"].startswith("订阅至少需要一个条件：")
    assert "a subscription needs at least one criterion" in body["detail"]
    assert {e["field"] for e in body["errors"]} == set(CRITERIA)
    assert body["errors"][0]["message"] == "至少填写一项订阅条件 / give at least one criterion"
    assert shop.client.get(_subs(shop)).json()["total"] == 0


def test_clearing_every_criterion_is_refused(shop: Shop) -> None:
    sub = subscribe(shop, keywords=["无人机"])
    cleared = shop.client.patch(f"{_subs(shop)}/{sub['id']}", json={"keywords": []})
    assert cleared.status_code == 422, cleared.text
    assert shop.client.get(f"{_subs(shop)}/{sub['id']}").json()["keywords"] == ["无人机"]
    swapped = shop.client.patch(
        f"{_subs(shop)}/{sub['id']}", json={"keywords": [], "open_license_only": True}
    )
    assert swapped.status_code == 200, swapped.text


def test_feed_items_name_needs_by_title(
    client: TestClient, shop: Shop, run_worker: RunWorker
) -> None:
    need = f.create(
        shop.client, "/v1/needs", f.need(shop.enterprise_id, title="输电线路无人机巡检缺陷识别")
    )
    subscribe(shop, all_needs=True)
    import_patents(client, shop.institution_id, f.patent(**DRONE))
    run_worker()
    (item,) = feed(shop)
    explanation = item["explanation"]
    assert explanation["need_id"] == need["id"]
    assert explanation["need_title"] == "输电线路无人机巡检缺陷识别"
    assert explanation["summary"].startswith("匹配需求「输电线路无人机巡检缺陷识别」：")
    assert f"#{need['id']}" not in explanation["summary"]


def _token(shop: Shop) -> dict[str, Any]:
    response = shop.client.post(f"/v1/enterprises/{shop.enterprise_id}/feed-token")
    assert response.status_code == 201, response.text
    return dict(response.json())


def _entries(response: Any) -> list[ET.Element]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_secret_atom_url_works_without_a_key(
    client: TestClient, anon: TestClient, shop: Shop, run_worker: RunWorker
) -> None:
    subscribe(shop, keywords=["无人机"])
    (pid,) = import_patents(client, shop.institution_id, f.patent(**DRONE))
    run_worker()
    created = _token(shop)
    token, url = created["token"], created["url"]
    assert url == f"http://testserver/v1/feeds/{token}.atom" and token.startswith("pf_")
    response = anon.get(f"/v1/feeds/{token}.atom")
    (entry,) = _entries(response)
    root = ET.fromstring(response.content)
    company = client.get(f"/v1/enterprises/{shop.enterprise_id}").json()["name"]
    assert root.findtext(f"{ATOM}title") == f"盘活 专利推送 · {company}"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == url  # type: ignore[union-attr]
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == f"http://testserver/console/patents/{pid}"
    # The API's own Atom route links to the console too.
    keyed = shop.client.get(f"/v1/enterprises/{shop.enterprise_id}/feed.atom")
    (keyed_entry,) = _entries(keyed)
    assert keyed_entry.find(f"{ATOM}link").get("href").endswith(f"/console/patents/{pid}")  # type: ignore[union-attr]


def test_feed_token_is_stored_hashed_rotated_and_revoked(
    anon: TestClient, shop: Shop, db: Session
) -> None:
    first = _token(shop)["token"]
    stored = db.scalars(text("SELECT token_hash FROM feed_tokens")).all()
    assert stored == [hashlib.sha256(first.encode()).hexdigest()]
    second = _token(shop)["token"]
    assert second != first
    gone = anon.get(f"/v1/feeds/{first}.atom")
    assert gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["detail"] == "订阅源地址无效或已撤销 / unknown or revoked feed URL"
    assert anon.get(f"/v1/feeds/{second}.atom").status_code == 200
    path = f"/v1/enterprises/{shop.enterprise_id}/feed-token"
    assert shop.client.delete(path).status_code == 204
    assert shop.client.delete(path).status_code == 204  # revoking twice changes nothing
    assert anon.get(f"/v1/feeds/{second}.atom").status_code == 404
    assert anon.get("/v1/feeds/pf_guess.atom").status_code == 404


def test_another_enterprise_cannot_make_my_feed_url(
    client_for: Any, client: TestClient, shop: Shop
) -> None:
    other = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    stranger = client_for("enterprise", enterprise_id=other)
    response = stranger.post(f"/v1/enterprises/{shop.enterprise_id}/feed-token")
    assert response.status_code == 404


def test_watchlist_returns_patent_summaries(client: TestClient, shop: Shop) -> None:
    institution = client.get(f"/v1/institutions/{shop.institution_id}").json()
    created = f.create(client, "/v1/patents", f.patent(**DRONE, institution_id=shop.institution_id))
    base = f"/v1/enterprises/{shop.enterprise_id}/watchlist"
    watched = shop.client.post(f"{base}/{created['id']}")
    assert watched.status_code == 201, watched.text
    expected = {
        "id": created["id"],
        "application_number": created["application_number"],
        "title": DRONE["title"],
        "legal_status": "valid",
        "institution_id": shop.institution_id,
        "institution_name": institution["name"],
    }
    assert watched.json()["patent"] == expected
    (entry,) = shop.client.get(base).json()["items"]
    assert entry["patent_id"] == created["id"] and entry["patent"] == expected


def test_enterprise_lists_its_own_open_licence_acceptances(
    client: TestClient, client_for: Any, shop: Shop
) -> None:
    patent = f.create(client, "/v1/patents", f.patent(institution_id=shop.institution_id))
    terms = {"fee_type": "一次性支付", "one_off_fee": "10000", "payment_method": "转账"}
    licence = f.create(
        client, f"/v1/patents/{patent['id']}/open-license", terms | {"term_years": 3}
    )
    accepted = f.create(shop.client, f"/v1/open-licenses/{licence['id']}/acceptances", {})
    other = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    stranger = client_for("enterprise", enterprise_id=other)
    f.create(stranger, f"/v1/open-licenses/{licence['id']}/acceptances", {})

    mine = shop.client.get(f"/v1/open-licenses/{licence['id']}/acceptances")
    assert mine.status_code == 200, mine.text
    assert [a["id"] for a in mine.json()] == [accepted["id"]]  # not the other enterprise's
    assert len(client.get(f"/v1/open-licenses/{licence['id']}/acceptances").json()) == 2

    listed = shop.client.get(f"/v1/enterprises/{shop.enterprise_id}/open-license-acceptances")
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert item["id"] == accepted["id"] and item["fee_type"] == "one_off"
    assert item["patent"]["application_number"] == patent["application_number"]
    foreign = stranger.get(f"/v1/enterprises/{shop.enterprise_id}/open-license-acceptances")
    assert foreign.status_code == 404
