"""Journeys through the HTTP API with every role, in the order real users act.

Each test is one journey and runs on two sites (see conftest): in-process on the pass's
database (SQLite or PostgreSQL), and against ``uvicorn --workers 2`` on SQLite, where
consecutive requests may land on different workers. Journeys use distinct provinces so
that on the shared server each one's statistics are its own. A new feature adds its
step here.
"""

from tests import factories as f
from tests.feeds.conftest import Receiver
from tests.journeys.conftest import Site
from tests.journeys.steps import (
    TERMS,
    Row,
    batch_run,
    enterprise,
    feed_item_and_webhook,
    former_owner_is_refused,
    give_feedback,
    import_csv,
    institution,
    key_for,
    match_need,
    match_text,
    ok,
    outcomes,
    post_need,
    refused,
    register_transfer,
    subscribe_with_webhook,
)

DRONE = Row(
    "一种输电线路无人机巡检图像缺陷识别方法",
    "无人机搭载相机对输电线路进行巡检，采集图像后自动识别绝缘子破损和导线断股缺陷。",
    "G06T7/00;B64U20/80",
)
BATTERY = Row(
    "一种高镍三元锂电池正极材料及其制备方法",
    "高镍三元正极材料经包覆改性，提高锂离子电池的循环寿命和热稳定性。",
    "H01M4/525",
)
CAMERA = Row(
    "一种输电线路巡检无人机的图像采集装置",
    "无人机机载云台相机采集输电线路巡检图像，便于识别线路缺陷。",
    "B64U20/80;H04N7/18",
)
NEED = (
    "输电线路无人机巡检缺陷识别",
    "我公司承担电网巡检业务，需要对无人机拍摄的输电线路图像自动识别缺陷。",
)


def test_from_import_to_one_registered_transfer(site: Site, receiver: Receiver) -> None:
    # The operator registers the parties and hands out keys.
    henan = institution(site, "中原理工大学", "410100")
    buyer = enterprise(site, "郑州智巡电力科技有限公司", "410100")
    rival = enterprise(site, "武汉后来电力科技有限公司", "420100")
    tto = key_for(site, "institution", institution_id=henan)
    ent = key_for(site, "enterprise", enterprise_id=buyer)
    portal = key_for(site, "portal")
    province = key_for(site, "province", province_code="410000")
    elsewhere = key_for(site, "province", province_code="420000")

    # The tech-transfer office imports its export; the enterprise posts a need.
    drone, _battery = import_csv(site, tto, henan, [DRONE, BATTERY])
    need = post_need(ent, *NEED)
    # Positive feedback, then matching: once any positive intent existed, every
    # enterprise match answered 500 (issue 15, defect 1).
    give_feedback(ent, drone, "license")
    assert ok(tto.get(f"/v1/patents/{drone}/feedback"))[0]["intent"] == "license"
    assert match_text(ent, NEED[1])[0]["patent"]["id"] == drone
    assert match_need(ent, need)[0]["patent"]["id"] == drone
    assert batch_run(site, portal, need)[0]["patent_id"] == drone

    # Subscriptions: a patent imported afterwards reaches the feed and the webhook.
    hook = subscribe_with_webhook(ent, buyer, receiver.url)
    (camera,) = import_csv(site, tto, henan, [CAMERA])
    feed_item_and_webhook(site, ent, buyer, camera, hook, receiver)

    # The deal registers the transfer; the enterprise now holds the patent.
    deal = register_transfer(tto, drone, buyer)
    assert ok(ent.get(f"/v1/deals/{deal['id']}"))["status"] == "registered"
    assert ok(ent.get(f"/v1/patents/{drone}"))["holder_enterprise_id"] == buyer
    former_owner_is_refused(site, tto, drone, rival)

    # Statistics count exactly one transfer, each reader within its scope.
    assert outcomes(province)["transfers_registered"] == 1
    assert outcomes(portal, institution_id=henan)["transfers_registered"] == 1
    assert outcomes(tto)["transfers_registered"] == 1
    assert outcomes(elsewhere)["transfers_registered"] == 0


def test_open_licence_declared_and_accepted(site: Site) -> None:
    guangxi = institution(site, "桂南工学院", "450100")
    taker = enterprise(site, "南宁开放许可受益公司", "450100")
    tto = key_for(site, "institution", institution_id=guangxi)
    ent = key_for(site, "enterprise", enterprise_id=taker)
    portal = key_for(site, "portal")
    (patent,) = import_csv(
        site, tto, guangxi, [Row("一种甘蔗收获机的切割刀盘", "甘蔗收获机刀盘。", "A01D45/10")]
    )

    declared = ok(tto.post(f"/v1/patents/{patent}/open-license", json=TERMS), 201)
    assert declared["status"] == "declared" and declared["advice"] == []
    found = match_text(ent, "甘蔗收获机 切割刀盘", filters={"open_license_only": True})
    assert [i["patent"]["open_license_id"] for i in found] == [declared["id"]]
    accepted = ok(ent.post(f"/v1/open-licenses/{declared['id']}/acceptances"), 201)
    assert accepted["enterprise_id"] == taker and accepted["starts_on"] < accepted["ends_on"]
    refused(ent.post(f"/v1/open-licenses/{declared['id']}/acceptances"), 409, "已接受", "already")
    licensees = ok(tto.get(f"/v1/open-licenses/{declared['id']}/acceptances"))
    assert [a["enterprise_id"] for a in licensees] == [taker]
    assert outcomes(portal, institution_id=guangxi)["open_licence_acceptances"] == 1


def test_a_directory_enterprise_is_found_by_its_profile(site: Site) -> None:
    chongqing = institution(site, "渝州农业大学", "500100")
    body = {
        "name": "重庆山城茶业有限公司",
        "region_code": "500100",
        "main_products": "茶叶揉捻机、名优绿茶加工设备",
        "business_scope": "一般项目：茶叶加工机械制造；茶叶销售（除依法须经批准的项目外，"
        "凭营业执照依法自主开展经营活动）",
    }
    tea = int(ok(site.admin.post("/v1/enterprises", json=f.enterprise(**body)), 201)["id"])
    tto = key_for(site, "institution", institution_id=chongqing)
    ent = key_for(site, "enterprise", enterprise_id=tea)
    row = Row("一种名优绿茶揉捻机的加压装置", "揉捻机加压装置使茶叶条索紧结。", "A23F3/12")
    (patent,) = import_csv(site, tto, chongqing, [row])

    # No need was ever written: the profile alone makes it a potential licensee.
    found = ok(tto.get(f"/v1/patents/{patent}/matches", params={"limit": 100}))["items"]
    mine = [i for i in found if i["enterprise"]["id"] == tea]
    assert mine and mine[0]["evidence"]["source"] == "profile" and mine[0]["need"] is None
    profile = ok(ent.get(f"/v1/enterprises/{tea}/profile"))
    assert [s["source"] for s in profile["sources"]] == ["main_products", "business_scope"]
    refused(tto.get(f"/v1/enterprises/{tea}/profile"), 403)
    recommended = ok(ent.get(f"/v1/enterprises/{tea}/recommendations"))["items"]
    assert recommended[0]["patent"]["id"] == patent
    give_feedback(ent, patent, "no_need")  # …and then it is left out
    found = ok(tto.get(f"/v1/patents/{patent}/matches", params={"limit": 100}))["items"]
    assert tea not in [i["enterprise"]["id"] for i in found]


def test_an_enterprise_never_sees_another_enterprises_needs(site: Site) -> None:
    owner = enterprise(site, "需求保密甲公司", "460100")
    other = enterprise(site, "好奇乙公司", "460100")
    mine = key_for(site, "enterprise", enterprise_id=owner)
    nosy = key_for(site, "enterprise", enterprise_id=other)
    need = post_need(mine, "海水淡化反渗透膜防污染", "商业秘密：我们的膜组件每季度因污染停机两次。")

    assert ok(mine.get(f"/v1/needs/{need}"))["description"].startswith("商业秘密")
    refused(nosy.get(f"/v1/needs/{need}"), 404)
    refused(nosy.get(f"/v1/needs/{need}/matches"), 404)
    refused(nosy.patch(f"/v1/needs/{need}", json={"status": "closed"}), 404)
    listed = ok(nosy.get("/v1/needs", params={"limit": 100}))
    assert need not in [n["id"] for n in listed["items"]] and "商业秘密" not in str(listed)
    refused(nosy.get(f"/v1/enterprises/{owner}/feed"), 404)
    refused(nosy.get(f"/v1/enterprises/{owner}/profile"), 404)
    refused(nosy.get(f"/v1/enterprises/{owner}/recommendations"), 404)
    sub = {"name": "偷看", "need_ids": [need]}
    assert nosy.post(f"/v1/enterprises/{other}/subscriptions", json=sub).status_code == 422
    assert ok(mine.get(f"/v1/needs/{need}"))["status"] == "open"  # untouched


def test_a_province_sees_only_its_province(site: Site) -> None:
    hunan = institution(site, "湘江大学", "430100")
    canton = institution(site, "岭南大学", "440100")
    local_firm = enterprise(site, "长沙湘绣科技有限公司", "430100")
    remote_firm = enterprise(site, "广州粤绣科技有限公司", "440100")
    hunan_tto = key_for(site, "institution", institution_id=hunan)
    canton_tto = key_for(site, "institution", institution_id=canton)
    (local,) = import_csv(site, hunan_tto, hunan, [Row("一种湘绣针法", "刺绣针法。", "D05C3/00")])
    (remote,) = import_csv(
        site, canton_tto, canton, [Row("一种粤绣针法", "刺绣针法。", "D05C3/00")]
    )
    province = key_for(site, "province", province_code="430000")

    patents = ok(province.get("/v1/patents", params={"limit": 100}))["items"]
    assert local in [p["id"] for p in patents] and remote not in [p["id"] for p in patents]
    assert all(p["region_code"].startswith("43") for p in patents)
    assert ok(province.get(f"/v1/patents/{local}"))["title"] == "一种湘绣针法"
    refused(province.get(f"/v1/patents/{remote}"), 404)
    firms = [e["id"] for e in ok(province.get("/v1/enterprises", params={"limit": 100}))["items"]]
    assert local_firm in firms and remote_firm not in firms
    refused(province.get(f"/v1/enterprises/{remote_firm}"), 404)
    summary = ok(province.get("/v1/stats/summary"))
    assert summary["filters"]["province"] == "430000" and summary["funnel"]["in_pool"] == 1
    refused(province.get("/v1/stats/summary", params={"province": "440000"}), 404)
    refused(province.post("/v1/patents", json={"title": "x"}), 403)  # reads only
