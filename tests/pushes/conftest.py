"""Push-run tests: the feeds fixtures (loopback receiver, worker) and a small world."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories as f
from tests.feeds.conftest import (  # noqa: F401  (fixtures)
    Receiver,
    RunWorker,
    import_patents,
    receiver,
    run_worker,
    settings,
)

DRONE = {
    "title": "一种无人机巡检图像采集装置",
    "abstract": "无人机搭载摄像头对输电线路进行巡检，实时识别绝缘子缺陷。",
    "ipc_codes": ["B64U20/80", "H04N7/18"],
}
DRONE_2 = {
    "title": "无人机电力巡检航线规划方法",
    "abstract": "根据输电线路杆塔坐标自动规划无人机巡检航线，避开障碍物。",
    "ipc_codes": ["G05D1/10"],
}
BATTERY = {
    "title": "锂离子电池正极材料及其制备方法",
    "abstract": "一种高镍三元正极材料，提高锂离子电池的循环寿命和容量。",
    "ipc_codes": ["H01M4/525"],
}
DRONE_SCOPE = "无人机巡检服务，输电线路巡检图像识别，无人机航线规划"
BATTERY_SCOPE = "锂离子电池正极材料研发与生产，三元材料，电池循环寿命"


@dataclass
class World:
    patents: dict[str, int]
    drone_ent: int  # Hubei, 专精特新
    battery_ent: int  # Henan
    drone_client: TestClient


@pytest.fixture
def world(client: TestClient, client_for: Callable[..., TestClient]) -> World:
    inst = f.create(client, "/v1/institutions", f.institution())["id"]
    ids = import_patents(
        client, inst, *(f.patent(**p, region_code="420100") for p in (DRONE, DRONE_2, BATTERY))
    )
    drone = f.create(
        client,
        "/v1/enterprises",
        f.enterprise(
            region_code="420100",
            industry="无人机制造",
            industry_code="C3744",
            description=DRONE_SCOPE,
            is_specialized=True,
        ),
    )["id"]
    battery = f.create(
        client,
        "/v1/enterprises",
        f.enterprise(region_code="410100", industry="锂离子电池制造", description=BATTERY_SCOPE),
    )["id"]
    return World(
        dict(zip(("drone", "drone_2", "battery"), ids, strict=True)),
        drone,
        battery,
        client_for("enterprise", enterprise_id=drone),
    )


def start(client: TestClient, **body: Any) -> dict[str, Any]:
    body.setdefault("enterprises", {"all": True})
    response = client.post("/v1/push-runs", json=body)
    assert response.status_code == 202, response.text
    return dict(response.json())


def feed(client: TestClient, enterprise_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/v1/enterprises/{enterprise_id}/feed", params={"limit": 100})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
