"""Speed and memory benchmark against bm25s on the same synthetic corpus.

Usage::

    python -m matching.tools.bench --docs N [--queries Q] [--json]

Builds an N-patent corpus by sampling the real texts in ``../shared/data`` (titles,
abstracts and their IPC codes; sentences are recombined so documents differ), falling
back to ``data/sample_patents.jsonl``.  Queries are real patent titles; ``need_*``
and ``explain_us_per_result`` use the real need texts of ``need-dev`` when present (else
the titles): a whole request with and without explanations, and the explanation step
alone per result.
Each engine runs in its own subprocess so that peak RSS figures are not mixed; both
generate the identical corpus from the same seed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._types import PatentDoc

if TYPE_CHECKING:
    from .._matcher import Matcher

_ROOT = Path(__file__).resolve().parents[2]
_SHARED = _ROOT / ".." / "shared" / "data"
_NEEDS = _ROOT / ".." / "shared" / "benchmarks" / "need-dev" / "queries.jsonl"
_SENTENCE_RE = re.compile(r"(?<=[。；;])")


class NoDataError(SystemExit):
    pass


def _sources() -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """(title, ipc codes) pairs and abstracts from ../shared/data, else data/."""
    if (_SHARED / "cn_patent_titles.jsonl").exists():
        with open(_SHARED / "cn_patent_titles.jsonl", encoding="utf-8") as fh:
            titles = [(r["title"], tuple(r["ipc_subclasses"])) for r in map(json.loads, fh)]
        with open(_SHARED / "cn_patent_abstracts.jsonl", encoding="utf-8") as fh:
            abstracts = [r["abstract"] for r in map(json.loads, fh)]
        return titles, abstracts
    sample = _ROOT / "data" / "sample_patents.jsonl"
    if sample.exists():
        with open(sample, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        titles = [(r.get("title", ""), tuple(r.get("ipc_codes") or ())) for r in rows]
        return titles, [r.get("abstract", "") for r in rows]
    raise NoDataError(f"no benchmark data: neither {_SHARED} nor {sample} exists")


def make_corpus(n: int, seed: int = 0) -> tuple[list[PatentDoc], list[str]]:
    """``n`` varied patents and the query pool (real titles), deterministic in ``seed``."""
    titles, abstracts = _sources()
    sentences = [[s for s in _SENTENCE_RE.split(a) if s] for a in abstracts]
    rng = np.random.default_rng(seed)
    t_pick = rng.integers(0, len(titles), n)
    a_pick = rng.integers(0, len(abstracts), n)
    extra = rng.integers(0, len(abstracts), n)
    docs = []
    for i in range(n):
        title, codes = titles[t_pick[i]]
        own = sentences[a_pick[i]]
        # Keep a random prefix of one abstract and graft a sentence of another.
        keep = own[: 1 + int(rng.integers(0, max(len(own), 1)))]
        graft = sentences[extra[i]][:1]
        docs.append(PatentDoc(f"B{i:07d}", title=title, abstract="".join(keep + graft),
                              ipc_codes=codes))  # fmt: skip
    return docs, [t for t, _ in titles]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _latencies(fn: Callable[[str], object], queries: list[str]) -> dict[str, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2)}  # fmt: skip


def run_engine(engine: str, n: int, n_queries: int) -> dict[str, Any]:
    """Build, time and measure one engine in this process."""
    docs, pool = make_corpus(n)
    rng = np.random.default_rng(1)
    queries = [pool[i] for i in rng.integers(0, len(pool), n_queries)]
    out: dict[str, Any] = {"engine": engine, "docs": n, "corpus_rss_mb": round(_rss_mb())}
    if engine == "panhuo":
        out.update(_run_panhuo(docs, queries))
    else:
        out.update(_run_bm25s(docs, queries))
    out["peak_rss_mb"] = round(_rss_mb())
    return out


def _run_panhuo(docs: list[PatentDoc], queries: list[str]) -> dict[str, Any]:
    from .. import Matcher, save

    t0 = time.perf_counter()
    matcher = Matcher.fit(docs)
    build = time.perf_counter() - t0
    out = {"build_s": round(build, 1), "build_docs_per_s": round(len(docs) / build)}
    with tempfile.TemporaryDirectory() as tmp:
        save(matcher, tmp)
        out["index_mb"] = round(sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20)
    out.update(_latencies(lambda q: matcher.match(q, k=20), queries))
    # Ranking alone, comparable with bm25s (which explains nothing); the service always
    # explains, so p50_ms / p95_ms above are what a match request costs.
    rank_only = _latencies(lambda q: matcher.match(q, k=20, explain=False), queries)
    out.update(rank_p50_ms=rank_only["p50_ms"], rank_p95_ms=rank_only["p95_ms"])
    t0 = time.perf_counter()
    matcher.match_many(queries, k=20)
    out["batch_needs_per_s"] = round(len(queries) / (time.perf_counter() - t0), 1)
    out.update(_explain_cost(matcher, _need_texts() or queries))
    return out


def _need_texts() -> list[str]:
    """Real need texts (need-dev, median ≈ 160 characters), or [] when absent."""
    if not _NEEDS.exists():
        return []
    with open(_NEEDS, encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def _explain_cost(matcher: Matcher, texts: list[str]) -> dict[str, Any]:
    """Whole need requests (k=20, explained) on real need texts, and the explanation step
    alone timed around ``explain`` on the same results: its cost per result."""
    from .. import _scoring
    from .._explain import explain
    from .._query import _NO_FILTERS, drop_excluded, prepare, rerank

    whole = _latencies(lambda q: matcher.match(q, k=20), texts)
    ranked = _latencies(lambda q: matcher.match(q, k=20, explain=False), texts)
    snap, spent, results = matcher.snapshot, 0.0, 0
    for text in texts:
        prep = prepare(snap, text)
        score, tmax = _scoring.first_stage(snap, prep.ids, prep.w, prep.ipc)
        drop_excluded(snap, prep, _NO_FILTERS, score)
        rows, scores, contrib = rerank(snap, prep, score, 20)
        t0 = time.perf_counter()
        explain(snap, prep, tmax, rows, scores, contrib)
        spent += time.perf_counter() - t0
        results += len(rows)
    return {"need_p50_ms": whole["p50_ms"], "need_p95_ms": whole["p95_ms"],
            "need_rank_p50_ms": ranked["p50_ms"],
            "explain_us_per_result": round(spent / max(results, 1) * 1e6, 1)}  # fmt: skip


def _run_bm25s(docs: list[PatentDoc], queries: list[str]) -> dict[str, Any]:
    import bm25s

    from .baseline import Bm25sBaseline

    t0 = time.perf_counter()
    base = Bm25sBaseline([f"{d.title} {d.abstract}" for d in docs], [d.id for d in docs])
    build = time.perf_counter() - t0
    out = {"build_s": round(build, 1), "build_docs_per_s": round(len(docs) / build)}
    with tempfile.TemporaryDirectory() as tmp:
        base.model.save(tmp)
        out["index_mb"] = round(sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20)
    out.update(_latencies(lambda q: base.top(q, 20), queries))
    tokens = bm25s.tokenization.Tokenized(ids=[base.query_ids(q) or [0] for q in queries],
                                          vocab=base.vocab)  # fmt: skip
    t0 = time.perf_counter()
    base.model.retrieve(tokens, k=20, show_progress=False, n_threads=os.cpu_count() or 1)
    out["batch_needs_per_s"] = round(len(queries) / (time.perf_counter() - t0), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.tools.bench", description=__doc__)
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--engine", choices=["panhuo", "bm25s"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        _sources()
    except NoDataError as exc:
        print(exc.code, file=sys.stderr)
        return 2
    if args.engine:  # child process
        print(json.dumps(run_engine(args.engine, args.docs, args.queries)))
        return 0
    rows = {}
    for engine in ("panhuo", "bm25s"):
        cmd = [sys.executable, "-m", "matching.tools.bench", "--docs", str(args.docs),
               "--queries", str(args.queries), "--engine", engine]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=_ROOT, check=False)
        if done.returncode:
            rows[engine] = {"error": done.stderr.strip().splitlines()[-1:]}
        else:
            rows[engine] = json.loads(done.stdout.strip().splitlines()[-1])
    _report(args.docs, rows, args.json)
    return 0


def _report(n: int, rows: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"docs": n, **rows}))
        return
    keys = ("build_docs_per_s", "index_mb", "peak_rss_mb", "corpus_rss_mb", "p50_ms", "p95_ms",
            "rank_p50_ms", "rank_p95_ms", "batch_needs_per_s", "need_p50_ms", "need_p95_ms",
            "need_rank_p50_ms", "explain_us_per_result")  # fmt: skip
    print(f"{'docs=' + str(n):<20}" + "".join(f"{e:>12}" for e in rows))
    for key in keys:
        print(f"{key:<20}" + "".join(f"{rows[e].get(key, '-')!s:>12}" for e in rows))


if __name__ == "__main__":
    sys.exit(main())
