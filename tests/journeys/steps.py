"""What users do, one function per step. Each step asserts its status and what matters.

Clients are ``httpx.Client``s (a TestClient in-process, a real client against uvicorn), so
the same steps drive both sites. Keys come from ``POST /v1/api-keys``, as an operator
would hand them out.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

import httpx

from tests import factories as f
from tests.feeds.conftest import Receiver, verify
from tests.journeys.conftest import Site

TERMS = {
    "fee_type": "one_off",
    "one_off_fee": "50000",
    "payment_method": "银行转账",
    "term_years": 3,
}
CSV_HEADERS = [
    "申请号",
    "专利名称",
    "摘要",
    "专利类型",
    "授权公告日",
    "分类号",
    "法律状态",
    "交易方式",
]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json() if response.content else None


def refused(response: httpx.Response, status: int, zh: str = "", en: str = "") -> None:
    """A problem+json refusal; ``zh``/``en``: words its Chinese and English halves hold."""
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    chinese, english = problem["detail"].split(" / ", 1)
    assert zh in chinese and en in english, problem


# --- operators -------------------------------------------------------------------------


def institution(site: Site, name: str, region: str) -> int:
    body = f.institution(name=name, region_code=region)
    return int(ok(site.admin.post("/v1/institutions", json=body), 201)["id"])


def enterprise(site: Site, name: str, region: str) -> int:
    body = f.enterprise(name=name, region_code=region)
    return int(ok(site.admin.post("/v1/enterprises", json=body), 201)["id"])


def key_for(site: Site, role: str, **binding: Any) -> httpx.Client:
    body = {"name": f"{role} key", "role": role, **binding}
    created = ok(site.admin.post("/v1/api-keys", json=body), 201)
    assert created["key"].startswith("pk_")
    return site.connect(created["key"])


# --- tech-transfer office (institution key) --------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of an institution's export: a valid granted invention."""

    title: str
    abstract: str
    ipc: str  # ";"-separated, as exports write lists

    def cells(self, number: str) -> list[str]:
        return [
            number,
            self.title,
            self.abstract,
            "发明",
            "2022-12-02",
            self.ipc,
            "有权",
            "许可;转让",
        ]


def import_csv(site: Site, tto: httpx.Client, institution_id: int, rows: list[Row]) -> list[int]:
    """Upload an export as CSV, wait for the job, return the new patents' ids (in order)."""
    numbers = [f.application_number() for _ in rows]
    out = io.StringIO()
    csv.writer(out).writerows(
        [CSV_HEADERS, *(r.cells(n) for r, n in zip(rows, numbers, strict=True))]
    )
    files = {"file": ("成果导出.csv", out.getvalue().encode("utf-8-sig"), "text/csv")}
    job = ok(tto.post("/v1/imports", files=files, data={"institution_id": institution_id}), 202)

    def finished() -> Any:
        state = ok(tto.get(f"/v1/imports/{job['id']}"))
        return state if state["state"] in ("succeeded", "failed") else None

    done = site.eventually(finished, f"import job {job['id']}")
    assert done["state"] == "succeeded", done
    assert (done["inserted"], done["failed"]) == (len(rows), 0), done
    ids = []
    for row, number in zip(rows, numbers, strict=True):
        found = ok(
            tto.get("/v1/patents", params={"q": row.title, "institution_id": institution_id})
        )
        (patent,) = [p for p in found["items"] if p["application_number"] == number]
        assert patent["pool_status"] == "in_pool" and patent["legal_status"] == "valid"
        ids.append(int(patent["id"]))
    return ids


def register_transfer(tto: httpx.Client, patent_id: int, enterprise_id: int) -> dict[str, Any]:
    body = {"patent_ids": [patent_id], "enterprise_id": enterprise_id, "type": "transfer"}
    deal = ok(tto.post("/v1/deals", json={**body, "amount": "500000"}), 201)
    assert deal["status"] == "intent" and deal["patent_ids"] == [patent_id]
    step = f"/v1/deals/{deal['id']}/transition"
    ok(tto.post(step, json={"status": "negotiating"}))
    ok(tto.post(step, json={"status": "signed", "signed_on": "2026-10-20"}))
    registration = {"registration_number": "ZL-2026-0042", "registered_on": "2026-11-03"}
    done = ok(tto.post(step, json={"status": "registered", **registration}))
    assert done["status"] == "registered" and done["registration_number"] == "ZL-2026-0042"
    return dict(done)


def former_owner_is_refused(site: Site, tto: httpx.Client, patent_id: int, other: int) -> None:
    """After the transfer the institution reads its record but can no longer act on it."""
    patent = ok(tto.get(f"/v1/patents/{patent_id}"))
    assert patent["pool_status"] == "withdrawn" and patent["holder_enterprise_id"] is not None
    url = f"/v1/patents/{patent_id}"
    gone = ("转让", "transferred")
    refused(tto.patch(url, json={"pool_status": "in_pool"}), 403, *gone)
    refused(tto.post(f"{url}/open-license", json=TERMS), 403, *gone)
    again = {"patent_ids": [patent_id], "enterprise_id": other, "type": "transfer"}
    refused(tto.post("/v1/deals", json=again), 403, *gone)
    refused(site.admin.post("/v1/deals", json=again), 409, *gone)  # nobody sells it twice
    assert ok(site.admin.get(url))["pool_status"] == "withdrawn"


# --- enterprise key ----------------------------------------------------------------------


def post_need(ent: httpx.Client, title: str, description: str) -> int:
    body = {"title": title, "description": description, "wanted_modes": ["license"]}
    need = ok(ent.post("/v1/needs", json=body), 201)
    assert need["status"] == "open" and need["title"] == title
    return int(need["id"])


def give_feedback(ent: httpx.Client, patent_id: int, intent: str) -> None:
    body = {"intent": intent, "share_contact": True, "message": "希望洽谈许可"}
    given = ok(ent.post(f"/v1/patents/{patent_id}/feedback", json=body), 201)
    assert given["intent"] == intent and given["is_current"]


def match_text(ent: httpx.Client, text: str, **body: Any) -> list[dict[str, Any]]:
    found = ok(ent.post("/v1/match", json={"text": text, "limit": 10, **body}))
    assert found["items"], found
    assert all(i["explanation"]["summary"] for i in found["items"])
    return list(found["items"])


def match_need(ent: httpx.Client, need_id: int) -> list[dict[str, Any]]:
    found = ok(ent.get(f"/v1/needs/{need_id}/matches", params={"limit": 10}))
    assert found["items"], found
    return list(found["items"])


def subscribe_with_webhook(ent: httpx.Client, enterprise_id: int, url: str) -> dict[str, Any]:
    base = f"/v1/enterprises/{enterprise_id}"
    sub = ok(
        ent.post(f"{base}/subscriptions", json={"name": "巡检需求订阅", "all_needs": True}), 201
    )
    assert sub["active"] and sub["all_needs"]
    hook = ok(ent.post(f"{base}/webhooks", json={"url": url}), 201)
    assert hook["secret"].startswith("whsec_")
    return dict(hook)


def feed_item_and_webhook(
    site: Site,
    ent: httpx.Client,
    enterprise_id: int,
    patent_id: int,
    hook: dict[str, Any],
    receiver: Receiver,
) -> dict[str, Any]:
    """The new patent reaches the feed, and a signed webhook reaches the receiver."""

    def in_feed() -> Any:
        items = ok(ent.get(f"/v1/enterprises/{enterprise_id}/feed", params={"limit": 100}))
        return [i for i in items["items"] if i["patent"]["id"] == patent_id]

    (item,) = site.eventually(in_feed, "the feed item")
    assert item["reason"] == "match" and "匹配需求" in item["explanation"]["summary"]

    def delivered() -> Any:
        return [
            r for r in receiver.unique().values() if r.json["data"].get("item_id") == item["id"]
        ]

    (got,) = site.eventually(delivered, "the webhook delivery")
    verify(hook["secret"], got)
    assert got.json["type"] == "feed.item" and got.json["data"]["patent"]["id"] == patent_id
    return dict(item)


# --- portal, province --------------------------------------------------------------------


def batch_run(site: Site, portal: httpx.Client, need_id: int) -> list[dict[str, Any]]:
    """A batch run over every open need; the results of ``need_id``."""
    run = ok(portal.post("/v1/match-runs", json={"per_need": 5}), 202)

    def finished() -> Any:
        state = ok(portal.get(f"/v1/match-runs/{run['id']}"))
        return state if state["state"] in ("succeeded", "failed") else None

    done = site.eventually(finished, f"match run {run['id']}")
    assert done["state"] == "succeeded" and done["processed"] == done["total"] >= 1, done
    page = ok(portal.get(f"/v1/match-runs/{run['id']}/results", params={"limit": 100}))
    (mine,) = [n for n in page["items"] if n["need_id"] == need_id]
    assert mine["matches"] and mine["matches"][0]["rank"] == 1
    return list(mine["matches"])


def outcomes(reader: httpx.Client, **params: Any) -> dict[str, Any]:
    return dict(ok(reader.get("/v1/stats/summary", params=params))["outcomes"])
