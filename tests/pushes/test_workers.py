"""Workers sharing push runs: exclusive claims, several processes, resume after kill -9."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.principal import SYSTEM
from app.config import Settings
from app.db import make_sessionmaker, write_session
from app.enterprises.models import Enterprise
from app.feeds.models import FeedItem, Reason
from app.feeds.worker import Worker
from app.matches.engine import MatchEngine
from app.patents.models import ImplementationStatus, LegalStatus, Patent, PatentType, PoolStatus
from app.pushes import partitions, service
from app.pushes.models import PartitionState, PushPartition, PushRun, PushState
from app.pushes.schemas import PushRunCreate
from tests import factories as f

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOPICS = [
    "无人机巡检",
    "锂离子电池正极",
    "污水处理膜",
    "数控机床主轴",
    "中药提取工艺",
    "光伏逆变器",
]


def _world(factory: sessionmaker[Session], enterprises: int) -> None:
    with factory() as session, session.begin():
        for i, topic in enumerate(TOPICS * 3):
            session.add(
                Patent(
                    application_number=f.application_number(),
                    patent_type=PatentType.invention,
                    title=f"一种{topic}装置{i}",
                    abstract=f"本发明涉及{topic}，提高效率。",
                    legal_status=LegalStatus.valid,
                    pool_status=PoolStatus.in_pool,
                    implementation_status=ImplementationStatus.not_implemented,
                )
            )
        session.add_all(
            Enterprise(
                name=f"企业{i}",
                uscc=f.credit_code(),
                region_code="420100",
                description=f"{TOPICS[i % len(TOPICS)]}的研发与生产",
            )
            for i in range(enterprises)
        )


def _start_run(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, size: int, per: int
) -> int:
    monkeypatch.setattr(service, "PARTITION_SIZE", size)
    body = PushRunCreate.model_validate({"enterprises": {"all": True}, "per_enterprise": per})
    with write_session(factory) as session:
        return service.create(session, SYSTEM, body).id


def _check_complete(
    factory: sessionmaker[Session], run_id: int, enterprises: int, per: int
) -> None:
    with factory() as session:
        run = session.get(PushRun, run_id)
        assert run is not None and run.state is PushState.succeeded
        parts = list(session.scalars(select(PushPartition).where(PushPartition.run_id == run_id)))
        assert all(p.state is PartitionState.done for p in parts)
        assert sum(p.done_enterprises for p in parts) == enterprises
        per_ent = session.execute(
            select(FeedItem.enterprise_id, func.count())
            .where(FeedItem.reason == Reason.profile)
            .group_by(FeedItem.enterprise_id)
        ).all()
        assert len(per_ent) == enterprises and {n for _, n in per_ent} == {per}
        assert sum(p.items for p in parts) == enterprises * per


def test_concurrent_claims_never_share_a_partition(
    committed: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, engine = committed
    factory = make_sessionmaker(engine)
    _world(factory, 40)
    run_id = _start_run(factory, monkeypatch, size=2, per=1)
    claimed: list[int] = []
    lock, go = threading.Lock(), threading.Barrier(4)

    def claim_all() -> None:
        go.wait()
        while True:
            with write_session(factory) as session:
                got = partitions.claim(session)
            if got is None:
                return
            with lock:
                claimed.append(got.partition_id)

    threads = [threading.Thread(target=claim_all) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(claimed) == 20 and len(set(claimed)) == 20
    with factory() as session:
        claims = session.scalars(select(PushPartition.claims).where(PushPartition.run_id == run_id))
        assert set(claims) == {1}


def _worker_process(url: str, index_dir: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "PANHUO_INDEX_DIR": index_dir, "PYTHONPATH": ROOT}
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env, cwd=ROOT)


def _wait(factory: sessionmaker[Session], ready: Callable[[Session], bool], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with factory() as session:
            if ready(session):
                return
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_two_worker_processes_share_a_run(
    committed: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    _world(factory, 120)
    run_id = _start_run(factory, monkeypatch, size=10, per=2)
    procs = [_worker_process(url, f"{tmp_path}/index{n}") for n in range(2)]
    try:
        _wait(factory, lambda s: s.get(PushRun, run_id).state is PushState.succeeded, 240)  # type: ignore[union-attr]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)
    with factory() as session:
        claims = session.scalars(select(PushPartition.claims).where(PushPartition.run_id == run_id))
        assert set(claims) == {1}  # no partition was worked twice
    _check_complete(factory, run_id, 120, 2)


def test_run_resumes_after_its_worker_is_killed(
    committed: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    _world(factory, 600)
    run_id = _start_run(factory, monkeypatch, size=300, per=2)

    def progressed(session: Session) -> bool:
        stmt = select(func.sum(PushPartition.done_enterprises)).where(
            PushPartition.run_id == run_id
        )
        return bool(session.scalar(stmt))

    proc = _worker_process(url, str(tmp_path))
    try:
        _wait(factory, progressed, 240)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    with factory() as session:
        run = session.get(PushRun, run_id)
        assert run is not None and run.state is PushState.running  # killed mid-run
        owners = set(
            session.scalars(select(PushPartition.owner).where(PushPartition.owner.is_not(None)))
        )
        assert owners  # the dead worker's partition still names it

    settings = Settings(database_url=url, index_dir=None)
    match_engine = MatchEngine(None)
    with factory() as session, session.begin():
        match_engine.start(session)
    restarted = Worker(factory, match_engine, settings)
    restarted.run_until_idle()
    restarted.stop()
    with factory() as session:
        claims = list(session.scalars(select(PushPartition.claims)))
        assert max(claims) == 2  # the killed partition was re-claimed and resumed
    _check_complete(factory, run_id, 600, 2)
