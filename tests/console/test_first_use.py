"""Console fixes from first use (issue 17): who is signed in, actions that can succeed,
deals and licences on the patent page, a searchable patent picker, a Chinese 500 page,
charts that fit their labels, the list of past imports, and province pages."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.console import charts
from tests import factories as f
from tests.access_world import World
from tests.console.conftest import ConsoleFor


def test_the_header_names_the_organisation(console_for: ConsoleFor, world: World) -> None:
    cases: list[tuple[str, dict[str, Any], str, str]] = [
        ("institution", {"institution_id": world.inst}, "/console/patents", "湖北大学甲"),
        ("enterprise", {"enterprise_id": world.ent}, "/console/enterprise", "湖北企业"),
        ("province", {"province_code": "420000"}, "/console/stats", "湖北省知识产权局"),
        ("portal", {}, "/console/matches", "转化运用平台"),
        ("admin", {}, "/console/patents", "平台管理员"),
    ]
    for role, binding, path, name in cases:
        page = console_for(role, **binding).get(path)
        found = re.search(r'<span class="org" id="organisation"[^>]*>([^<]*)</span>', page.text)
        assert found and found.group(1) == name, (role, page.status_code)


def test_the_admin_has_no_own_patents_tab(console_for: ConsoleFor, world: World) -> None:
    admin = console_for("admin").get("/console/patents")
    assert "本机构专利" not in admin.text and "专利库" in admin.text
    inst = console_for("institution", institution_id=world.inst).get("/console/patents")
    assert "本机构专利" in inst.text


def test_open_licence_is_offered_only_where_it_can_be_declared(
    console_for: ConsoleFor, world: World, client: TestClient
) -> None:
    pending = f.create(
        client, "/v1/patents", f.patent(institution_id=world.inst, legal_status="pending")
    )
    lapsed = f.create(
        client, "/v1/patents", f.patent(institution_id=world.inst, legal_status="lapsed")
    )
    page = console_for("institution", institution_id=world.inst).get("/console/patents").text
    assert f"/console/patents/{world.free_patent}/open-license" in page  # valid, undeclared
    for refused in (pending, lapsed):
        assert f"/console/patents/{refused['id']}/open-license" not in page
    assert "审中专利不能声明开放许可" in page and "失效专利不能声明开放许可" in page


def test_the_patent_page_shows_deals_and_licences_in_force(
    console_for: ConsoleFor, world: World, client: TestClient
) -> None:
    owner = console_for("institution", institution_id=world.inst)
    page = owner.get(f"/console/patents/{world.patent}").text
    assert "交易与生效许可" in page and "普通许可" in page and "湖北企业" in page
    assert "生效中" not in page  # an intent is not in force
    for step in ("negotiating", "signed"):
        moved = client.post(f"/v1/deals/{world.deal}/transition", json={"status": step})
        assert moved.status_code == 200, moved.text
    assert "生效中" in owner.get(f"/console/patents/{world.patent}").text
    ent = console_for("enterprise", enterprise_id=world.ent)
    before = ent.get(f"/console/patents/{world.patent}").text
    assert f"/console/open-licenses/{world.licence}/accept" in before
    accepted = ent.post_form(f"/console/open-licenses/{world.licence}/accept")
    assert accepted.status_code == 303
    after = ent.get(f"/console/patents/{world.patent}").text
    assert f"/console/open-licenses/{world.licence}/accept" not in after  # would be refused
    assert "您已接受该开放许可" in after
    named = owner.get(f"/console/patents/{world.patent}").text
    assert "开放许可被许可人（1）" in named and "湖北企业：" in named
    other = console_for("enterprise", enterprise_id=world.other_ent)
    counted = other.get(f"/console/patents/{world.patent}").text
    assert "开放许可生效中的被许可人：1 家" in counted and "湖北企业：" not in counted


def test_the_patent_picker_finds_any_patent_and_shows_the_chosen_one(
    console_for: ConsoleFor, world: World, client: TestClient
) -> None:
    for i in range(101):
        f.create(client, "/v1/patents", f.patent(institution_id=world.inst, title=f"批量专利{i}"))
    last = f.create(
        client, "/v1/patents", f.patent(institution_id=world.inst, title="无人机巡检相机")
    )
    console = console_for("institution", institution_id=world.inst)
    page = console.get(f"/console/matches?run=1&source=patent&patent_id={last['id']}").text
    assert f'<option value="{last["id"]}" selected>' in page  # not 请选择
    assert "列出前 100 件" in page
    found = console.get("/console/matches?source=patent&patent_q=巡检").text
    assert f'<option value="{last["id"]}"' in found and "批量专利1<" not in found
    assert 'form="patent-find"' in found
    none = console.get("/console/matches?source=patent&patent_q=没有这种").text
    assert "没有标题包含“没有这种”的专利" in none


def test_an_unexpected_error_renders_a_chinese_page(
    console_for: ConsoleFor, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = console_for("portal")

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("app.console.pages_stats.service.summary", broken)
    page = console.get("/console/stats")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "服务器出错了" in page.text and "请求编号" in page.text and "boom" not in page.text
    with pytest.raises(RuntimeError):  # the console's scripts get the API's handler (JSON)
        console.get("/console/stats", headers={"Accept": "application/json"})


def test_bar_labels_fit_the_chart() -> None:
    label = "F 机械工程；照明；加热；武器；爆破"
    svg = str(charts.hbars("专利分布", [(label, 3.0), ("G 物理", 5.0)], label_w=150))
    label_w = int(re.search(r'<rect x="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert label_w - 8 >= charts.text_width(label)  # the whole label left of its bar
    assert f"{label}</text>" in svg
    long = "很" * 40
    cut = str(charts.hbars("t", [(long, 1.0)]))
    assert f"<title>{long}</title>" in cut and "…</text>" in cut
    assert charts.text_width(charts.fit(long, 200)) <= 200


def test_the_import_page_lists_past_imports(console_for: ConsoleFor, world: World) -> None:
    page = console_for("institution", institution_id=world.inst).get("/console/import").text
    assert "导入记录" in page and "x.csv" in page
    other = console_for("institution", institution_id=world.other_inst).get("/console/import")
    assert "x.csv" not in other.text


def test_province_screening_and_profiles_stay_in_the_province(
    console_for: ConsoleFor, world: World, client: TestClient
) -> None:
    lapsed = f.create(
        client, "/v1/patents", f.patent(institution_id=world.inst, legal_status="lapsed")
    )
    hubei = console_for("province", province_code="420000")
    screening = hubei.get("/console/screening")
    assert screening.status_code == 200, screening.text
    assert "高价值专利" in screening.text and "湖北大学甲" in screening.text
    assert "河南大学乙" not in screening.text  # another province's institution
    assert f'/console/patents/{lapsed["id"]}"' not in screening.text.split("沉睡专利")[0]
    listing = hubei.get("/console/profiles").text
    assert "湖北大学甲" in listing and "湖北企业" in listing
    assert "河南大学乙" not in listing and "河南企业" not in listing
    own = hubei.get(f"/console/profiles/institutions/{world.inst}")
    assert own.status_code == 200 and "实施率" in own.text
    assert hubei.get(f"/console/profiles/institutions/{world.other_inst}").status_code == 404
    ent = hubei.get(f"/console/profiles/enterprises/{world.ent}")
    assert ent.status_code == 200 and "需求主题" in ent.text
    assert hubei.get(f"/console/profiles/enterprises/{world.other_ent}").status_code == 404
    nav = re.findall(r'<li><a href="([^"]+)"', screening.text)
    assert "/console/screening" in nav and "/console/profiles" in nav
