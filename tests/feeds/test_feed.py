"""Subscriptions and watchlist API, cursor paging, Atom, marks, digest quota, scope."""

from collections.abc import Callable
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient

from app.feeds.digest import today
from tests import factories as f
from tests.feeds.conftest import RunWorker, Shop, feed, import_patents, subscribe
from tests.feeds.test_push import DRONE

ATOM = "{http://www.w3.org/2005/Atom}"


def _drones(n: int, title: str = "一种无人机巡检装置") -> list[dict[str, object]]:
    return [f.patent(**{**DRONE, "title": f"{title}{i}"}) for i in range(n)]


def test_subscription_crud_pause_resume_and_need_scope(
    client: TestClient, shop: Shop, client_for: Callable[..., TestClient]
) -> None:
    base = f"/v1/enterprises/{shop.enterprise_id}/subscriptions"
    other = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    foreign_need = f.create(client, "/v1/needs", f.need(other))["id"]
    bad = shop.client.post(base, json={"name": "x", "need_ids": [foreign_need]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "need_ids"
    assert shop.client.post(base, json={"name": "x", "sei": ["99.9"]}).status_code == 422
    sub = subscribe(shop, keywords=["无人机", "无人机"], ipc_prefixes=["g06f"], quota=5)
    assert sub["keywords"] == ["无人机"] and sub["ipc_prefixes"] == ["G06F"] and sub["active"]
    sid = sub["id"]
    assert shop.client.post(f"{base}/{sid}/pause").json()["active"] is False
    assert shop.client.post(f"{base}/{sid}/resume").json()["active"] is True
    patched = shop.client.patch(f"{base}/{sid}", json={"min_score": 0.5, "modes": ["license"]})
    assert patched.json()["min_score"] == 0.5 and patched.json()["modes"] == ["license"]
    assert shop.client.patch(f"{base}/{sid}", json={"keywords": None}).status_code == 422
    assert shop.client.get(base).json()["total"] == 1
    # Another enterprise's key: 404, never 403, on this enterprise's rows.
    stranger = client_for("enterprise", enterprise_id=other)
    assert stranger.get(f"{base}/{sid}").status_code == 404
    assert stranger.get(f"/v1/enterprises/{shop.enterprise_id}/feed").status_code == 404
    portal = client_for("portal")
    assert portal.get(f"{base}/{sid}").status_code == 200
    assert (
        portal.post(
            f"/v1/enterprises/{shop.enterprise_id}/feed/read", json={"item_ids": [1]}
        ).status_code
        == 403
    )
    assert shop.client.delete(f"{base}/{sid}").status_code == 204
    assert shop.client.get(f"{base}/{sid}").status_code == 404


def test_watchlist_changes_reach_the_feed_once_per_state(
    client: TestClient, shop: Shop, run_worker: RunWorker
) -> None:
    (pid,) = import_patents(client, shop.institution_id, f.patent(**DRONE))
    run_worker()
    base = f"/v1/enterprises/{shop.enterprise_id}/watchlist"
    assert shop.client.post(f"{base}/{pid}").status_code == 201
    assert shop.client.post(f"{base}/{pid}").status_code == 201  # idempotent
    assert shop.client.post(f"{base}/999999").status_code == 404
    assert [w["patent_id"] for w in shop.client.get(base).json()["items"]] == [pid]
    client.patch(f"/v1/patents/{pid}", json={"title": "只改标题"})  # not a status change
    run_worker()
    assert feed(shop) == []
    client.patch(f"/v1/patents/{pid}", json={"legal_status": "lapsed"})
    run_worker()
    client.patch(f"/v1/patents/{pid}", json={"value_grade": "A"})
    run_worker()
    items = feed(shop)
    assert [(i["reason"], i["explanation"]["changes"]) for i in items] == [
        ("watch", {"legal_status": ["valid", "lapsed"]})
    ]
    assert shop.client.delete(f"{base}/{pid}").status_code == 204
    assert shop.client.delete(f"{base}/{pid}").status_code == 404


def test_cursor_paging_under_concurrent_inserts(
    client: TestClient, shop: Shop, run_worker: RunWorker
) -> None:
    subscribe(shop, keywords=["无人机"])
    import_patents(client, shop.institution_id, *_drones(5))
    run_worker()
    path = f"/v1/enterprises/{shop.enterprise_id}/feed"
    seen, cursor, newest_first = [], None, []
    first = shop.client.get(path, params={"limit": 2, "order": "desc"}).json()
    newest_first += [i["id"] for i in first["items"]]
    for round_ in range(10):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = shop.client.get(path, params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if round_ == 1:  # new items land while the client pages
            import_patents(client, shop.institution_id, *_drones(3, "新到无人机装置"))
            run_worker()
        if not page["items"]:
            break
    assert len(seen) == 8 and seen == sorted(set(seen))
    assert cursor == str(seen[-1])  # polling from here returns only newer items
    assert shop.client.get(path, params={"cursor": cursor}).json()["items"] == []
    rest = shop.client.get(path, params={"order": "desc", "cursor": first["next_cursor"]})
    newest_first += [i["id"] for i in rest.json()["items"]]
    assert newest_first == sorted(seen[:5], reverse=True)  # later items are not mixed in
    assert shop.client.get(path, params={"cursor": "abc"}).status_code == 422


def test_atom_feed(client: TestClient, shop: Shop, run_worker: RunWorker) -> None:
    subscribe(shop, keywords=["无人机"])
    import_patents(client, shop.institution_id, *_drones(2))
    run_worker()
    response = shop.client.get(f"/v1/enterprises/{shop.enterprise_id}/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id") is not None and root.find(f"{ATOM}updated") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "一种无人机巡检装置1",
        "一种无人机巡检装置0",
    ]
    assert all(e.findtext(f"{ATOM}id", "").startswith("urn:panhuo:feed-item:") for e in entries)
    assert "关键词：无人机" in (entries[0].findtext(f"{ATOM}summary") or "")


def test_read_and_ack_marks(client: TestClient, shop: Shop, run_worker: RunWorker) -> None:
    subscribe(shop, keywords=["无人机"])
    import_patents(client, shop.institution_id, *_drones(3))
    run_worker()
    ids = [i["id"] for i in feed(shop)]
    base = f"/v1/enterprises/{shop.enterprise_id}/feed"
    assert shop.client.post(f"{base}/read", json={"item_ids": ids[:1]}).json() == {"updated": 1}
    assert shop.client.post(f"{base}/read", json={"item_ids": ids[:1]}).json() == {"updated": 0}
    assert shop.client.post(f"{base}/ack", json={"item_ids": [ids[1], 999999]}).json() == {
        "updated": 1
    }
    assert [i["id"] for i in feed(shop, unread=True)] == [ids[2]]
    acked = [i for i in feed(shop) if i["acked_at"]]
    assert [i["id"] for i in acked] == [ids[1]] and acked[0]["read_at"]
    assert shop.client.post(f"{base}/read", json={"item_ids": []}).status_code == 422


def test_digest_respects_quota_and_ranks_by_score(
    client: TestClient, shop: Shop, run_worker: RunWorker
) -> None:
    sub = subscribe(shop, keywords=["无人机", "巡检"], quota=2)
    both = _drones(3)  # both keywords: score 1.0
    one = [f.patent(**{**DRONE, "title": f"无人机装置{i}", "abstract": "无人机"}) for i in range(3)]
    import_patents(client, shop.institution_id, *one, *both)
    run_worker()
    assert len(feed(shop)) == 6  # the pull feed keeps everything
    day = today().isoformat()  # China Standard Time, as digests count days
    digest = shop.client.get(
        f"/v1/enterprises/{shop.enterprise_id}/feed/digest", params={"date": day}
    )
    items = digest.json()["items"]
    assert len(items) == 2 and all(i["score"] == 1.0 for i in items)
    assert {i["subscription_id"] for i in items} == {sub["id"]}
    top1 = shop.client.get(
        f"/v1/enterprises/{shop.enterprise_id}/feed/digest", params={"date": day, "top": 1}
    )
    assert len(top1.json()["items"]) == 1
