"""The reverse direction on a pooled need set: a patent or offer ranks enterprises.

``python -m matching.tools.evaluate DIR --reverse [--baseline bm25s] [--folds K]``.  The
set is transposed (``beir.transpose``): the documents with a useful need are the queries,
the needs are the enterprise documents, and the judgments are read the other way.

The enterprise side is built as the service builds enterprise profiles: a ``NeedDoc``
whose ``ipc_hints`` are its IPC areas.  A need has no patents of its own, so its areas
are the top ``hints`` subclasses that the pool's classifier (a matcher fitted on the
corpus, as the service's patent index) predicts for its text.  The query is the
document as a ``PatentDoc`` (title, text, its IPC subclasses where it has them), its
terms weighted by the shipped patent-term table (``matching/patent_terms.tsv``).

With ``folds``, the three choices (``hints`` × ``ipc`` weight × ``patent_term_gamma``, the
grid ``GRID``) are made on the training queries of each fold and applied to the held-out
ones, whose patent-term table is counted without them; the held-out rankings are pooled
and scored once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .._errors import EmptyQueryError
from .._fusion import MatcherConfig
from .._matcher import Matcher
from .._needterms import PATENT_MIN_DF, override
from .._types import NeedDoc, PatentDoc
from .beir import BeirSet, ReverseSet, transpose
from .metrics import USEFUL, evaluate_graded, useful_rr_at
from .needterms import count, patent_texts

Run = dict[str, list[str]]
HINTS = (1, 2)  # predicted IPC areas per enterprise document
IPC_WEIGHTS = (0.3, 0.6)
GAMMAS = (0.0, 0.5, 1.0, 1.5)  # patent_term_gamma
Cell = tuple[int, float, float]
GRID: list[Cell] = [(h, w, g) for h in HINTS for w in IPC_WEIGHTS for g in GAMMAS]
DEFAULT_HINTS = 1  # with MatcherConfig.enterprises(): what the cross-validation chose


Qrels = Mapping[str, Mapping[str, int]]


def metrics(run: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """need-dev's graded metrics, transposed, and the reciprocal rank of the first useful
    enterprise (few candidates: most useful ones are in every top 10)."""
    out = evaluate_graded(run, qrels)
    useful = [q for q in qrels if any(g >= USEFUL for g in qrels[q].values())]
    rr = sum(useful_rr_at(run.get(q, []), qrels[q]) for q in useful) / max(len(useful), 1)
    out["useful_mrr@10"] = round(rr, 4)
    return out


def with_areas(rev: ReverseSet, pool: Matcher, hints: int) -> list[NeedDoc]:
    """The enterprise documents with their ``hints`` predicted IPC areas."""
    if not hints:
        return list(rev.candidates)
    return [replace(c, ipc_hints=_areas(pool, rev.texts[c.id], hints)) for c in rev.candidates]


def _areas(pool: Matcher, text: str, hints: int) -> tuple[str, ...]:
    try:
        return tuple(e.code for e in pool.predict_ipc(text, top=hints))
    except EmptyQueryError:  # no known term: no area, as a profile without patents or text
        return ()


def run_reverse(
    rev: ReverseSet,
    candidates: Sequence[NeedDoc],
    titles: Mapping[str, str],
    config: MatcherConfig,
    queries: Sequence[PatentDoc] | None = None,
) -> Run:
    matcher = Matcher.fit(candidates, ipc_titles=titles, config=config, workers=1)
    asked = rev.queries if queries is None else queries
    results = matcher.match_many(asked, k=100)
    return {q.id: [m.id for m in r] for q, r in zip(asked, results, strict=True)}


def run_bm25s(rev: ReverseSet) -> Run:
    from .baseline import Bm25sBaseline

    ids = [c.id for c in rev.candidates]
    baseline = Bm25sBaseline([rev.texts[i] for i in ids], ids)
    return {q.id: baseline.top(rev.texts[q.id], 100) for q in rev.queries}


def cross_validate(
    data: BeirSet, rev: ReverseSet, pool: Matcher, titles: Mapping[str, str], folds: int
) -> dict[str, Any]:
    """Nested choice of (hints, ipc, patent_term_gamma) by fold; metrics of the pooled
    held-out rankings.  The held-out fold is ranked with a patent-term table counted
    without its documents; the choice is made on the training queries."""
    areas = {h: with_areas(rev, pool, h) for h in HINTS}
    runs = {cell: run_reverse(rev, areas[cell[0]], titles, _config(cell)) for cell in GRID}
    order = np.random.default_rng(0).permutation(len(rev.queries))
    held: Run = {}
    chosen = []
    for k in range(folds):
        test = [rev.queries[i] for i in sorted(order[k::folds])]
        unseen = {q.id for q in test}
        train = {q: r for q, r in rev.qrels.items() if q not in unseen}
        best = max(GRID, key=lambda cell: _objective(runs[cell], train))
        chosen.append(best)
        table = count(patent_texts(data, exclude=unseen), PATENT_MIN_DF)
        with override(table, "patent"):
            held.update(run_reverse(rev, areas[best[0]], titles, _config(best), test))
    return {"metrics": metrics(held, rev.qrels), "chosen": [list(c) for c in chosen]}


def _config(cell: Cell) -> MatcherConfig:
    _, ipc, gamma = cell
    return replace(MatcherConfig.enterprises(), ipc=ipc, patent_term_gamma=gamma)


def _objective(run: Run, qrels: Qrels) -> float:
    m = metrics(run, qrels)
    return m["useful_ndcg@10"] + m["useful_mrr@10"]


def evaluate_reverse(
    data: BeirSet, titles: Mapping[str, str], baseline: str | None, folds: int = 0
) -> dict[str, Any]:
    """Panhuo (default choices, and cross-validated with ``folds``) against bm25s; and
    useful-nDCG@10 by kind of query document (the service's queries are patents)."""
    rev = transpose(data)
    pool = Matcher.fit(data.docs, ipc_titles=titles, workers=1)
    candidates = with_areas(rev, pool, DEFAULT_HINTS)
    row: dict[str, Any] = {"dataset": rev.name, "queries": len(rev.queries)}
    runs = {"panhuo": run_reverse(rev, candidates, titles, MatcherConfig.enterprises())}
    row["panhuo"] = metrics(runs["panhuo"], rev.qrels)
    if folds:
        cv = cross_validate(data, rev, pool, titles, folds)
        row["panhuo_cv"], row["cv_chosen"] = cv["metrics"], cv["chosen"]
    if baseline == "bm25s":
        runs["bm25s"] = run_bm25s(rev)
        row["bm25s"] = metrics(runs["bm25s"], rev.qrels)
        row["ratio"] = {
            k: round(v / row["bm25s"][k], 3) if row["bm25s"][k] else None
            for k, v in row["panhuo"].items()
        }
        best = row["bm25s"]["useful_ndcg@10"]
        row["attainable_ratio"] = round(1 / best, 3) if best else None
    row["by_kind"] = _by_kind(data, rev, runs)
    return row


def _by_kind(data: BeirSet, rev: ReverseSet, runs: Mapping[str, Run]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in sorted({data.kinds[q] for q in rev.qrels if q in data.kinds}):
        qrels = {q: r for q, r in rev.qrels.items() if data.kinds.get(q) == kind}
        out[kind] = {"queries": len(qrels)} | {
            engine: metrics(run, qrels)["useful_ndcg@10"] for engine, run in runs.items()
        }
    return out
