"""End-to-end benchmark of the match API: the real service on SQLite and on PostgreSQL.

    python scripts/bench_api.py --patents 200000 --needs 10000 [--requests 2000]
                                [--workers 2] [--concurrency 2,8]
                                [--backends sqlite,postgresql] [--json]

For each backend: a fresh database is migrated and filled with a generated pool (real
texts from ../shared/data, recombined by ``matching.tools.bench.make_corpus``), uvicorn is
started on it with ``--workers`` processes (the deployment default: one per core), and a
second process drives ``POST /v1/match`` at each fixed concurrency in turn: a low one for
latency, a high one for throughput. Then one batch run matches all needs against the pool.
Prints latency p50/p95 and throughput per concurrency, start-up (index build) time and the
batch run time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth import service as auth_service  # noqa: E402
from app.auth.models import Role  # noqa: E402
from app.auth.schemas import ApiKeyCreate  # noqa: E402
from app.common.identifiers import application_check_digit  # noqa: E402
from app.db import make_engine, make_sessionmaker, utcnow  # noqa: E402
from app.migrate import upgrade_head  # noqa: E402
from app.models import Enterprise, Institution, Need, Patent, PatentIpc  # noqa: E402
from matching.tools.bench import make_corpus  # noqa: E402

PROVINCES = ["110000", "310000", "320000", "330000", "420000", "440000", "410000", "510000"]
BATCH = 5000


def _patent_rows(n: int) -> tuple[list[dict[str, object]], list[dict[str, object]], list[str]]:
    docs, queries = make_corpus(n, seed=1)
    now = utcnow()
    patents, ipc = [], []
    for i, doc in enumerate(docs, start=1):
        body = f"2098{1 + i % 2}{i:07d}"
        patents.append(
            {
                "id": i,
                "application_number": f"CN{body}.{application_check_digit(body)}",
                "patent_type": "invention" if i % 2 else "utility_model",
                "title": doc.title,
                "abstract": doc.abstract,
                "ipc_main": doc.ipc_codes[0] if doc.ipc_codes else None,
                "applicants": [],
                "inventors": [],
                "legal_status": "valid",
                "institution_id": 1 + i % len(PROVINCES),
                "region_code": PROVINCES[i % 8],
                "pool_status": "in_pool",
                "implementation_status": "not_implemented",
                "state_funded": False,
                "transaction_modes": ["transfer", "license"],
                "created_at": now,
                "updated_at": now,
            }
        )
        ipc += [{"patent_id": i, "position": p, "code": c} for p, c in enumerate(doc.ipc_codes)]
    return patents, ipc, queries


def populate(url: str, n_patents: int, n_needs: int) -> list[str]:
    upgrade_head(url)
    engine = make_engine(url)
    patents, ipc, queries = _patent_rows(n_patents)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(Institution),
            [
                {
                    "id": i + 1,
                    "name": f"基准大学{i}",
                    "type": "university",
                    "region_code": p,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, p in enumerate(PROVINCES)
            ],
        )
        conn.execute(
            insert(Enterprise),
            [
                {
                    "id": 1,
                    "name": "基准企业",
                    "uscc": "91410100MA9G4TJ603",
                    "region_code": "410100",
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        for start in range(0, len(patents), BATCH):
            conn.execute(insert(Patent), patents[start : start + BATCH])
        for start in range(0, len(ipc), BATCH):
            conn.execute(insert(PatentIpc), ipc[start : start + BATCH])
        conn.execute(
            insert(Need),
            [
                {
                    "enterprise_id": 1,
                    "title": queries[i % len(queries)],
                    "keywords": [],
                    "ipc_hints": [],
                    "wanted_modes": ["license"],
                    "preferred_regions": [],
                    "status": "open",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(n_needs)
            ],
        )
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences on
            for table in ("institutions", "enterprises", "patents"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="bench", role=Role.admin)).key
    engine.dispose()
    return [key, *queries]


class Server:
    def __init__(self, url: str, port: int, index_dir: Path, workers: int) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PANHUO_INDEX_DIR": str(index_dir),
            "PANHUO_RATE_LIMIT_PER_MINUTE": "100000000",
            "PANHUO_LOG_LEVEL": "WARNING",
        }
        self.base = f"http://127.0.0.1:{port}"
        self.workers = workers
        self.log = index_dir.parent / "server.log"
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--port",
                str(port),
                "--no-access-log",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stderr=open(self.log, "w"),  # noqa: SIM115 - closed with the process
        )

    def _all_started(self) -> bool:
        # /ready answers once one worker is up; the load must wait for every worker.
        started = self.log.read_text(errors="replace").count("Application startup complete")
        return started >= self.workers

    def wait_ready(self, timeout: float = 1800) -> float:
        while time.perf_counter() - self.started < timeout:
            try:
                ready = httpx.get(f"{self.base}/ready", timeout=2).status_code == 200
                if ready and self._all_started():
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("the service exited during start-up")
            time.sleep(1)
        raise SystemExit("the service did not become ready")

    def worker_peak_rss_mb(self) -> float:
        """Largest peak RSS (VmHWM) among the uvicorn worker processes (Linux /proc)."""
        peaks = [0.0]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                if ppid == self.proc.pid:
                    status = (stat.parent / "status").read_text()
                    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
                    peaks.append(int(line.split()[1]) / 1024)
            except (OSError, StopIteration, ValueError, IndexError):
                continue
        return max(peaks)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=120)


def drive(base: str, key: str, queries: list[str], requests: int, concurrency: int) -> dict:
    """Runs in its own process: POST /v1/match at fixed concurrency; latencies in ms."""
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:

        def one(i: int) -> float:
            t0 = time.perf_counter()
            r = client.post("/v1/match", json={"text": queries[i % len(queries)], "limit": 20})
            r.raise_for_status()
            return (time.perf_counter() - t0) * 1000

        for i in range(min(50, requests)):  # warm-up
            one(i)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            lat = np.array(list(pool.map(one, range(requests))))
        wall = time.perf_counter() - t0
    return {
        "p50_ms": float(np.percentile(lat, 50)),
        "p95_ms": float(np.percentile(lat, 95)),
        "req_per_s": requests / wall,
    }


def batch_run(base: str, key: str) -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    t0 = time.perf_counter()
    run = httpx.post(
        f"{base}/v1/match-runs", json={"per_need": 20}, headers=headers, timeout=600
    ).json()
    while run["state"] in ("queued", "running"):
        time.sleep(2)
        run = httpx.get(f"{base}/v1/match-runs/{run['id']}", headers=headers, timeout=60).json()
    return {
        "needs": run["total"],
        "state": run["state"],
        "seconds": time.perf_counter() - t0,
        "errors": run["errors"],
    }


def _database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", None
    server = os.environ.get(
        "PANHUO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    name = f"panhuo_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def _drop(name: str) -> None:
    server = os.environ.get(
        "PANHUO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _drive(server: Server, key: str, query_file: Path, requests: int, concurrency: int) -> dict:
    cmd = [sys.executable, __file__, "--drive", server.base, key, str(query_file)]
    out = subprocess.run(
        [*cmd, str(requests), str(concurrency)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout), concurrency=concurrency)


def bench_backend(backend: str, args: argparse.Namespace, port: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, pg_name = _database(backend, workdir)
        try:
            t0 = time.perf_counter()
            key, *queries = populate(url, args.patents, args.needs)
            filled = time.perf_counter() - t0
            server = Server(url, port, workdir / "index", args.workers)
            try:
                startup = server.wait_ready()
                query_file = workdir / "queries.json"
                query_file.write_text(json.dumps(queries[:5000]), encoding="utf-8")
                loads = [
                    _drive(server, key, query_file, args.requests, int(c))
                    for c in args.concurrency.split(",")
                ]
                batch = batch_run(server.base, key) if args.batch else None
                rss = server.worker_peak_rss_mb()
                return {
                    "loads": loads,
                    "fill_s": filled,
                    "startup_s": startup,
                    "batch": batch,
                    "worker_peak_rss_mb": rss,
                }
            finally:
                server.stop()
        finally:
            if pg_name:
                _drop(pg_name)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--drive"]:
        base, key, query_file, requests, concurrency = argv[1:6]
        queries = json.loads(Path(query_file).read_text(encoding="utf-8"))
        print(json.dumps(drive(base, key, queries, int(requests), int(concurrency))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patents", type=int, default=20_000)
    parser.add_argument("--needs", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (one per core)")
    parser.add_argument("--concurrency", default="2,8", help="comma-separated, run in turn")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-batch", dest="batch", action="store_false", help="skip the batch run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = {b: bench_backend(b, args, 8765 + i) for i, b in enumerate(args.backends.split(","))}
    _report(args, results)
    return 0


def _report(args: argparse.Namespace, results: dict) -> None:
    if args.json:
        print(json.dumps({"patents": args.patents, "needs": args.needs, **results}))
        return
    print(
        f"match API, {args.patents:,} patents, {args.workers} uvicorn workers, "
        f"{args.requests} requests per concurrency; batch run of {args.needs:,} needs"
    )
    print(f"{'backend':<12}{'conc':>5}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}")
    for name, r in results.items():
        for load in r["loads"]:
            print(
                f"{name:<12}{load['concurrency']:>5}{load['p50_ms']:>9.1f}"
                f"{load['p95_ms']:>9.1f}{load['req_per_s']:>9.1f}"
            )
    print(f"{'backend':<12}{'start-up s':>11}{'batch s':>9}{'batch state':>13}{'worker MB':>11}")
    for name, r in results.items():
        batch = r["batch"] or {"seconds": float("nan"), "state": "skipped"}
        print(
            f"{name:<12}{r['startup_s']:>11.1f}{batch['seconds']:>9.1f}{batch['state']:>13}"
            f"{r['worker_peak_rss_mb']:>11.0f}"
        )
        if batch.get("errors"):
            print(f"{name:<12}batch errors: {batch['errors']}")


if __name__ == "__main__":
    sys.exit(main())
