"""Leak tests: a foreign id is a 404, lists are filtered, private fields are masked."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests import access_world
from tests import factories as f
from tests.access_world import World

ClientFor = Callable[..., TestClient]


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    with session_factory() as session, session.begin():
        return access_world.build(session)


def test_enterprise_cannot_see_or_touch_another_enterprises_needs(
    client_for: ClientFor, world: World
) -> None:
    a = client_for("enterprise", enterprise_id=world.ent)
    url = f"/v1/needs/{world.other_need}"
    assert a.get(url).status_code == 404
    assert a.patch(url, json={"title": "偷改"}).status_code == 404
    assert a.delete(url).status_code == 404
    listed = a.get("/v1/needs").json()
    assert [n["id"] for n in listed["items"]] == [world.need] and listed["total"] == 1
    assert a.get(f"/v1/needs?enterprise_id={world.other_ent}").json()["total"] == 0
    forged = a.post("/v1/needs", json=f.need(world.other_ent))
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "enterprise_id"
    own = a.post("/v1/needs", json={"title": "不写企业 id"})
    assert own.status_code == 201 and own.json()["enterprise_id"] == world.ent


def test_enterprise_sees_only_itself_and_its_own_contact_data(
    client_for: ClientFor, world: World
) -> None:
    a = client_for("enterprise", enterprise_id=world.ent)
    assert a.get(f"/v1/enterprises/{world.other_ent}").status_code == 404
    assert a.patch(f"/v1/enterprises/{world.other_ent}", json={"size": "large"}).status_code == 404
    assert a.get(f"/v1/enterprises/{world.ent}").json()["contact_phone"] == "027-1234"
    assert [e["id"] for e in a.get("/v1/enterprises").json()["items"]] == [world.ent]


def test_portal_and_province_do_not_see_contact_data(client_for: ClientFor, world: World) -> None:
    portal = client_for("portal")
    assert portal.get(f"/v1/enterprises/{world.ent}").json()["contact_phone"] is None
    assert "027-1234" not in portal.get("/v1/enterprises").text
    province = client_for("province", province_code="420000")
    assert province.get(f"/v1/enterprises/{world.ent}").json()["contact_phone"] is None
    assert province.get(f"/v1/enterprises/{world.other_ent}").status_code == 404


def test_institution_cannot_edit_another_institutions_patent(
    client_for: ClientFor, world: World
) -> None:
    inst = client_for("institution", institution_id=world.inst)
    url = f"/v1/patents/{world.other_patent}"
    assert inst.get(url).status_code == 404
    assert inst.patch(url, json={"title": "偷改"}).status_code == 404
    assert inst.delete(url).status_code == 404
    assert client_for("admin").get(url).json()["title"] != "偷改"
    assert [p["id"] for p in inst.get("/v1/patents").json()["items"]] == [
        world.patent,
        world.free_patent,
    ]
    forged = inst.post("/v1/patents", json=f.patent(institution_id=world.other_inst))
    assert forged.status_code == 422
    moved = inst.patch(f"/v1/patents/{world.patent}", json={"institution_id": world.other_inst})
    assert moved.status_code == 422
    released = inst.patch(f"/v1/patents/{world.patent}", json={"institution_id": None})
    assert released.status_code == 422
    created = inst.post("/v1/patents", json=f.patent())
    assert created.status_code == 201 and created.json()["institution_id"] == world.inst
    other_record = inst.patch(f"/v1/institutions/{world.other_inst}", json={"name": "x"})
    assert other_record.status_code == 404


def test_asking_price_is_unpublished(client_for: ClientFor, world: World) -> None:
    url = f"/v1/patents/{world.patent}"
    assert (
        client_for("institution", institution_id=world.inst).get(url).json()["asking_price"]
        == "1000.00"
    )
    assert client_for("admin").get(url).json()["asking_price"] == "1000.00"
    for caller in (client_for("enterprise", enterprise_id=world.ent), client_for("portal")):
        assert caller.get(url).json()["asking_price"] is None
        assert "1000.00" not in caller.get("/v1/patents").text


def test_province_reads_only_its_own_region(client_for: ClientFor, world: World) -> None:
    hubei = client_for("province", province_code="420000")
    assert hubei.get(f"/v1/patents/{world.patent}").status_code == 200
    assert hubei.get(f"/v1/patents/{world.other_patent}").status_code == 404
    assert [p["id"] for p in hubei.get("/v1/patents").json()["items"]] == [
        world.patent,
        world.free_patent,
    ]
    assert hubei.get("/v1/needs").status_code == 403


def test_key_bindings_are_validated(client: TestClient, world: World) -> None:
    bad = client.post("/v1/api-keys", json={"name": "x", "role": "institution"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "institution_id"
    mixed = client.post(
        "/v1/api-keys", json={"name": "x", "role": "portal", "enterprise_id": world.ent}
    )
    assert mixed.json()["errors"][0]["field"] == "enterprise_id"
    city = client.post(
        "/v1/api-keys", json={"name": "x", "role": "province", "province_code": "420100"}
    )
    assert city.json()["errors"][0]["field"] == "province_code"
