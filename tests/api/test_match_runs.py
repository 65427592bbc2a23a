"""Batch match runs: end to end, paging by need, restart behaviour."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.common.jobs import JobState
from app.config import Settings
from app.db import utcnow
from app.main import create_app
from app.matches.models import MatchRun
from tests import factories as f


def _seed(client: TestClient) -> list[int]:
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    f.create(client, "/v1/patents", f.patent(title="无人机巡检图像采集装置"))
    f.create(client, "/v1/patents", f.patent(title="锂电池正极材料"))
    needs = [
        f.create(client, "/v1/needs", f.need(ent, title=t))["id"]
        for t in ("无人机巡检", "锂电池材料", "锂电池 无人机")
    ]
    f.create(client, "/v1/needs", f.need(ent, title="已关闭的需求", status="closed"))
    return needs


def test_run_end_to_end(client: TestClient) -> None:
    needs = _seed(client)
    created = client.post("/v1/match-runs", json={"per_need": 1})
    assert created.status_code == 202 and created.json()["total"] == 3  # open needs only
    run = client.get(f"/v1/match-runs/{created.json()['id']}").json()
    assert run["state"] == "succeeded" and run["processed"] == run["total"] == 3
    assert run["started_at"] and run["finished_at"]
    page = client.get(f"/v1/match-runs/{run['id']}/results?limit=2").json()
    assert page["total"] == 3 and [i["need_id"] for i in page["items"]] == needs[:2]
    first = page["items"][0]["matches"]
    assert len(first) == 1 and first[0]["rank"] == 1 and first[0]["explanation"]["summary"]
    rest = client.get(f"/v1/match-runs/{run['id']}/results?limit=2&offset=2").json()
    assert [i["need_id"] for i in rest["items"]] == needs[2:]


def test_selected_needs_and_validation(client: TestClient) -> None:
    needs = _seed(client)
    run = client.post("/v1/match-runs", json={"need_ids": needs[:1]}).json()
    assert run["total"] == 1 and client.get(f"/v1/match-runs/{run['id']}").json()["processed"] == 1
    bad = client.post("/v1/match-runs", json={"need_ids": [987654]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "need_ids"
    assert client.post("/v1/match-runs", json={"per_need": 0}).status_code == 422
    assert client.get("/v1/match-runs/987654").status_code == 404


def test_a_restart_fails_runs_left_running(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        stale = MatchRun(
            state=JobState.running,
            per_need=5,
            total=10,
            processed=3,
            heartbeat_at=utcnow() - timedelta(minutes=10),
        )
        alive = MatchRun(state=JobState.running, per_need=5, total=10, heartbeat_at=utcnow())
        session.add_all([stale, alive])
        session.flush()
        ids = stale.id, alive.id
    restarted = create_app(client.app.state.settings, session_factory)  # type: ignore[attr-defined]
    with TestClient(restarted):
        pass
    states = [client.get(f"/v1/match-runs/{i}").json() for i in ids]
    assert states[0]["state"] == "failed" and "restart" in states[0]["errors"][0]["reason"]
    assert states[1]["state"] == "running"  # another worker's live run is left alone


def test_cli_rebuilds_and_saves_the_index(
    fresh_database_url: Callable[[], str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app import cli
    from app.config import get_settings
    from app.migrate import upgrade_head

    url = fresh_database_url()
    upgrade_head(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PANHUO_INDEX_DIR", str(tmp_path / "index"))
    get_settings.cache_clear()
    try:
        assert cli.main(["load-sample"]) == 0
        assert cli.main(["index", "rebuild"]) == 0
    finally:
        get_settings.cache_clear()
    saved = tmp_path / "index" / "patents"
    assert (saved / (saved / "CURRENT").read_text(encoding="utf-8") / "meta.json").exists()
    app = create_app(Settings(database_url=url, index_dir=tmp_path / "index"))
    with TestClient(app) as http:  # starts from the saved files: fingerprints match
        assert http.get("/ready").json()["index"]["patents"] == 300


def test_run_results_carry_the_patent_summary(client: TestClient) -> None:
    inst = f.create(client, "/v1/institutions", f.institution(name="巡检大学"))["id"]
    ent = f.create(client, "/v1/enterprises", f.enterprise())["id"]
    patent = f.create(
        client, "/v1/patents", f.patent(title="无人机巡检图像采集装置", institution_id=inst)
    )
    f.create(client, "/v1/needs", f.need(ent, title="无人机巡检"))
    run = client.post("/v1/match-runs", json={"per_need": 1}).json()
    top = client.get(f"/v1/match-runs/{run['id']}/results").json()["items"][0]["matches"][0]
    assert top["patent_id"] == patent["id"]
    assert top["patent"] == {
        "id": patent["id"],
        "application_number": patent["application_number"],
        "title": "无人机巡检图像采集装置",
        "legal_status": "valid",
        "institution_id": inst,
        "institution_name": "巡检大学",
    }
    client.delete(f"/v1/patents/{patent['id']}")
    gone = client.get(f"/v1/match-runs/{run['id']}/results").json()["items"][0]["matches"][0]
    assert gone["patent_id"] == patent["id"] and gone["patent"] is None
