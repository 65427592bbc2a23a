"""Feeds benchmark: N new patents into a pool with S active subscriptions.

    python scripts/bench_feeds.py [--patents 10000] [--subscriptions 10000] [--pool 10000]
                                  [--webhooks 1000] [--backends sqlite,postgresql]
                                  [--database-url PG_SERVER_URL] [--json]

Each backend runs in a fresh process against a fresh database (a SQLite file, or a new
database on the PostgreSQL server, $PANHUO_BENCH_PG_URL by default, dropped afterwards),
migrated and seeded: a pool of existing patents, one enterprise per subscription with one
open need, subscriptions mixing need-following, keyword, IPC and SEI/region criteria with
minimum scores, and webhook endpoints on the first enterprises pointing at a local
receiver (a separate process answering 204). The match index starts as in the service.

Then the new patents are imported through the bulk-upload path (1,000 per transaction)
and the index catches up (the import job does this in the service). Timed:

- feed production: the producer, from the change log to committed feed items and outbox
  rows (reverse matching against every active subscription, batched);
- deliveries: the worker sending the outbox to the receiver until it is empty.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.principal import SYSTEM  # noqa: E402
from app.common.identifiers import application_check_digit  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine, make_sessionmaker  # noqa: E402
from app.enterprises.models import Enterprise  # noqa: E402
from app.feeds.models import FeedItem, Subscription, WebhookDelivery, WebhookEndpoint  # noqa: E402
from app.feeds.outbound import new_secret  # noqa: E402
from app.feeds.worker import Worker  # noqa: E402
from app.imports import service as imports  # noqa: E402
from app.matches.engine import MatchEngine  # noqa: E402
from app.migrate import upgrade_head  # noqa: E402
from app.needs.models import Need  # noqa: E402
from app.patents.models import Patent, PatentIpc  # noqa: E402
from matching.tools.bench import make_corpus  # noqa: E402

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204); self.send_header("content-length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H); s.daemon_threads = True
print(s.server_address[1], flush=True); s.serve_forever()
"""
PG_SERVER = os.environ.get(
    "PANHUO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REGIONS = ["110000", "310000", "320000", "330000", "420100", "410100", "440300", "510100"]


def _database(backend: str, server: str, workdir: str) -> tuple[str, str | None]:
    """A fresh database's URL, and its name when one was created on the server."""
    if backend == "sqlite":
        return f"sqlite:///{workdir}/feeds-{uuid.uuid4().hex[:6]}.db", None
    name = f"panhuo_bench_{uuid.uuid4().hex[:8]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def _admin(server: str, sql: str) -> None:
    admin = make_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(sql))
    admin.dispose()


def _number(i: int, year: str) -> str:
    body = f"{year}{1 + i % 2}{i:07d}"
    return f"CN{body}.{application_check_digit(body)}"


def _seed(factory: Any, pool: int, subs: int, hooks: int, receiver: str) -> None:
    docs, queries = make_corpus(pool + subs, seed=7)
    rng = random.Random(7)
    with factory() as session, session.begin():
        rows = [
            {
                "application_number": _number(i, "2095"),
                "patent_type": "invention",
                "title": d.title,
                "abstract": d.abstract,
                "ipc_main": d.ipc_codes[0] if d.ipc_codes else None,
                "legal_status": "valid",
                "pool_status": "in_pool",
                "implementation_status": "not_implemented",
                "region_code": rng.choice(REGIONS),
                "transaction_modes": ["license"],
            }
            for i, d in enumerate(docs[:pool])
        ]
        ids = session.scalars(
            insert(Patent).returning(Patent.id, sort_by_parameter_order=True), rows
        ).all()
        ipc = [
            {"patent_id": pid, "position": n, "code": code}
            for pid, d in zip(ids, docs, strict=False)
            for n, code in enumerate(d.ipc_codes)
        ]
        if ipc:
            session.execute(insert(PatentIpc), ipc)
        ents = session.scalars(
            insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True),
            [
                {"name": f"企业{i}", "uscc": f"91{i:016d}", "region_code": rng.choice(REGIONS)}
                for i in range(subs)
            ],
        ).all()
        session.execute(
            insert(Need),
            [{"enterprise_id": e, "title": rng.choice(queries), "status": "open"} for e in ents],
        )
        session.execute(
            insert(Subscription), [_subscription(e, i, rng, docs) for i, e in enumerate(ents)]
        )
        if not hooks:
            return
        session.execute(
            insert(WebhookEndpoint),
            [
                {
                    "enterprise_id": e,
                    "url": receiver,
                    "secret": new_secret(),
                    "events": ["feed.item", "watch.change", "digest"],
                    "active": True,
                    "state": "healthy",
                }
                for e in ents[:hooks]
            ],
        )


def _subscription(
    enterprise_id: int, i: int, rng: random.Random, docs: list[Any]
) -> dict[str, Any]:
    sub: dict[str, Any] = {"enterprise_id": enterprise_id, "name": f"订阅{i}", "active": True}
    doc = rng.choice(docs)
    kind = i % 4
    if kind == 0:  # follow the enterprise's needs
        sub.update(all_needs=True, min_score=0.5)
    elif kind == 1:  # a keyword taken from a real title
        start = rng.randrange(max(len(doc.title) - 4, 1))
        sub.update(keywords=[doc.title[start : start + 4]])
    elif kind == 2:  # an IPC main group
        code = doc.ipc_codes[0] if doc.ipc_codes else "G06F"
        sub.update(ipc_prefixes=[code.split("/")[0] + "/"], modes=["license"])
    else:  # an IPC subclass in a province
        code = doc.ipc_codes[0] if doc.ipc_codes else "G06F"
        sub.update(ipc_prefixes=[code[:4]], regions=[rng.choice(REGIONS)])
    return sub


def _import(factory: Any, n: int) -> None:
    docs, _ = make_corpus(n, seed=11)
    rng = random.Random(11)
    for start in range(0, n, 1000):
        items = [
            {
                "application_number": _number(start + i, "2096"),
                "patent_type": "invention",
                "title": d.title,
                "abstract": d.abstract,
                "ipc_codes": ";".join(d.ipc_codes),
                "legal_status": "valid",
                "region_code": rng.choice(REGIONS),
                "transaction_modes": "license",
            }
            for i, d in enumerate(docs[start : start + 1000])
        ]
        with factory() as session, session.begin():
            result = imports.bulk(session, SYSTEM, items)
            assert result.failed == 0, result.items[0]


def _run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """One backend, in this process: seed, import, then time production and deliveries."""
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    assert receiver.stdout is not None
    receiver_url = f"http://127.0.0.1:{receiver.stdout.readline().strip()}/hook"
    upgrade_head(url)
    settings = Settings(database_url=url, index_dir=None, webhook_allow_networks=["127.0.0.0/8"])
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    out: dict[str, Any] = {"backend": engine.dialect.name}
    try:
        _seed(factory, args.pool, args.subscriptions, args.webhooks, receiver_url)
        match_engine = MatchEngine(None)
        with factory() as session, session.begin():
            match_engine.start(session)
        t0 = time.perf_counter()
        _import(factory, args.patents)
        out["import_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        with factory() as session, session.begin():
            match_engine.catch_up(session)
        out["index_catch_up_s"] = round(time.perf_counter() - t0, 2)
        worker = Worker(factory, match_engine, settings)
        out.update(_produce(worker, factory, match_engine, settings))
        out.update(_deliver(worker, factory))
        worker.stop()
    finally:
        receiver.terminate()
        engine.dispose()
    return out


def _produce(
    worker: Worker, factory: Any, match_engine: MatchEngine, settings: Settings
) -> dict[str, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    while worker.producer.run(factory, match_engine, settings):
        pass
    out: dict[str, Any] = {"feed_production_s": round(time.perf_counter() - t0, 2)}
    # CPU seconds of this process: comparable on a shared, loaded machine.
    out["feed_production_cpu_s"] = round(time.process_time() - c0, 2)
    with factory() as session:
        out["feed_items"] = session.scalar(select(func.count()).select_from(FeedItem))
        out["outbox_rows"] = session.scalar(select(func.count()).select_from(WebhookDelivery))
    return out


def _deliver(worker: Worker, factory: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    while worker.tick():
        pass
    elapsed = time.perf_counter() - t0
    with factory() as session:
        ok = session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.state == "succeeded")
        )
    return {
        "deliveries": ok,
        "delivery_s": round(elapsed, 2),
        "deliveries_per_s": round((ok or 0) / elapsed, 1),
    }


def _in_subprocess(args: argparse.Namespace, backend: str, workdir: str) -> dict[str, Any]:
    """A fresh database and a fresh process per backend (nothing cached from the last)."""
    url, pg_name = _database(backend, args.database_url, workdir)
    sizes = ("patents", "subscriptions", "pool", "webhooks")
    cmd = [sys.executable, __file__, "--run", url]
    cmd += [f"--{name}={getattr(args, name)}" for name in sizes]
    try:
        done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    finally:
        if pg_name:
            _admin(args.database_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _report(args: argparse.Namespace, out: dict[str, Any]) -> None:
    print(
        f"backend {out['backend']}: {args.patents} new patents, {args.subscriptions} subscriptions"
    )
    print(f"  pool before the import      {args.pool} patents, {args.webhooks} webhook endpoints")
    print(f"  import (bulk path)          {out['import_s']} s")
    print(f"  index catch-up              {out['index_catch_up_s']} s")
    print(
        f"  feed production             {out['feed_production_s']} s, "
        f"{out['feed_production_cpu_s']} s CPU   (target <= 60 s)"
    )
    print(f"    feed items / outbox rows  {out['feed_items']} / {out['outbox_rows']}")
    print(f"  webhook deliveries          {out['deliveries']} in {out['delivery_s']} s")
    print(f"    deliveries per second     {out['deliveries_per_s']}   (target >= 200/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patents", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=10_000)
    parser.add_argument("--webhooks", type=int, default=1_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--database-url", default=PG_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--run", metavar="URL", help=argparse.SUPPRESS)  # one backend, here
    args = parser.parse_args()
    if args.run:
        print(json.dumps(_run(args, args.run)))
        return
    with tempfile.TemporaryDirectory(prefix="panhuo-feeds-") as workdir:
        results = [_in_subprocess(args, b, workdir) for b in args.backends.split(",")]
    if args.json:
        print(json.dumps({**vars(args), "results": results}))
        return
    for out in results:
        _report(args, out)


if __name__ == "__main__":
    main()
