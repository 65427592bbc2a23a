"""Push runs through HTTP: selection, limits, no repeats, 无需求, quotas, feed and webhook."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests import factories as f
from tests.feeds.conftest import verify
from tests.pushes.conftest import Receiver, RunWorker, World, feed, start


def test_push_run_fills_feeds_by_profile(
    client: TestClient, world: World, run_worker: RunWorker
) -> None:
    run = start(client, per_enterprise=1)
    assert run["state"] == "queued" and run["total_enterprises"] == 2
    run_worker()
    done = client.get(f"/v1/push-runs/{run['id']}").json()
    assert done["state"] == "succeeded", done
    assert done["progress"] == {
        "partitions_done": 1,
        "partitions_running": 0,
        "partitions_failed": 0,
        "enterprises_done": 2,
        "enterprises_pushed": 2,
        "items": 2,
    }
    drone_feed = feed(world.drone_client, world.drone_ent)
    assert len(drone_feed) == 1
    item = drone_feed[0]
    assert item["reason"] == "profile" and item["subscription_id"] is None
    assert item["patent"]["id"] in (world.patents["drone"], world.patents["drone_2"])
    assert "画像" in item["explanation"]["summary"]
    assert [i["patent"]["id"] for i in feed(client, world.battery_ent)] == [
        world.patents["battery"]
    ]


def test_selection_by_filters(client: TestClient, world: World, run_worker: RunWorker) -> None:
    start(
        client,
        patents={"ipc": "B64U"},
        enterprises={"provinces": ["420000"], "flags": ["specialized"]},
        per_enterprise=5,
    )
    run_worker()
    assert [i["patent"]["id"] for i in feed(client, world.drone_ent)] == [world.patents["drone"]]
    assert feed(client, world.battery_ent) == []
    later = start(client, patents={"pool_since": (date.today() + timedelta(days=2)).isoformat()})
    run_worker()
    assert client.get(f"/v1/push-runs/{later['id']}").json()["progress"]["items"] == 0
    start(client, patents={"ids": [world.patents["battery"]]}, enterprises={"industries": ["C38"]})
    run_worker()
    assert feed(client, world.battery_ent) == []  # no industry code: not selected


def test_per_enterprise_and_min_score(
    client: TestClient, world: World, run_worker: RunWorker
) -> None:
    run = start(client, per_enterprise=50, min_score=1000)
    run_worker()
    assert client.get(f"/v1/push-runs/{run['id']}").json()["progress"]["items"] == 0
    start(client, per_enterprise=2, enterprises={"ids": [world.drone_ent]})
    run_worker()
    got = feed(client, world.drone_ent)
    assert len(got) == 2 and all(i["score"] > 0 for i in got)


def test_second_run_pushes_nothing_twice(
    client: TestClient, world: World, run_worker: RunWorker
) -> None:
    start(client, per_enterprise=1, enterprises={"ids": [world.drone_ent]})
    run_worker()
    first = [i["patent"]["id"] for i in feed(client, world.drone_ent)]
    again = start(client, per_enterprise=1, enterprises={"ids": [world.drone_ent]})
    run_worker()
    second = [i["patent"]["id"] for i in feed(client, world.drone_ent)]
    assert len(second) == 2 and len(set(second)) == 2 and first[0] in second
    assert client.get(f"/v1/push-runs/{again['id']}").json()["progress"]["items"] == 1


def test_no_need_answers_are_skipped(
    client: TestClient, world: World, run_worker: RunWorker
) -> None:
    for key in ("drone", "drone_2"):
        response = world.drone_client.post(
            f"/v1/patents/{world.patents[key]}/feedback", json={"intent": "no_need"}
        )
        assert response.status_code < 300, response.text
    start(client, per_enterprise=5, enterprises={"ids": [world.drone_ent]})
    run_worker()
    pushed = {i["patent"]["id"] for i in feed(client, world.drone_ent)}
    assert not pushed & {world.patents["drone"], world.patents["drone_2"]}


def test_daily_quota_is_respected(client: TestClient, world: World, run_worker: RunWorker) -> None:
    path = f"/v1/enterprises/{world.drone_ent}/subscriptions"
    f.create(world.drone_client, path, {"name": "少量", "keywords": ["无关词"], "quota": 1})
    start(client, per_enterprise=5, enterprises={"ids": [world.drone_ent]})
    run_worker()
    assert len(feed(client, world.drone_ent)) == 1
    start(client, per_enterprise=5, enterprises={"ids": [world.drone_ent]})
    run_worker()
    assert len(feed(client, world.drone_ent)) == 1  # today's quota is used up


def test_webhook_fires_for_profile_items(
    client: TestClient, world: World, receiver: Receiver, run_worker: RunWorker
) -> None:
    hook = f.create(
        world.drone_client, f"/v1/enterprises/{world.drone_ent}/webhooks", {"url": receiver.url}
    )
    start(client, per_enterprise=1, enterprises={"ids": [world.drone_ent]})
    run_worker()
    item = feed(client, world.drone_ent)[0]
    assert len(receiver.received) == 1
    got = receiver.received[0]
    verify(hook["secret"], got)
    assert got.headers["webhook-id"] == f"msg_item{item['id']}_ep{hook['id']}"
    assert got.json["type"] == "feed.item"
    assert got.json["data"]["reason"] == "profile"


def test_bad_bodies_are_problems(client: TestClient, world: World) -> None:
    bodies: list[dict[str, Any]] = [
        {"enterprises": {}},
        {"enterprises": {"all": True}, "per_enterprise": 51},
        {"enterprises": {"all": True}, "min_score": -1},
        {"enterprises": {"industries": ["38x"]}},
        {"enterprises": {"all": True}, "patents": {"ids": []}},
    ]
    for body in bodies:
        response = client.post("/v1/push-runs", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/push-runs/999999").status_code == 404


def test_a_province_pushes_to_its_own_enterprises_only(
    client: TestClient,
    client_for: Callable[..., TestClient],
    world: World,
    run_worker: RunWorker,
) -> None:
    hubei = client_for("province", province_code="420000")
    henan = client_for("province", province_code="410000")
    run = start(hubei, per_enterprise=1)
    assert run["total_enterprises"] == 1  # the Henan enterprise is out of reach
    run_worker()
    assert len(feed(client, world.drone_ent)) == 1
    assert feed(client, world.battery_ent) == []
    assert hubei.get(f"/v1/push-runs/{run['id']}").json()["state"] == "succeeded"
    assert henan.get(f"/v1/push-runs/{run['id']}").status_code == 404
    assert henan.get("/v1/push-runs").json()["items"] == []
    assert [r["id"] for r in client.get("/v1/push-runs").json()["items"]] == [run["id"]]


def test_statistics_funnel_counts_pushes(
    client: TestClient, world: World, run_worker: RunWorker
) -> None:
    run = start(client, per_enterprise=2)
    run_worker()
    items = client.get(f"/v1/push-runs/{run['id']}").json()["progress"]["items"]
    funnel = client.get("/v1/stats/summary").json()["funnel"]
    assert funnel["enterprises_pushed"] == 2 and funnel["items_pushed"] == items >= 3
    for province, expected in (("420000", items), ("410000", 0)):  # the patents are Hubei's
        scoped = client.get("/v1/stats/summary", params={"province": province}).json()
        assert scoped["funnel"]["items_pushed"] == expected
