"""Start-up of real uvicorn workers: /health at once, /ready once the index is there.

Two workers start on a pool without saved files: one builds while the other waits on the
index directory's lock; both then map the same saved files.
"""

import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.common.identifiers import application_check_digit
from app.config import Settings
from app.db import make_engine, make_sessionmaker, utcnow
from app.migrate import upgrade_head
from app.models import Institution, Patent
from app.sample import load_sample
from tests.console.browser import run_uvicorn

POOL = 20_000  # enough that the build outlasts the first requests on any machine


def _pool(url: str) -> str:
    """The sample plus ``POOL`` patents recombined from its titles; an admin key."""
    upgrade_head(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        load_sample(session, Settings(database_url=url).data_dir)
        titles = list(session.scalars(select(Patent.title)))
        institution = session.scalars(select(Institution.id)).first()
        key = auth_service.create(session, ApiKeyCreate(name="t", role=Role.admin)).key
    now = utcnow()
    rows = []
    for i in range(POOL):
        body = f"20973{i:07d}"
        rows.append(
            {
                "application_number": f"CN{body}.{application_check_digit(body)}",
                "patent_type": "invention",
                "title": f"{titles[i % len(titles)]}{titles[(i * 7 + 3) % len(titles)]}",
                "applicants": [],
                "inventors": [],
                "legal_status": "valid",
                "institution_id": institution,
                "pool_status": "in_pool",
                "implementation_status": "not_implemented",
                "state_funded": False,
                "transaction_modes": ["license"],
                "created_at": now,
                "updated_at": now,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Patent), rows)
    engine.dispose()
    return key


def _ready(base: str) -> bool:
    # On a loaded machine uvicorn may restart a worker whose build starved its health
    # check (--timeout-worker-healthcheck): its connections reset, the restarted one maps.
    try:
        return httpx.get(f"{base}/ready", timeout=10).status_code == 200
    except httpx.TransportError:
        return False


def _mapping_processes(path: Path) -> int:
    """How many processes map ``path``."""
    count = 0
    for maps in Path("/proc").glob("[0-9]*/maps"):
        try:
            count += str(path) in maps.read_text()
        except OSError:
            continue
    return count


def test_health_at_once_ready_after_the_build_and_both_workers_map_one_index(
    fresh_database_url: Callable[[], str], tmp_path: Path
) -> None:
    url = fresh_database_url()
    key = _pool(url)
    settings = {"PANHUO_INDEX_START_WAIT_SECONDS": "0", "PANHUO_WORKER_IN_PROCESS": "false"}
    with run_uvicorn(url, tmp_path, "index-start.log", settings, workers=2) as base:
        assert httpx.get(f"{base}/health").status_code == 200
        ready = httpx.get(f"{base}/ready")
        assert ready.status_code == 503
        assert ready.json()["index"]["state"] == "starting"
        headers = {"Authorization": f"Bearer {key}"}
        match = httpx.post(f"{base}/v1/match", json={"text": "锂电池"}, headers=headers)
        assert match.status_code == 503
        assert match.headers["content-type"] == "application/problem+json"
        assert match.headers["retry-after"] == "10"
        deadline = time.monotonic() + 600
        while not _ready(base):
            assert time.monotonic() < deadline, "the index was never ready"
            time.sleep(0.5)
        patents = tmp_path / "index" / "patents"
        segment = patents / (patents / "CURRENT").read_text(encoding="utf-8") / "seg0_data.npy"
        # Both map the current version: the builder its own saved files, the other worker
        # the same ones (had it built again, it would map a version of its own).
        while _mapping_processes(segment) < 2:
            assert time.monotonic() < deadline, "the workers did not map the saved index"
            time.sleep(0.5)
        match = httpx.post(f"{base}/v1/match", json={"text": "锂电池"}, headers=headers)
        assert match.status_code == 200 and match.json()["items"]
