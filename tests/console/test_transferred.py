"""The console after a registered transfer: the former owner reads, but is offered no action."""

from fastapi.testclient import TestClient

from tests import factories as f
from tests.console.conftest import ConsoleFor


def test_former_owner_sees_transferred_and_is_refused(
    console_for: ConsoleFor, client: TestClient
) -> None:
    inst = f.create(client, "/v1/institutions", f.institution(name="转让前的大学"))["id"]
    patent = f.create(client, "/v1/patents", f.patent(institution_id=inst, title="已转让专利"))[
        "id"
    ]
    buyer = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    deal = f.create(
        client, "/v1/deals", {"patent_ids": [patent], "enterprise_id": buyer, "type": "transfer"}
    )["id"]
    for step in ("negotiating", "signed"):
        assert client.post(f"/v1/deals/{deal}/transition", json={"status": step}).is_success
    registered = {
        "status": "registered",
        "registration_number": "ZL-1",
        "registered_on": "2026-11-01",
    }
    assert client.post(f"/v1/deals/{deal}/transition", json=registered).is_success

    console = console_for("institution", institution_id=inst)
    listing = console.get("/console/patents")
    assert listing.status_code == 200 and "已转让" in listing.text
    assert f"/console/patents/{patent}/open-license" not in listing.text
    form = console.get(f"/console/patents/{patent}/open-license")
    assert form.status_code == 403 and "已办理转让登记" in form.text
    assert "transferred" not in form.text  # the Chinese half only
