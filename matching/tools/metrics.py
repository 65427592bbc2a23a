"""Ranking metrics (BEIR conventions: graded gains, linear nDCG gain)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

Qrels = Mapping[str, Mapping[str, int]]


def ndcg_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain = relevance grade (as pytrec_eval / BEIR)."""
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top k."""
    for i, d in enumerate(ranked[:k]):
        if rel.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def precision_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    return sum(1 for d in ranked[:k] if rel.get(d, 0) > 0) / k


def recall_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 100) -> float:
    total = sum(1 for g in rel.values() if g > 0)
    return sum(1 for d in ranked[:k] if rel.get(d, 0) > 0) / total if total else 0.0


def evaluate_run(run: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """Mean nDCG@10, MRR@10, P@10 and Recall@100 over the queries that have qrels."""
    qids = [q for q in qrels if any(g > 0 for g in qrels[q].values())]
    metrics = {"ndcg@10": ndcg_at, "mrr@10": mrr_at, "p@10": precision_at, "recall@100": recall_at}
    return {
        name: round(sum(fn(run.get(q, []), qrels[q]) for q in qids) / max(len(qids), 1), 4)
        for name, fn in metrics.items()
    }


# --- Graded, incomplete (pooled) judgments ------------------------------------------------
# need-dev judges only the pooled top 10s of a few rankers: a document outside the pool is
# unjudged, not irrelevant.  Gains are exponential (2^g − 1) so a "directly addresses" (3)
# counts far more than a "same field only" (1).

USEFUL = 2  # grade from which a candidate is useful to the enterprise


def graded_ndcg_at(
    ranked: Sequence[str], rel: Mapping[str, int], k: int = 10, min_grade: int = 1
) -> float:
    """nDCG@k with gain 2^g − 1 for grades ≥ ``min_grade`` (others and unjudged: 0).

    The ideal ranking is built from all judged documents of the query.
    """

    def gain(g: int) -> float:
        return float(2**g - 1) if g >= min_grade else 0.0

    dcg = sum(gain(rel.get(d, 0)) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((gain(g) for g in rel.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def condensed(ranked: Sequence[str], rel: Mapping[str, int]) -> list[str]:
    """The ranking without unjudged documents (Sakai's condensed list)."""
    return [d for d in ranked if d in rel]


def hit_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    """1 when a useful (grade ≥ 2) document is in the top k, else 0."""
    return float(any(rel.get(d, 0) >= USEFUL for d in ranked[:k]))


def useful_rr_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first useful (grade ≥ 2) document within the top k."""
    for i, d in enumerate(ranked[:k]):
        if rel.get(d, 0) >= USEFUL:
            return 1.0 / (i + 1)
    return 0.0


def useful_precision_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    return sum(1 for d in ranked[:k] if rel.get(d, 0) >= USEFUL) / k


def judged_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    """Share of the top k that is judged (an unfilled top k counts its gaps as unjudged)."""
    return sum(1 for d in ranked[:k] if d in rel) / k


def is_pooled(qrels: Qrels) -> bool:
    """Judgments with explicit zeros are pooled: unjudged documents are unknown."""
    return any(g == 0 for rel in qrels.values() for g in rel.values())


def evaluate_graded(
    run: Mapping[str, Sequence[str]],
    qrels: Qrels,
    kinds: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """need-dev metrics; see docs/benchmarks.md for their definitions.

    ``ndcg@10`` is over queries with a judged grade ≥ 1; the useful metrics are over
    queries with a grade ≥ 2; ``judged@10`` and ``offers@10`` (share of the top 10 whose
    ``kinds`` entry is ``"offer"``) are over all queries with judgments.
    """
    graded = [q for q in qrels if any(g >= 1 for g in qrels[q].values())]
    useful = [q for q in qrels if any(g >= USEFUL for g in qrels[q].values())]

    def mean(qids: Sequence[str], fn: Callable[[Sequence[str], Mapping[str, int]], float]) -> float:
        return round(sum(fn(run.get(q, []), qrels[q]) for q in qids) / max(len(qids), 1), 4)

    out = {
        "ndcg@10": mean(graded, graded_ndcg_at),
        "useful_ndcg@10": mean(useful, lambda r, g: graded_ndcg_at(r, g, min_grade=USEFUL)),
        "useful_ndcg'@10": mean(
            useful, lambda r, g: graded_ndcg_at(condensed(r, g), g, min_grade=USEFUL)
        ),
        "hit@10": mean(useful, hit_at),
        "p@10": mean(useful, useful_precision_at),
        "judged@10": mean(list(qrels), judged_at),
    }
    if kinds is not None:
        out["offers@10"] = mean(
            list(qrels), lambda r, _: sum(kinds.get(d) == "offer" for d in r[:10]) / 10
        )
    return out
