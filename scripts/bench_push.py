"""Push-run benchmark (精准推送): P pool patents × E enterprise profiles, one full run.

    python scripts/bench_push.py [--patents 200000] [--enterprises 100000]
                                 [--per-enterprise 10] [--backends sqlite,postgresql]
                                 [--workers 1,2] [--database-url PG_SERVER_URL] [--json]

Data, all recombined from real texts (skipped cleanly when ../shared is absent):

- patents: titles (with their IPC subclasses) and abstract sentences of
  ../shared/data and of the need-dev corpus's patents, each patent one title, a prefix of
  one abstract and a sentence grafted from another;
- enterprise profiles: the need-dev offers (kind=offer) and needs (queries.jsonl): 主营产品
  one offer's title, 经营范围 one or two of its sentences, 简介 a sentence of a need or of
  another offer, in one of eight provinces; the profile builder (``app.profiles``) makes
  the matchable document from them, as for an imported directory.

Each configuration gets a fresh database (a SQLite file, or a new database on the PostgreSQL
server, dropped afterwards) seeded with bulk inserts. Then a push run for every
enterprise (all pool patents, ``--per-enterprise`` each) is created and worked by N worker
processes (``--workers``; SQLite runs 1 only: it has one writer). Timed: from the run's
creation until it succeeded, with each worker's index load excluded (a worker is
long-lived: it loaded its index at start). Printed: elapsed, enterprises/s, items written,
the workers' CPU time per enterprise (what a projection scales: this machine may be
shared) and the peak RSS of the largest worker.
"""

import argparse
import json
import os
import random
import re
import resource
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
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from app.auth.principal import SYSTEM  # noqa: E402
from app.common.identifiers import application_check_digit  # noqa: E402
from app.db import make_engine, make_sessionmaker, write_session  # noqa: E402
from app.enterprises.models import Enterprise  # noqa: E402
from app.feeds.models import FeedItem  # noqa: E402
from app.matches.engine import MatchEngine  # noqa: E402
from app.migrate import upgrade_head  # noqa: E402
from app.patents.models import Patent, PatentIpc  # noqa: E402
from app.pushes import runner, service  # noqa: E402
from app.pushes.models import PushRun, PushState  # noqa: E402
from app.pushes.schemas import PushRunCreate  # noqa: E402

PG_SERVER = os.environ.get(
    "PANHUO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REGIONS = ["110000", "310000", "320000", "330000", "420100", "410100", "440300", "510100"]
SENTENCE = re.compile(r"(?<=[。；;！!？?])")
BATCH = 5000


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _sentences(text_: str) -> list[str]:
    return [s for s in SENTENCE.split(text_) if s.strip()]


def _sources() -> dict[str, Any]:
    data, need_dev = SHARED / "data", SHARED / "benchmarks" / "need-dev"
    corpus = _jsonl(need_dev / "corpus.jsonl")
    titles = [(r["title"], r["ipc_subclasses"]) for r in _jsonl(data / "cn_patent_titles.jsonl")]
    abstracts = [_sentences(r["abstract"]) for r in _jsonl(data / "cn_patent_abstracts.jsonl")]
    offers = []
    for r in corpus:
        kind = r["metadata"].get("kind")
        if kind == "patent":
            titles.append((r["title"], r["metadata"].get("ipc_subclasses") or []))
            abstracts.append(_sentences(r["text"]))
        elif kind == "offer":
            industry = r["metadata"].get("classification", "").split("——")[-1]
            offers.append((industry, r["title"], _sentences(r["text"])))
    needs = [_sentences(r["text"]) for r in _jsonl(need_dev / "queries.jsonl")]
    return {"titles": titles, "abstracts": [a for a in abstracts if a], "offers": offers,
            "needs": [n for n in needs if n]}  # fmt: skip


def _number(i: int) -> str:
    body = f"2097{1 + i % 2}{i:07d}"
    return f"CN{body}.{application_check_digit(body)}"


def _patents(src: dict[str, Any], start: int, n: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(start, start + n):
        title, codes = rng.choice(src["titles"])
        own, graft = rng.choice(src["abstracts"]), rng.choice(src["abstracts"])
        abstract = "".join(own[: rng.randint(1, len(own))] + graft[:1])
        rows.append({"application_number": _number(i), "patent_type": "invention",
                     "title": title[:500], "abstract": abstract, "ipc_main": None,
                     "legal_status": "valid", "pool_status": "in_pool",
                     "implementation_status": "not_implemented",
                     "region_code": rng.choice(REGIONS), "transaction_modes": ["license"],
                     "_ipc": codes})  # fmt: skip
    return rows


def _profile(src: dict[str, Any], rng: random.Random) -> dict[str, str]:
    """主营产品 from one offer's title, 经营范围 from its text, 简介 from a need or another
    offer: the profile's sources as a directory import fills them."""
    industry, title, body = rng.choice(src["offers"])
    other = rng.choice(src["needs"]) if rng.random() < 0.5 else rng.choice(src["offers"])[2]
    return {
        "industry": industry[:200],
        "main_products": title[:500],
        "business_scope": "".join(body[: rng.randint(1, 2)])[:2000],
        "description": "".join(other[:1])[:2000],
    }


def _seed(factory: Any, src: dict[str, Any], patents: int, enterprises: int) -> None:
    rng = random.Random(7)
    for start in range(0, patents, BATCH):
        rows = _patents(src, start, min(BATCH, patents - start), rng)
        codes = [r.pop("_ipc") for r in rows]
        with factory() as session, session.begin():
            ids = session.scalars(
                insert(Patent).returning(Patent.id, sort_by_parameter_order=True), rows
            ).all()
            ipc = [
                {"patent_id": pid, "position": n, "code": code}
                for pid, cs in zip(ids, codes, strict=True)
                for n, code in enumerate(cs)
            ]
            if ipc:
                session.execute(insert(PatentIpc), ipc)
    for start in range(0, enterprises, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, enterprises)):
            rows.append({"name": f"企业{i}", "uscc": f"91{i:016d}",
                         "region_code": rng.choice(REGIONS), **_profile(src, rng)})  # fmt: skip
        with factory() as session, session.begin():
            session.execute(insert(Enterprise), rows)


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def _work(url: str, index_dir: str, ready: str) -> None:
    """One worker process: load the index, say so, then work partitions until none is left."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    match_engine = MatchEngine(Path(index_dir))
    with factory() as session, session.begin():
        match_engine.start(session)
    Path(ready).write_text(str(_rss_mb()))
    while not Path(ready + ".go").exists():
        time.sleep(0.05)
    cpu = time.process_time()
    while runner.work_one(factory, match_engine):  # until no partition is left to claim
        pass
    print(json.dumps({"rss_mb": _rss_mb(), "cpu_s": time.process_time() - cpu}))


def _run(args: argparse.Namespace, url: str, workers: int, workdir: str) -> dict[str, Any]:
    upgrade_head(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    out: dict[str, Any] = {"backend": engine.dialect.name, "workers": workers}
    t0 = time.perf_counter()
    _seed(factory, _sources(), args.patents, args.enterprises)
    out["seed_s"] = round(time.perf_counter() - t0, 1)
    # One index directory for every run (the seeded rows are the same): after the first
    # fit the workers load it, as long-lived workers do after a restart.
    index_dir = args.index_dir or f"{workdir}/index"
    ready = [f"{workdir}/ready-{uuid.uuid4().hex[:6]}" for _ in range(workers)]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--work", url, index_dir, r],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for r in ready
    ]
    while not all(Path(r).exists() for r in ready):
        time.sleep(0.1)
    out["index_load_s"] = round(time.perf_counter() - t0, 1)
    body = PushRunCreate.model_validate(
        {"enterprises": {"all": True}, "per_enterprise": args.per_enterprise}
    )
    t0 = time.perf_counter()
    with write_session(factory) as session:
        run_id = service.create(session, SYSTEM, body).id
    out["create_s"] = round(time.perf_counter() - t0, 2)
    for r in ready:
        Path(r + ".go").touch()
    said = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    out["elapsed_s"] = round(time.perf_counter() - t0, 1)
    # Worker CPU per enterprise: what the projection scales (this machine is shared).
    out["cpu_ms_per_enterprise"] = round(1000 * sum(w["cpu_s"] for w in said) / args.enterprises, 2)
    with factory() as session:
        run = session.get(PushRun, run_id)
        assert run is not None and run.state is PushState.succeeded, run and run.state
        out["items"] = session.scalar(select(func.count()).select_from(FeedItem))
    out["enterprises_per_s"] = round(args.enterprises / out["elapsed_s"], 1)
    out["peak_rss_mb"] = max(w["rss_mb"] for w in said)
    out["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    engine.dispose()
    return out


def _admin(server: str, sql: str) -> None:
    admin = make_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(sql))
    admin.dispose()


def _one(args: argparse.Namespace, backend: str, workers: int, workdir: str) -> dict[str, Any]:
    if backend == "sqlite":
        return _run(args, f"sqlite:///{workdir}/push-{uuid.uuid4().hex[:6]}.db", workers, workdir)
    name = f"panhuo_bench_{uuid.uuid4().hex[:8]}"
    _admin(args.database_url, f'CREATE DATABASE "{name}"')
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    try:
        return _run(args, url, workers, workdir)
    finally:
        _admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patents", type=int, default=200_000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--per-enterprise", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2", help="PostgreSQL worker counts")
    parser.add_argument("--database-url", default=PG_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--index-dir", help="match index directory to reuse (default: temporary)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--work", nargs=3, help=argparse.SUPPRESS)  # a worker process
    args = parser.parse_args()
    if args.work:
        _work(*args.work)
        return
    if not (SHARED / "benchmarks" / "need-dev").is_dir():
        print(f"{SHARED} is absent: push benchmark skipped", file=sys.stderr)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="panhuo-push-") as workdir:
        for backend in args.backends.split(","):
            counts = [1] if backend == "sqlite" else [int(w) for w in args.workers.split(",")]
            for workers in counts:
                results.append(_one(args, backend, workers, workdir))
                if not args.json:
                    _report(args, results[-1])
    if args.json:
        print(json.dumps({**vars(args), "results": results}))


def _report(args: argparse.Namespace, out: dict[str, Any]) -> None:
    print(
        f"{out['backend']}, {out['workers']} worker(s): {args.patents} patents × "
        f"{args.enterprises} enterprises, per_enterprise {args.per_enterprise}"
    )
    print(f"  seed {out['seed_s']} s, index load {out['index_load_s']} s (not timed below)")
    print(f"  push run          {out['elapsed_s']} s   (target <= 600 s)")
    print(f"  enterprises/s     {out['enterprises_per_s']}")
    print(f"  worker CPU        {out['cpu_ms_per_enterprise']} ms per enterprise")
    print(f"  items written     {out['items']}")
    print(f"  peak RSS          {out['peak_rss_mb']} MB (largest worker)")
    print(f"  load average      {' '.join(out['loadavg'])}", flush=True)


if __name__ == "__main__":
    main()
