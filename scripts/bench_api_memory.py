"""Memory of the match service per worker: mapped index (1, 2, 4 workers) vs in-memory arrays.

    scripts/bench api --memory 1,2,4 --patents 1000000 --needs 10000 --workdir DIR
                      [--requests 600]

SQLite only. The database and the saved index are kept in ``--workdir`` and reused by later
runs (a 1M pool takes long to generate and its first index build several minutes). For
each worker count, uvicorn is started on the saved files, every worker maps them, a driver
sends ``--requests`` match requests at concurrency 2 (all workers touch the index), then
RSS and PSS (``/proc/<pid>/smaps_rollup``) are read per worker; the host total is the PSS
sum of all the service's processes. Last, one worker with the arrays read into memory
(``PANHUO_INDEX_MMAP=false``) gives the baseline latency and memory of the same run; more
than one such worker would not fit at 1M (~4 GB each).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import bench_api


def _smaps(pid: int) -> dict[str, float]:
    """RSS and PSS of one process in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            out[key.lower()] = int(rest.split()[0]) / 1024
    return out


def _children(pid: int) -> list[int]:
    """Child processes, without multiprocessing's resource tracker."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            if b"resource_tracker" not in (stat.parent / "cmdline").read_bytes():
                kids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return sorted(kids)


def _tree(pid: int) -> list[int]:
    return [pid, *(p for kid in _children(pid) for p in _tree(kid))]


def _prepare(args: argparse.Namespace) -> tuple[str, str, Path]:
    """The reused database, its admin key and the query file."""
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / 'bench.db'}"
    info = work / "bench.json"
    if not info.exists():
        t0 = time.perf_counter()
        key, *queries = bench_api.populate(url, args.patents, args.needs)
        (work / "queries.json").write_text(json.dumps(queries[:5000]), encoding="utf-8")
        info.write_text(json.dumps({"key": key, "patents": args.patents}), encoding="utf-8")
        print(f"generated {args.patents:,} patents in {time.perf_counter() - t0:.0f} s")
    stored = json.loads(info.read_text(encoding="utf-8"))
    if stored["patents"] != args.patents:
        raise SystemExit(f"{work} holds {stored['patents']} patents; use another --workdir")
    # A database kept from an older checkout would otherwise be served at its old schema.
    bench_api.upgrade_head(url)
    return url, stored["key"], work / "queries.json"


def _run(
    args: argparse.Namespace, url: str, key: str, queries: Path, workers: int, mmap: bool
) -> dict[str, Any]:
    os.environ["PANHUO_INDEX_MMAP"] = "true" if mmap else "false"
    # Start-up ends when the index is there: "startup complete" then means every worker
    # mapped (or built) it.
    os.environ["PANHUO_INDEX_START_WAIT_SECONDS"] = "3600"
    os.environ["PANHUO_WORKER_IN_PROCESS"] = "false"
    server = bench_api.Server(url, args.port, Path(args.workdir) / "index", workers)
    try:
        startup = server.wait_ready(timeout=7200)
        load = bench_api._drive(server, key, queries, args.requests, 2)
        # uvicorn serves in its own process with one worker, in children with more.
        master = server.proc.pid
        workers_pids = _children(master) if workers > 1 else [master]
        mem = {pid: _smaps(pid) for pid in _tree(master)}
        per_worker = [mem[p] for p in workers_pids]
    finally:
        server.stop()
    return {
        "workers": workers,
        "mmap": mmap,
        "startup_s": startup,
        "p50_ms": load["p50_ms"],
        "p95_ms": load["p95_ms"],
        "worker_rss_mb": [m["rss"] for m in per_worker],
        "worker_pss_mb": [m["pss"] for m in per_worker],
        "host_pss_mb": sum(m["pss"] for m in mem.values()),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", default="1,2,4", help="worker counts, mapped index")
    parser.add_argument("--patents", type=int, default=200_000)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--workdir", required=True, help="database and index, reused")
    parser.add_argument("--port", type=int, default=8108)
    parser.add_argument("--no-baseline", dest="baseline", action="store_false")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    url, key, queries = _prepare(args)
    built = None
    if not (Path(args.workdir) / "index" / "patents" / "CURRENT").exists():
        built = _run(args, url, key, queries, 1, True)["startup_s"]  # not measured: a build
        print(f"first start: the index was built and saved in {built:.0f} s")
    runs = [_run(args, url, key, queries, int(w), True) for w in args.memory.split(",")]
    if args.baseline:
        runs.append(_run(args, url, key, queries, 1, False))
    _report(args, runs)
    return 0


def _report(args: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    load = Path("/proc/loadavg").read_text().split()[:3]
    if args.json:
        print(json.dumps({"patents": args.patents, "loadavg": load, "runs": runs}))
        return
    print(f"match service memory, {args.patents:,} patents, SQLite; load average {' '.join(load)}")
    print(
        f"{'index':<10}{'workers':>8}{'start-up s':>11}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'RSS/worker MB':>15}{'PSS/worker MB':>15}{'host PSS MB':>13}"
    )
    for r in runs:
        rss = "/".join(f"{x:.0f}" for x in r["worker_rss_mb"])
        pss = "/".join(f"{x:.0f}" for x in r["worker_pss_mb"])
        print(
            f"{'mapped' if r['mmap'] else 'in memory':<10}{r['workers']:>8}{r['startup_s']:>11.1f}"
            f"{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}{rss:>15}{pss:>15}{r['host_pss_mb']:>13.0f}"
        )
    one = next((r for r in runs if r["mmap"] and r["workers"] == 1), None)
    for r in runs:
        if one and r["mmap"] and r["workers"] > 1:
            ratio = r["host_pss_mb"] / one["host_pss_mb"]
            print(f"{r['workers']} workers / 1 worker (host PSS): {ratio:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
