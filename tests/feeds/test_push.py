"""End to end: subscribe → import → feed item with explanation → signed webhook received."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.feedback.models import Feedback, Intent
from tests import factories as f
from tests.feeds.conftest import (
    Receiver,
    RunWorker,
    Shop,
    add_webhook,
    feed,
    import_patents,
    subscribe,
    verify,
)

DRONE = {
    "title": "一种无人机巡检图像采集装置",
    "abstract": "无人机搭载摄像头对输电线路进行巡检，实时识别绝缘子缺陷。",
    "ipc_codes": ["B64U20/80", "H04N7/18"],
    "transaction_modes": ["license"],
}
BATTERY = {
    "title": "锂离子电池正极材料及其制备方法",
    "abstract": "一种高镍三元正极材料，提高锂电池的循环寿命。",
    "ipc_codes": ["H01M4/525"],
}


def test_subscribe_import_feed_and_signed_webhook(
    client: TestClient, shop: Shop, receiver: Receiver, run_worker: RunWorker
) -> None:
    need = f.create(
        shop.client, "/v1/needs", f.need(shop.enterprise_id, title="输电线路无人机巡检缺陷识别")
    )
    sub = subscribe(shop, all_needs=True, keywords=["巡检"])
    hook = add_webhook(shop, receiver.url)
    assert hook["secret"].startswith("whsec_")
    run_worker()  # nothing new yet
    drone, battery = import_patents(
        client, shop.institution_id, f.patent(**DRONE), f.patent(**BATTERY)
    )
    run_worker()

    items = feed(shop)
    assert [i["patent"]["id"] for i in items] == [drone]
    item = items[0]
    assert item["subscription_id"] == sub["id"] and item["reason"] == "match"
    assert item["explanation"]["need_id"] == need["id"]
    assert "巡检" in item["explanation"]["keywords"]
    assert item["explanation"]["match"]["summary"]  # the matcher's own explanation
    assert "匹配需求" in item["explanation"]["summary"]

    assert len(receiver.received) == 1
    got = receiver.received[0]
    verify(hook["secret"], got)
    assert got.headers["webhook-id"] == f"msg_item{item['id']}_ep{hook['id']}"
    assert got.json["type"] == "feed.item"
    assert got.json["data"]["item_id"] == item["id"]
    assert got.json["data"]["patent"]["id"] == drone
    log = shop.client.get(f"/v1/enterprises/{shop.enterprise_id}/webhooks/{hook['id']}/deliveries")
    assert [d["state"] for d in log.json()["items"]] == ["succeeded"]
    assert battery not in [i["patent"]["id"] for i in feed(shop)]


def test_no_duplicates_across_reimports_and_status_changes(
    client: TestClient, shop: Shop, receiver: Receiver, run_worker: RunWorker
) -> None:
    subscribe(shop, keywords=["无人机"])
    add_webhook(shop, receiver.url)
    body = f.patent(**DRONE)
    (pid,) = import_patents(client, shop.institution_id, body)
    run_worker()
    import_patents(client, shop.institution_id, body)  # unchanged
    import_patents(client, shop.institution_id, {**body, "title": "一种改进的无人机巡检装置"})
    client.patch(f"/v1/patents/{pid}", json={"legal_status": "pending"})
    run_worker()
    client.patch(f"/v1/patents/{pid}", json={"legal_status": "valid"})  # back to valid
    run_worker()
    assert [i["patent"]["id"] for i in feed(shop)] == [pid]
    assert len(receiver.unique()) == len(receiver.received) == 1


def test_patent_entering_pool_later_is_pushed_once(
    client: TestClient, shop: Shop, run_worker: RunWorker
) -> None:
    subscribe(shop, ipc_prefixes=["B64U"])
    (pid,) = import_patents(client, shop.institution_id, f.patent(**DRONE, legal_status="pending"))
    run_worker()
    assert feed(shop) == []  # pending is not yet in the transferable pool
    client.patch(f"/v1/patents/{pid}", json={"legal_status": "valid"})
    run_worker()
    assert [i["patent"]["id"] for i in feed(shop)] == [pid]
    assert feed(shop)[0]["explanation"]["ipc"] == ["B64U20/80"]


def test_no_need_patent_is_not_pushed_again(
    client: TestClient, db: Session, shop: Shop, run_worker: RunWorker
) -> None:
    subscribe(shop, keywords=["无人机"])
    pushed, waiting, control = import_patents(
        client,
        shop.institution_id,
        f.patent(**DRONE),
        f.patent(**DRONE, legal_status="pending"),
        f.patent(**DRONE),
    )
    run_worker()
    assert {i["patent"]["id"] for i in feed(shop)} == {pushed, control}
    for pid in (pushed, control):
        shop.client.post(f"/v1/enterprises/{shop.enterprise_id}/watchlist/{pid}")
    # 无需求 on two patents (issue #8's current feedback row).
    for pid in (pushed, waiting):
        db.add(Feedback(enterprise_id=shop.enterprise_id, patent_id=pid, intent=Intent.no_need))
    db.commit()
    for pid in (pushed, control):
        client.patch(f"/v1/patents/{pid}", json={"legal_status": "lapsed"})
    client.patch(f"/v1/patents/{waiting}", json={"legal_status": "valid"})  # enters the pool
    run_worker()
    items = feed(shop)
    assert [(i["patent"]["id"], i["reason"]) for i in items] == [
        (pushed, "match"),
        (control, "match"),
        (control, "watch"),  # the watched change of a wanted patent still arrives
    ]
    assert items[2]["explanation"]["changes"]["legal_status"] == ["valid", "lapsed"]
    digest = shop.client.get(f"/v1/enterprises/{shop.enterprise_id}/feed/digest")  # today
    assert pushed not in [i["patent"]["id"] for i in digest.json()["items"]]


def test_filters_regions_modes_and_paused(
    client: TestClient, shop: Shop, run_worker: RunWorker
) -> None:
    hubei = subscribe(shop, keywords=["无人机"], regions=["420000"], modes=["license"])
    henan = subscribe(shop, keywords=["无人机"], regions=["410000"])
    paused = subscribe(shop, ipc_prefixes=["H01M"], active=False)
    hubei_drone = f.patent(**DRONE, region_code="420100")
    import_patents(client, shop.institution_id, hubei_drone, f.patent(**BATTERY))
    run_worker()
    items = feed(shop)
    assert [i["subscription_id"] for i in items] == [hubei["id"]]
    assert items[0]["explanation"]["modes"] == ["license"]
    assert henan["id"] != paused["id"]
