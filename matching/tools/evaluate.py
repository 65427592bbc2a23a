"""Ranking-quality evaluation on BEIR-layout sets.

Usage::

    python -m matching.tools.evaluate DIR [DIR ...] [--baseline bm25s] [--json]
        [--ipc-titles PATH] [--reverse [--folds K]] [--feedback [--seed N]]

Prints nDCG@10, MRR@10, P@10 and Recall@100 of Panhuo's matcher (and of bm25s over the
same analyzer terms, in the same run).  Queries are plain text, like an enterprise need.

With ``--feedback [--seed N]``: replays generated enterprise feedback (``feedback_sim``) as
graded labels (intent 3 > rating ≥ 4 2 > none 1 > 无需求 0), half of each enterprise's
reactions held out, and compares the feedback features off / ratings only / peers only /
on in the same run (``feedback_eval``).

With ``--reverse [--folds K]`` on a pooled need set: patents and offers rank the needs
as enterprise documents, the judgments transposed (``reverse``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from .._fusion import MatcherConfig
from .._matcher import Matcher
from .._query import Query
from .beir import BeirSet, load_beir, load_ipc_titles, need_from_text
from .feedback_eval import run_feedback
from .metrics import evaluate_graded, evaluate_run, is_pooled
from .reverse import evaluate_reverse

_DEFAULT_TITLES = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ipc_zh.tsv",
    Path(__file__).resolve().parents[2] / "data" / "ipc_zh.tsv",
)


def run_panhuo(
    data: BeirSet, titles: dict[str, str], config: MatcherConfig | None = None
) -> dict[str, Any]:
    matcher = Matcher.fit(data.docs, ipc_titles=titles, config=config, workers=1)
    queries = list(data.queries)
    results = matcher.match_many([as_query(q, data.queries[q]) for q in queries], k=100)
    return {q: [m.id for m in res] for q, res in zip(queries, results, strict=True)}


def as_query(qid: str, text: str) -> Query:
    """A keyword list (whitespace-separated, as a subscription) stays plain text; any
    other query is a need built as the service builds it (title + description)."""
    if len(text.split()) > 1:
        return text
    return need_from_text(qid, text)


def run_bm25s(data: BeirSet) -> dict[str, Any]:
    from .baseline import Bm25sBaseline

    baseline = Bm25sBaseline(
        [f"{d.title} {d.abstract}" for d in data.docs], [d.id for d in data.docs]
    )
    return {q: baseline.top(text, 100) for q, text in data.queries.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.tools.evaluate", description=__doc__)
    parser.add_argument("dirs", nargs="+", metavar="DIR")
    parser.add_argument("--baseline", choices=["bm25s"], default=None)
    parser.add_argument("--json", action="store_true", help="one JSON object per dataset")
    parser.add_argument("--ipc-titles", type=Path, default=None, help="code<TAB>title file")
    parser.add_argument("--feedback", action="store_true", help="replay generated feedback")
    parser.add_argument("--seed", type=int, default=0, help="feedback generator seed")
    parser.add_argument(
        "--reverse", action="store_true", help="patent → enterprise on a pooled need set"
    )
    parser.add_argument(
        "--folds", type=int, default=0, help="with --reverse: also K-fold CV of the choices"
    )
    args = parser.parse_args(argv)
    titles_path = args.ipc_titles or next((p for p in _DEFAULT_TITLES if p.exists()), None)
    titles = load_ipc_titles(titles_path) if titles_path else {}
    for d in args.dirs:
        data = load_beir(d)
        if args.feedback:
            _print_feedback(run_feedback(data, titles, args.seed), args.json)
            continue
        if args.reverse:
            if not is_pooled(data.qrels):
                parser.error(f"--reverse needs a pooled need set (explicit zeros): {d}")
            _print(evaluate_reverse(data, titles, args.baseline, args.folds), args.json)
            continue
        _print(evaluate_set(data, titles, args.baseline), args.json)
    return 0


def evaluate_set(data: BeirSet, titles: dict[str, str], baseline: str | None) -> dict[str, Any]:
    """Metrics of Panhuo (and the baseline) on one set; graded ones for pooled qrels."""

    def metrics(run: dict[str, Any]) -> dict[str, float]:
        if is_pooled(data.qrels):
            return evaluate_graded(run, data.qrels, data.kinds or None)
        return evaluate_run(run, data.qrels)

    started = time.perf_counter()
    row: dict[str, Any] = {"dataset": data.name, "panhuo": metrics(run_panhuo(data, titles))}
    row["panhuo"]["seconds"] = round(time.perf_counter() - started, 1)
    if baseline == "bm25s":
        started = time.perf_counter()
        row["bm25s"] = metrics(run_bm25s(data))
        row["bm25s"]["seconds"] = round(time.perf_counter() - started, 1)
        row["ratio"] = {
            k: round(v / row["bm25s"][k], 3) if row["bm25s"][k] else None
            for k, v in row["panhuo"].items()
            if k in _KEY_METRICS
        }
    return row


# The metrics whose Panhuo/bm25s ratio is printed.
_KEY_METRICS = ("ndcg@10", "useful_ndcg@10", "useful_ndcg'@10", "hit@10", "mrr@10")


def _print(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(row, ensure_ascii=False), flush=True)
        return
    print(f"{row['dataset']}" + (f" ({row['queries']} queries)" if "queries" in row else ""))
    for engine in ("panhuo", "panhuo_cv", "bm25s"):
        if engine in row:
            m = row[engine]
            cells = "  ".join(f"{k} {v:.4f}" if k != "seconds" else f"({v}s)" for k, v in m.items())
            print(f"  {engine:<9} {cells}")
    if "ratio" in row:
        cells = "  ".join(f"{k} {v:.3f}" for k, v in row["ratio"].items() if v is not None)
        print(f"  {'ratio':<9} {cells}  (Panhuo / bm25s)")
    if row.get("attainable_ratio"):
        print(f"  useful_ndcg@10 ratio attainable at most: {row['attainable_ratio']} (1 / bm25s)")
    for kind, cells in row.get("by_kind", {}).items():
        shown = "  ".join(f"{k} {v:.4f}" for k, v in cells.items() if k != "queries")
        print(f"  useful_ndcg@10 on {cells['queries']} {kind} queries: {shown}")
    if "cv_chosen" in row:
        print(f"  CV choices (hints, ipc, patent_term_gamma) by fold: {row['cv_chosen']}")
    sys.stdout.flush()


def _print_feedback(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(row, ensure_ascii=False), flush=True)
        return
    counts = ", ".join(f"{k} {v}" for k, v in row["feedback"].items())
    print(f"{row['dataset']} (generated feedback: {counts})")
    for variant in ("off", "ratings", "peers", "on"):
        cells = "  ".join(f"{k} {v:.4f}" for k, v in row[variant].items())
        print(f"  {variant:<8} {cells}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
