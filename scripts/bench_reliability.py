"""Reliability on the default configuration: SQLite, one uvicorn worker, feed worker in process.

    python scripts/bench_reliability.py import-beside-writer [--rows 100000]
    python scripts/bench_reliability.py kill-import [--rows 100000] [--kill-at 30000]
    python scripts/bench_reliability.py kill-delivery [--items 5000] [--kill-at 1000]

Each scenario runs the real service (``uvicorn app.main:app`` on a free port, as
``scripts/run`` does but on a SQLite file in a temporary directory, migrated and loaded
with the sample) or the real ``panhuo worker`` process, and prints one JSON line.

- import-beside-writer: an admin key is issued with ``panhuo admin create-key`` while the
  service runs; a subscription and a webhook endpoint keep the feed worker producing and
  delivering; an N-row CSV (scripts/bench_import.py's) is uploaded while a loop POSTs
  needs through the API until the import ends. Reports the job and every writer status.
- kill-import: the service is killed with SIGKILL once the job has processed ``--kill-at``
  rows, restarted, the job's state read, the file uploaded again: rows landed against the
  file's distinct valid rows.
- kill-delivery: N feed items in the outbox; ``panhuo worker`` is killed with SIGKILL
  after the receiver got ``--kill-at``, then restarted until the outbox is empty (claims of
  the dead worker are retried once their 120 s lease expires): delivered, duplicate and
  lost items, by webhook-id as a receiver deduping on it sees them.
"""

import argparse
import collections
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_import import write_file  # noqa: E402

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
log = open(sys.argv[1], "a", buffering=1)
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        log.write(self.headers.get("webhook-id", "") + "\\n")
        self.send_response(204); self.send_header("content-length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H); s.daemon_threads = True
print(s.server_address[1], flush=True); s.serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Site:
    """A temporary SQLite deployment: its environment, CLI, service and receiver."""

    def __init__(self, tmp: Path) -> None:
        self.db = tmp / "panhuo.db"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db}",
            "PANHUO_INDEX_DIR": str(tmp / "index"),
            "PANHUO_IMPORT_DIR": str(tmp / "imports"),
            "PANHUO_WEBHOOK_ALLOW_NETWORKS": '["127.0.0.0/8"]',
            "PANHUO_RATE_LIMIT_PER_MINUTE": "1000000",
            "PYTHONPATH": str(ROOT),
        }
        self.tmp, self.port = tmp, _free_port()
        self.server: subprocess.Popen[bytes] | None = None
        self.hooks_log = tmp / "received.txt"
        self.cli("migrate")
        self.cli("load-sample")

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout

    def new_key(self) -> str:
        return self.cli("admin", "create-key", "--role", "admin").strip().splitlines()[-1]

    def serve(self) -> None:
        cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(self.port)]
        log = (self.tmp / "server.log").open("ab")
        self.server = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/ready", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("the service did not become ready")

    def stop(self) -> None:
        if self.server is None:
            return
        self.server.terminate()
        try:  # a loaded machine saves the index and stops the worker slowly
            self.server.wait(300)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait(30)

    def kill9(self) -> None:
        assert self.server is not None
        self.server.kill()
        self.server.wait(30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def receiver(self) -> tuple[subprocess.Popen[str], str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(self.hooks_log)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # resets from the killed worker's connections
            text=True,
        )
        assert proc.stdout is not None
        return proc, f"http://127.0.0.1:{proc.stdout.readline().strip()}/hooks"

    def sql(self, query: str) -> Any:
        with sqlite3.connect(self.db, timeout=60) as conn:
            return conn.execute(query).fetchone()


def _upload(http: httpx.Client, path: Path) -> int:
    with path.open("rb") as fh:
        response = http.post("/v1/imports", files={"file": (path.name, fh, "text/csv")})
    response.raise_for_status()
    return int(response.json()["id"])


def _wait_job(http: httpx.Client, job_id: int, until: Any, limit: float = 3600) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = dict(http.get(f"/v1/imports/{job_id}", timeout=60).json())
        if until(job):
            return job
        time.sleep(1)
    raise RuntimeError(f"job {job_id} did not get there: {job}")


def _done(job: dict[str, Any]) -> bool:
    return job["state"] in ("succeeded", "failed")


def _feeds(http: httpx.Client, hook_url: str) -> None:
    """Enterprise 1 subscribes broadly and has a webhook: the feed worker stays busy."""
    sub = {"name": "bench", "keywords": ["方法", "系统", "装置"]}
    http.post("/v1/enterprises/1/subscriptions", json=sub).raise_for_status()
    hook = {"url": hook_url, "events": ["feed.item"]}
    http.post("/v1/enterprises/1/webhooks", json=hook).raise_for_status()


class Writer(threading.Thread):
    """POSTs needs through the API in a loop, recording every status and latency."""

    def __init__(self, url: str, key: str) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"})
        self.stop, self.statuses = threading.Event(), collections.Counter[str]()
        self.latencies: list[float] = []

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            start = time.perf_counter()
            try:
                body = {"enterprise_id": 1, "title": f"无人机巡检需求 {n}"}
                status = str(self.http.post("/v1/needs", json=body, timeout=120).status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            self.latencies.append(time.perf_counter() - start)
            self.statuses[status] += 1
            time.sleep(0.05)

    def report(self) -> dict[str, Any]:
        lat = sorted(self.latencies) or [0.0]
        return {
            "requests": len(self.latencies),
            "statuses": dict(self.statuses),
            "p50_ms": round(lat[len(lat) // 2] * 1000),
            "max_ms": round(lat[-1] * 1000),
        }


def import_beside_writer(site: Site, args: argparse.Namespace) -> dict[str, Any]:
    path = site.tmp / "patents.csv"
    write_file(path, args.rows)
    receiver, hook_url = site.receiver()
    site.serve()
    try:
        key = site.new_key()  # panhuo admin create-key while the service runs
        http = httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {key}"})
        _feeds(http, hook_url)
        writer = Writer(site.url, key)
        writer.start()
        start = time.monotonic()
        job = _wait_job(http, _upload(http, path), _done)
        seconds = time.monotonic() - start
        writer.stop.set()
        writer.join(150)
        items = site.sql("SELECT count(*) FROM feed_items")[0]
        states = site.sql("SELECT count(*) FROM feed_patent_states")[0]
        time.sleep(30)  # production goes on after the job ends
        later = site.sql("SELECT count(*) FROM feed_items")[0]
        return {
            "scenario": "import-beside-writer",
            "rows": args.rows,
            "seconds": round(seconds, 1),
            "job": {k: job[k] for k in ("state", "inserted", "failed", "error")},
            "writer": writer.report(),
            "feed_items_produced_meanwhile": items,
            "patents_seen_by_the_producer_meanwhile": states,
            "feed_items_30_s_later": later,
            "key_created_while_serving": True,
        }
    finally:
        site.stop()
        receiver.kill()


def kill_import(site: Site, args: argparse.Namespace) -> dict[str, Any]:
    path = site.tmp / "patents.csv"
    write_file(path, args.rows)
    key = site.new_key()
    http = httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {key}"})
    site.serve()
    try:
        job_id = _upload(http, path)
        killed = _wait_job(http, job_id, lambda j: _done(j) or j["processed"] >= args.kill_at)
        site.kill9()
        restarted = time.monotonic()
        site.serve()
        after = _wait_job(http, job_id, _done, limit=120)
        seen_failed_after = time.monotonic() - restarted
        again = _wait_job(http, _upload(http, path), _done)
    finally:
        site.stop()
    rows, distinct = site.sql(
        "SELECT count(*), count(DISTINCT application_number) FROM patents "
        "WHERE application_number LIKE 'CN2097%'"
    )
    return {
        "scenario": "kill-import",
        "rows_in_file": args.rows,
        "processed_when_killed": killed["processed"],
        "state_after_restart": after["state"],
        "error_after_restart": after["error"],
        "seconds_from_restart_to_failed": round(seen_failed_after, 1),
        "reupload": {k: again[k] for k in ("state", "inserted", "unchanged", "failed")},
        "rows_landed": rows,
        "distinct_rows_landed": distinct,
    }


def _seed_outbox(site: Site, hook_url: str, items: int) -> None:
    """``items`` feed items with their outbox rows, written by the real producer."""
    code = f"""
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.enterprises.models import Enterprise
from app.feeds.models import Subscription, WebhookEndpoint
from app.feeds.webhook_security import new_secret
from app.feeds.producer import Producer
from app.hooks import install
from app.patents.models import Patent
install()
settings = Settings()
factory = make_sessionmaker(make_engine(settings.database_url))
with factory() as s, s.begin():
    ent = Enterprise(name="投递企业", uscc="91410100MA44YUW00W", region_code="410100")
    s.add(ent); s.flush()
    s.add(Subscription(enterprise_id=ent.id, name="无人机", keywords=["无人机"]))
    s.add(WebhookEndpoint(enterprise_id=ent.id, url={hook_url!r}, secret=new_secret(),
                          events=["feed.item"], state="healthy"))
    for i in range({items}):
        s.add(Patent(application_number=f"CN2098{{i:08d}}.X", patent_type="invention",
                     title=f"无人机巡检装置{{i}}", legal_status="valid", pool_status="in_pool",
                     implementation_status="not_implemented"))
print(Producer().run(factory, None, settings))
"""
    subprocess.run([sys.executable, "-c", code], env=site.env, cwd=ROOT, check=True)


def kill_delivery(site: Site, args: argparse.Namespace) -> dict[str, Any]:
    receiver, hook_url = site.receiver()
    env = {**site.env, "PANHUO_WORKER_IN_PROCESS": "false"}
    worker_cmd = [sys.executable, "-m", "app.cli", "worker"]
    try:
        _seed_outbox(site, hook_url, args.items)
        queued = site.sql("SELECT count(*) FROM webhook_deliveries")[0]
        worker = subprocess.Popen(worker_cmd, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
        while _received(site) < args.kill_at:
            time.sleep(0.02)
        worker.kill()
        worker.wait(30)
        at_kill = _received(site)
        start = time.monotonic()
        worker = subprocess.Popen(worker_cmd, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
        while site.sql("SELECT count(*) FROM webhook_deliveries WHERE state != 'succeeded'")[0]:
            if time.monotonic() - start > 900:
                break
            time.sleep(1)
        drained = time.monotonic() - start
        worker.terminate()
        worker.wait(60)
    finally:
        receiver.kill()
    ids = site.hooks_log.read_text().split()
    unique = set(ids)
    return {
        "scenario": "kill-delivery",
        "items_queued": queued,
        "received_when_killed": at_kill,
        "seconds_restart_to_drained": round(drained, 1),
        "received": len(ids),
        "distinct_delivered": len(unique),
        "duplicates": len(ids) - len(unique),
        "lost": queued - len(unique),
        "not_succeeded": site.sql(
            "SELECT count(*) FROM webhook_deliveries WHERE state != 'succeeded'"
        )[0],
    }


def _received(site: Site) -> int:
    if not site.hooks_log.exists():
        return 0
    return len(site.hooks_log.read_text().split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario", choices=["import-beside-writer", "kill-import", "kill-delivery"]
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--kill-at", type=int, default=None)
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: a temp dir)")
    args = parser.parse_args()
    if args.kill_at is None:
        args.kill_at = 30_000 if args.scenario == "kill-import" else 1_000
    run = {
        "import-beside-writer": import_beside_writer,
        "kill-import": kill_import,
        "kill-delivery": kill_delivery,
    }[args.scenario]
    if args.workdir:  # kept afterwards: server.log, the database
        args.workdir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(run(Site(args.workdir), args), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(Site(Path(tmp)), args), ensure_ascii=False))


if __name__ == "__main__":
    main()
