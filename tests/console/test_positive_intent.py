"""Matching as an enterprise after a positive intent exists (issue 15, defect 1).

``signals._need_peers`` turned a ``Result`` into a dict; ``dict()`` took it for a mapping
(it has ``.keys()``), so every enterprise match failed once any positive intent and any
open need existed. Each entry point an enterprise uses is exercised here.
"""

from fastapi.testclient import TestClient

from tests import factories as f
from tests.conftest import ClientFor
from tests.console.conftest import ConsoleFor


def test_enterprise_matches_after_positive_feedback(
    client: TestClient, client_for: ClientFor, console_for: ConsoleFor
) -> None:
    patent = f.create(client, "/v1/patents", f.patent(title="锂电池回收方法"))["id"]
    ent = f.create(client, "/v1/enterprises", f.enterprise(industry_code="C3841"))["id"]
    peer = f.create(client, "/v1/enterprises", f.enterprise(industry_code="C3841"))["id"]
    need = f.create(client, "/v1/needs", f.need(ent, title="锂电池回收"))["id"]
    f.create(client, "/v1/needs", f.need(peer, title="废旧锂电池回收"))
    asker = client_for("enterprise", enterprise_id=ent)
    liked = client_for("enterprise", enterprise_id=peer).post(
        f"/v1/patents/{patent}/feedback", json={"intent": "license"}
    )
    assert liked.status_code == 201, liked.text

    matched = asker.post("/v1/match", json={"text": "锂电池回收"})
    assert matched.status_code == 200, matched.text
    assert [i["patent"]["id"] for i in matched.json()["items"]] == [patent]
    by_need = asker.get(f"/v1/needs/{need}/matches")
    assert by_need.status_code == 200, by_need.text
    assert [i["patent"]["id"] for i in by_need.json()["items"]] == [patent]
    run = client.post("/v1/match-runs", json={"per_need": 5})
    assert run.status_code in (201, 202), run.text
    state = client.get(f"/v1/match-runs/{run.json()['id']}").json()
    assert state["state"] == "succeeded", state
    results = client.get(f"/v1/match-runs/{state['id']}/results").json()["items"]
    assert {r["need_id"]: [m["patent_id"] for m in r["matches"]] for r in results}[need] == [patent]
    page = console_for("enterprise", enterprise_id=ent).get(
        f"/console/matches?run=1&source=need&need_id={need}"
    )
    assert page.status_code == 200, page.text
    assert "同类企业意向" in page.text  # the peer's licence intent reached the ranking


def test_no_dict_of_a_result_in_app() -> None:
    """``dict(session.execute(...))`` fails at run time; ``dict(....all())`` or unpacking
    the rows is what works. Guard the whole package, not just the place that broke."""
    import ast
    from pathlib import Path

    found = []
    for path in Path("app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict"):
                continue
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Call) and getattr(arg.func, "attr", "") == "execute":
                found.append(f"{path}:{node.lineno}")
    assert not found, found
