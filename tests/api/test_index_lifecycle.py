"""The saved index across restarts and hosts: mapped files, catch-up, damage, rebuilds."""

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.matches import engine as engine_module
from app.matches.engine import MatchEngine
from app.migrate import upgrade_head
from app.sample import load_sample
from tests import factories as f

NEED = "海水淡化反渗透膜组件"


@pytest.fixture
def sample_url(fresh_database_url: Callable[[], str]) -> str:
    url = fresh_database_url()
    upgrade_head(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        load_sample(session, Settings(database_url=url).data_dir)
    engine.dispose()
    return url


@pytest.fixture
def admin_key(sample_url: str) -> str:
    engine = make_engine(sample_url)
    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="t", role=Role.admin)).key
    engine.dispose()
    return key


@pytest.fixture
def refits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts full index builds (a mapped start-up does none)."""
    counted: list[int] = []
    original = MatchEngine._refit

    def counting(self: MatchEngine, session: object) -> None:
        counted.append(1)
        original(self, session)  # type: ignore[arg-type]

    monkeypatch.setattr(MatchEngine, "_refit", counting)
    return counted


@contextmanager
def host(url: str, index_dir: Path, key: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=url, index_dir=index_dir, worker_in_process=False))
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as http:
        yield http


def _top(http: TestClient, text: str) -> int:
    response = http.post("/v1/match", json={"text": text})
    assert response.status_code == 200, response.text
    return int(response.json()["items"][0]["patent"]["id"])


def test_two_hosts_on_one_database_see_each_others_writes(
    sample_url: str, admin_key: str, tmp_path: Path
) -> None:
    with (
        host(sample_url, tmp_path / "a", admin_key) as a,
        host(sample_url, tmp_path / "b", admin_key) as b,
    ):
        created = f.create(a, "/v1/patents", f.patent(title=NEED))
        assert _top(b, NEED) == created["id"]  # at once: b replays the change log
        b.patch(f"/v1/patents/{created['id']}", json={"title": "石墨烯散热膜"})
        assert _top(a, "石墨烯散热膜") == created["id"]
        assert _top(b, "石墨烯散热膜") == created["id"]
        versions = {h.get("/ready").json()["index"]["version"] for h in (a, b)}
        assert len(versions) == 1  # both applied the same changes


def test_a_new_host_maps_saved_files_and_catches_up(
    sample_url: str, admin_key: str, tmp_path: Path, refits: list[int]
) -> None:
    with host(sample_url, tmp_path / "a", admin_key) as a:
        assert a.get("/ready").json()["index"]["state"] == "ready"
    assert refits == [1]
    with host(sample_url, None, admin_key) as other:  # type: ignore[arg-type]
        created = f.create(other, "/v1/patents", f.patent(title=NEED))
    refits.clear()
    shutil.copytree(tmp_path / "a", tmp_path / "copy")  # a new host gets a copy of the files
    with host(sample_url, tmp_path / "copy", admin_key) as b:
        assert _top(b, NEED) == created["id"]  # replayed from the change log after the mark
        engine: MatchEngine = b.app.state.match_engine  # type: ignore[attr-defined]
        assert engine.patents is not None
        segment = engine.patents.snapshot.segments[0]
        assert not segment.data.flags.writeable  # mapped read-only, not a private copy
    assert refits == []


@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
def test_a_damaged_saved_index_is_rebuilt_not_served(
    sample_url: str, admin_key: str, tmp_path: Path, refits: list[int], damage: str
) -> None:
    with host(sample_url, tmp_path / "idx", admin_key) as a:
        expected = _top(a, "无人机巡检")
    patents = tmp_path / "idx" / "patents"
    version = patents / (patents / "CURRENT").read_text(encoding="utf-8")
    target = version / "seg0_data.npy"
    data = bytearray(target.read_bytes())
    if damage == "truncate":
        target.write_bytes(data[: len(data) // 2])
    else:
        data[len(data) - 8 : len(data)] = b"\xff" * 8  # same size: the checksum sees it
        target.write_bytes(data)
    refits.clear()
    with host(sample_url, tmp_path / "idx", admin_key) as b:
        assert _top(b, "无人机巡检") == expected
    assert refits == [1]
    assert (patents / "CURRENT").read_text(encoding="utf-8") != version.name  # replaced


def test_a_rebuild_does_not_block_reads(
    sample_url: str, admin_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fitting, release = threading.Event(), threading.Event()
    original = engine_module._fit

    def slow_fit(documents: list[object], config: object = None) -> object:
        fitting.set()
        release.wait(60)
        return original(documents, config)  # type: ignore[arg-type]

    with host(sample_url, tmp_path / "idx", admin_key) as a:
        monkeypatch.setattr(engine_module, "_fit", slow_fit)
        rebuilt: list[int] = []
        thread = threading.Thread(
            target=lambda: rebuilt.append(a.post("/v1/admin/index/rebuild").status_code)
        )
        thread.start()
        try:
            assert fitting.wait(60)
            started = time.monotonic()
            created = f.create(a, "/v1/patents", f.patent(title=NEED))
            assert _top(a, NEED) == created["id"]  # served by the old index meanwhile
            assert time.monotonic() - started < 30
        finally:
            release.set()
            thread.join(120)
        assert rebuilt == [200]
        assert _top(a, NEED) == created["id"]  # the write during the fit was replayed


def test_files_that_do_not_describe_the_database_are_rebuilt(
    sample_url: str, admin_key: str, tmp_path: Path, refits: list[int]
) -> None:
    """As after restoring the database from a backup: rows differ with no change logged."""
    with host(sample_url, tmp_path / "idx", admin_key) as a:
        patent_id = _top(a, "无人机巡检")
    engine = make_engine(sample_url)
    with engine.begin() as conn:  # behind the ORM: no change-log row
        conn.execute(
            text("UPDATE patents SET title = :t WHERE id = :i"), {"t": NEED, "i": patent_id}
        )
    engine.dispose()
    refits.clear()
    with host(sample_url, tmp_path / "idx", admin_key) as b:
        deadline = time.monotonic() + 120
        engine_: MatchEngine = b.app.state.match_engine  # type: ignore[attr-defined]
        while engine_._unverified is not None or _top(b, NEED) != patent_id:
            assert time.monotonic() < deadline, "the rebuilt index did not come in"
            time.sleep(0.2)
    assert refits == []  # mapped at start; the check rebuilt it aside (rebuild, no refit)
