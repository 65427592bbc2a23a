"""A job whose process is gone is failed within a minute, whichever worker notices.

The import runs in a real ``panhuo import`` process killed with SIGKILL; another worker's
sweep (and any read of the job) reports it failed, in Chinese and English.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.auth.principal import SYSTEM
from app.common import liveness
from app.common.jobs import JobState
from app.common.jobs import sweep as sweep_jobs
from app.db import make_sessionmaker, utcnow
from app.imports import service as imports
from app.imports.models import ImportJob
from app.matches import runs
from app.matches.models import MatchRun
from tests import factories as f
from tests.imports.helpers import csv_bytes

ROOT = Path(__file__).resolve().parents[2]


def _killed_pid() -> int:
    """The pid of a process that existed and was killed with SIGKILL (and reaped)."""
    proc = subprocess.Popen(["sleep", "60"])
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    return proc.pid


def _job(factory: sessionmaker[Session]) -> ImportJob:
    with factory() as session:
        job = session.get(ImportJob, 1)
        assert job is not None
        return job


def test_import_process_killed_mid_run_is_failed_by_another_worker(
    committed: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    rows = [[f.application_number(), f"无人机{i}", "发明", "2020-01-02"] for i in range(40_000)]
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(rows))
    env = {**os.environ, "DATABASE_URL": url, "PANHUO_IMPORT_DIR": str(tmp_path / "store")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "import", str(path)],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600  # a loaded machine starts the CLI slowly
        while time.monotonic() < deadline and proc.poll() is None:
            with factory() as session:
                job = session.get(ImportJob, 1)
                if job is not None and job.processed >= 1000:
                    break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    job = _job(factory)
    assert job.state is JobState.running and job.processed < 40_000  # killed mid-run
    assert job.owner == f"{liveness.this_process().rpartition(':')[0]}:{proc.pid}"
    with factory() as session:  # a read shows it at once, without writing
        shown = imports.get(session, SYSTEM, 1)
        assert shown.state is JobState.failed and shown.error == ImportJob.wording.stopped
    assert _job(factory).state is JobState.running
    assert sweep_jobs(factory) == 1  # any worker's round
    job = _job(factory)
    assert (job.state, job.error) == (JobState.failed, ImportJob.wording.stopped)
    assert "请重新上传" in ImportJob.wording.stopped and "upload again" in ImportJob.wording.stopped
    assert job.finished_at is not None


def test_job_of_another_host_is_failed_once_its_heartbeat_is_stale(
    committed: tuple[str, Engine],
) -> None:
    _url, engine = committed
    factory = make_sessionmaker(engine)
    with factory() as session, session.begin():
        session.add(
            ImportJob(
                state=JobState.running,
                filename="a.csv",
                file_format="csv",
                stored_path="/nowhere",
                owner="another-host:1",  # nothing can be known of its pid
                heartbeat_at=utcnow() - timedelta(seconds=20),
            )
        )
    assert sweep_jobs(factory) == 0  # a recent heartbeat: alive
    with factory() as session, session.begin():
        job = session.get(ImportJob, 1)
        assert job is not None
        job.heartbeat_at = utcnow() - liveness.STALE_AFTER - timedelta(seconds=1)
    assert timedelta(seconds=60) >= liveness.STALE_AFTER
    assert sweep_jobs(factory) == 1
    assert _job(factory).state is JobState.failed


def test_match_run_of_a_killed_process_is_failed(committed: tuple[str, Engine]) -> None:
    _url, engine = committed
    factory = make_sessionmaker(engine)
    host = liveness.this_process().rpartition(":")[0]
    with factory() as session, session.begin():
        session.add(
            MatchRun(
                state=JobState.running,
                per_need=5,
                owner=f"{host}:{_killed_pid()}",
                heartbeat_at=utcnow(),  # fresh: only the dead owner gives it away
            )
        )
    with factory() as session:
        shown = runs.get(session, 1)
        assert (
            shown.state is JobState.failed
            and shown.errors[-1]["reason"] == MatchRun.wording.stopped
        )
    assert sweep_jobs(factory) == 1
    with factory() as session:
        run = session.get(MatchRun, 1)
        assert run is not None and run.state is JobState.failed
        assert run.errors == [{"reason": MatchRun.wording.stopped}]
        assert (
            "请重新发起" in MatchRun.wording.stopped
            and "start a new run" in MatchRun.wording.stopped
        )


def test_a_live_job_keeps_its_heartbeat_while_a_batch_takes_long() -> None:
    beats = threading.Semaphore(0)
    with liveness.heartbeat(beats.release, every=0.02):
        assert beats.acquire(timeout=5) and beats.acquire(timeout=5)
    assert not liveness.owner_gone(liveness.this_process())
