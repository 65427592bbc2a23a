"""Who holds a patent after a registered transfer (issue 15, defect 8).

A registered 转让 makes the enterprise the holder. The former institution keeps reading
its record but can no longer change it, put it back in the pool, declare an open licence
or start or advance another deal on it; statistics count one transfer.
"""

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.deals import service as deals_service
from app.main import create_app
from app.migrate import upgrade_head
from tests import factories as f

ClientFor = Callable[..., TestClient]
TERMS = {
    "fee_type": "one_off",
    "one_off_fee": "80000",
    "payment_method": "银行转账",
    "term_years": 3,
}
REGISTER = {
    "status": "registered",
    "registration_number": "ZL-2026-7",
    "registered_on": "2026-11-02",
}


@dataclass
class Parties:
    patent: int
    inst: int
    e1: int
    e2: int
    owner: TestClient
    ent1: TestClient
    ent2: TestClient


@pytest.fixture
def parties(client: TestClient, client_for: ClientFor) -> Parties:
    inst = f.create(client, "/v1/institutions", f.institution())["id"]
    patent = f.create(client, "/v1/patents", f.patent(institution_id=inst))["id"]
    e1 = f.create(client, "/v1/enterprises", f.enterprise(name="受让一公司"))["id"]
    e2 = f.create(client, "/v1/enterprises", f.enterprise(name="受让二公司"))["id"]
    return Parties(
        patent,
        inst,
        e1,
        e2,
        owner=client_for("institution", institution_id=inst),
        ent1=client_for("enterprise", enterprise_id=e1),
        ent2=client_for("enterprise", enterprise_id=e2),
    )


def deal(owner: TestClient, patent: int, enterprise: int, type_: str = "transfer") -> int:
    body = {"patent_ids": [patent], "enterprise_id": enterprise, "type": type_}
    return int(f.create(owner, "/v1/deals", body)["id"])


def advance(client: TestClient, deal_id: int, *steps: str) -> Any:
    """Move a deal step by step; the last response is returned unchecked."""
    response = None
    for step in steps:
        body = REGISTER if step == "registered" else {"status": step}
        response = client.post(f"/v1/deals/{deal_id}/transition", json=body)
        if step != steps[-1]:
            assert response.status_code == 200, response.text
    return response


def transfer(p: Parties, enterprise: int) -> int:
    deal_id = deal(p.owner, p.patent, enterprise)
    done = advance(p.owner, deal_id, "negotiating", "signed", "registered")
    assert done.status_code == 200, done.text
    return deal_id


def assert_refused(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    chinese, english = response.json()["detail"].split(" / ")
    assert "转让" in chinese and "transferred" in english


def transfers(client: TestClient) -> int:
    return int(client.get("/v1/stats/summary").json()["outcomes"]["transfers_registered"])


def test_former_owner_loses_write_rights(client: TestClient, parties: Parties) -> None:
    p = parties
    transfer(p, p.e1)
    url = f"/v1/patents/{p.patent}"
    read = p.owner.get(url)  # its own record stays readable
    assert read.status_code == 200 and read.json()["holder_enterprise_id"] == p.e1
    assert read.json()["pool_status"] == "withdrawn"
    assert_refused(p.owner.patch(url, json={"pool_status": "in_pool"}), 403)
    assert_refused(p.owner.patch(url, json={"title": "改名"}), 403)
    assert_refused(p.owner.post(f"{url}/open-license", json=TERMS), 403)
    second = {"patent_ids": [p.patent], "enterprise_id": p.e2, "type": "transfer"}
    assert_refused(p.owner.post("/v1/deals", json=second), 403)
    assert_refused(client.post("/v1/deals", json=second), 409)  # nobody can sell it again
    assert_refused(p.owner.delete(url), 403)
    after = client.get(url).json()
    assert after["pool_status"] == "withdrawn" and after["holder_enterprise_id"] == p.e1
    assert transfers(client) == 1


def test_competing_transfer_cannot_register_after_the_first(
    client: TestClient, parties: Parties
) -> None:
    p = parties
    rival = deal(p.owner, p.patent, p.e2)  # negotiated in parallel, before the transfer
    advance(p.owner, rival, "negotiating", "signed")
    first = transfer(p, p.e1)
    assert_refused(advance(p.owner, rival, "registered"), 409)
    assert_refused(advance(client, rival, "registered"), 409)
    assert client.get(f"/v1/deals/{rival}").json()["status"] == "signed"
    assert client.get(f"/v1/patents/{p.patent}").json()["holder_enterprise_id"] == p.e1
    assert advance(p.owner, first, "implemented").status_code == 200  # the transfer goes on
    assert transfers(client) == 1


def test_open_licence_ends_with_the_transfer(client: TestClient, parties: Parties) -> None:
    p = parties
    declared = f.create(p.owner, f"/v1/patents/{p.patent}/open-license", TERMS)["id"]
    accept = f"/v1/open-licenses/{declared}/acceptances"
    assert p.ent1.post(accept).status_code == 201
    transfer(p, p.e1)
    assert client.get(f"/v1/open-licenses/{declared}").json()["status"] == "withdrawn"
    assert p.ent2.post(accept).status_code == 409  # the declarer no longer holds it
    assert len(client.get(accept).json()) == 1  # existing licences stay


def test_holder_enterprise_sees_patent_and_deal(client: TestClient, parties: Parties) -> None:
    p = parties
    deal_id = transfer(p, p.e1)
    seen = p.ent1.get(f"/v1/patents/{p.patent}")
    assert seen.status_code == 200 and seen.json()["holder_enterprise_id"] == p.e1
    assert p.ent1.get(f"/v1/deals/{deal_id}").status_code == 200
    assert p.ent2.get(f"/v1/deals/{deal_id}").status_code == 404
    assert p.ent1.patch(f"/v1/patents/{p.patent}", json={"title": "x"}).status_code == 403


def test_import_cannot_rewrite_a_transferred_patent(client: TestClient, parties: Parties) -> None:
    p = parties
    transfer(p, p.e1)
    number = client.get(f"/v1/patents/{p.patent}").json()["application_number"]
    row = f.patent(application_number=number, title="重新导入的新标题", institution_id=p.inst)
    row["ipc_codes"] = ";".join(row["ipc_codes"])
    result = p.owner.post("/v1/patents/bulk", json=[row])
    assert result.status_code < 300, result.text
    (item,) = result.json()["items"]
    assert item["status"] == "failed", item
    assert "转让" in str(item)
    assert client.get(f"/v1/patents/{p.patent}").json()["title"] != "重新导入的新标题"


def test_two_transfers_registered_at_once_make_one(
    fresh_database_url: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two deals on one patent registered concurrently: one wins, the other is 409.

    Each registration waits (up to a second) for the other to reach the same point. Without
    a lock on the patent rows both read "not transferred" there and both commit.
    """
    url = fresh_database_url()
    upgrade_head(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="t", role=Role.admin)).key
    engine.dispose()
    meet = threading.Barrier(2)
    original = deals_service._register

    def register_together(deal: Any, data: Any) -> None:
        # Broken: the other registration is blocked on the lock (or already refused).
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=1)
        original(deal, data)

    monkeypatch.setattr(deals_service, "_register", register_together)
    app = create_app(Settings(database_url=url, index_dir=None, worker_in_process=False))
    auth = {"Authorization": f"Bearer {key}"}
    with TestClient(app, headers=auth) as admin:
        inst = f.create(admin, "/v1/institutions", f.institution())["id"]
        patent = f.create(admin, "/v1/patents", f.patent(institution_id=inst))["id"]
        ents = [f.create(admin, "/v1/enterprises", f.enterprise())["id"] for _ in range(2)]
        ids = [deal(admin, patent, e) for e in ents]
        for deal_id in ids:
            advance(admin, deal_id, "negotiating", "signed")
        statuses: list[int] = []

        def register(deal_id: int) -> None:
            client = TestClient(app, headers=auth)  # its own event loop thread
            statuses.append(advance(client, deal_id, "registered").status_code)

        threads = [threading.Thread(target=register, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(statuses) == [200, 409]
        assert transfers(admin) == 1
