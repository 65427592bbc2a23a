"""Console pages over TestClient: each page renders for its role with the world's rows,
forms write through the services, and refusals come back as Chinese field errors."""

import re

from fastapi.testclient import TestClient

from tests.access_world import World
from tests.console.conftest import ConsoleFor
from tests.imports.helpers import EXPORT


def test_institution_pages_render(console_for: ConsoleFor, world: World) -> None:
    console = console_for("institution", institution_id=world.inst)
    patents = console.get("/console/patents")
    assert patents.status_code == 200, patents.text
    assert "本机构专利" in patents.text and "已声明" in patents.text  # world.patent's licence
    assert "河南大学乙" not in patents.text
    assert console.get("/console/import").status_code == 200
    template = console.get("/console/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    page = console.get(f"/console/patents/{world.patent}")
    assert page.status_code == 200 and "开放许可" in page.text


def test_import_through_the_console(console_for: ConsoleFor, world: World) -> None:
    console = console_for("institution", institution_id=world.inst)
    response = console.post(
        "/console/import",
        files={"file": ("export.csv", EXPORT.read_bytes())},
        data={"csrf_token": console.csrf},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202, response.text
    job_url = response.json()["url"]
    status = console.get(f"{job_url}/status").json()
    assert status["state"] == "succeeded"  # TestClient runs background tasks before returning
    page = console.get(job_url)
    assert page.status_code == 200 and "新增" in page.text
    errors = console.get(f"{job_url}/errors.csv")
    assert errors.status_code == 200 and errors.headers["content-type"].startswith("text/csv")


def test_import_without_a_file_names_the_field(console_for: ConsoleFor, world: World) -> None:
    console = console_for("institution", institution_id=world.inst)
    response = console.post_form("/console/import")
    assert response.status_code == 200
    assert 'id="err-file"' in response.text and "请选择" in response.text


def test_stats_pages_render(console_for: ConsoleFor, world: World) -> None:
    for role, binding in (("admin", {}), ("portal", {}), ("province", {"province_code": "420000"})):
        console = console_for(role, **binding)
        page = console.get("/console/stats?by=sei")
        assert page.status_code == 200, page.text
        assert "<svg" in page.text and "转化漏斗" in page.text
        export = console.get("/console/stats/export?format=xlsx")
        assert export.status_code == 200 and export.content[:2] == b"PK"
        provinces = console.get("/console/stats/export?table=provinces")
        assert "省份" in provinces.content.decode("utf-8-sig")


def test_enterprise_pages_render(console_for: ConsoleFor, world: World) -> None:
    console = console_for("enterprise", enterprise_id=world.ent)
    page = console.get("/console/enterprise")
    assert page.status_code == 200, page.text
    assert "湖北企业的保密需求" in page.text and "关键词：无人机" in page.text
    matches = console.get(f"/console/matches?run=1&source=need&need_id={world.need}")
    assert matches.status_code == 200, matches.text


def test_matches_text_search(console_for: ConsoleFor, world: World, client: TestClient) -> None:
    console = console_for("portal")
    page = console.get("/console/matches?run=1&source=text&text=专利")
    assert page.status_code == 200, page.text
    assert "匹配结果" in page.text
    # The one-line reason leads each result; shares are percentages of the score.
    assert '<p class="summary">共同技术：专利</p>' in page.text
    assert re.search(r"文本相似 \d+%", page.text) and "详细说明" in page.text
