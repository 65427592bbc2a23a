"""Both matching directions in the console: 为您推荐 on the enterprise workbench and the
matches page, and patent → enterprises with its need and profile evidence."""

from fastapi.testclient import TestClient

from tests import factories as f
from tests.console.conftest import ConsoleFor


def _directory(client: TestClient) -> tuple[int, int, int]:
    inst = f.create(client, "/v1/institutions", f.institution(region_code="410100"))["id"]
    battery = f.patent(
        title="锂离子电池正极材料及其制备方法", ipc_codes=["H01M4/525"], institution_id=inst
    )
    patent = f.create(client, "/v1/patents", battery)["id"]
    f.create(client, "/v1/patents", f.patent(institution_id=inst))  # a drone patent
    body = f.enterprise(name="储能电池公司", main_products="三元锂离子电池、正极材料")
    return inst, f.create(client, "/v1/enterprises", body)["id"], patent


def test_the_workbench_recommends_patents_for_the_profile(
    console_for: ConsoleFor, client: TestClient
) -> None:
    _, ent, patent = _directory(client)
    console = console_for("enterprise", enterprise_id=ent)
    page = console.get("/console/enterprise")
    assert page.status_code == 200, page.text
    assert "为您推荐" in page.text and "主营产品" in page.text
    recommended = page.text.split('id="recommended"')[1].split("</section>")[0]
    assert f"/console/patents/{patent}" in recommended and "锂离子电池正极材料" in recommended
    more = console.get("/console/matches?run=1&source=profile")
    assert more.status_code == 200 and f"/console/patents/{patent}" in more.text


def test_patent_matches_show_profile_evidence(console_for: ConsoleFor, client: TestClient) -> None:
    inst, _, patent = _directory(client)
    console = console_for("institution", institution_id=inst)
    page = console.get(f"/console/matches?run=1&source=patent&patent_id={patent}")
    assert page.status_code == 200, page.text
    assert "储能电池公司" in page.text and "企业画像" in page.text
