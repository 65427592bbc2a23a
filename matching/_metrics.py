"""Ranking metrics (BEIR conventions: graded gains, linear nDCG gain)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

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
