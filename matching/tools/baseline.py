"""The bm25s baseline over the same analyzer terms (evaluation and benchmark only).

``bm25s`` is a development dependency: it is imported lazily, here only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._analyzer import analyze


class Bm25sBaseline:
    """bm25s (Lucene BM25, k1=1.2, b=0.75) over ``analyze`` terms of title + text."""

    def __init__(self, texts: Sequence[str], ids: Sequence[str]) -> None:
        import bm25s

        self.ids = list(ids)
        self.vocab: dict[str, int] = {}
        corpus = [[self.vocab.setdefault(t, len(self.vocab)) for t in analyze(x)] for x in texts]
        self.model = bm25s.BM25()
        self.model.index(
            bm25s.tokenization.Tokenized(ids=corpus, vocab=self.vocab), show_progress=False
        )

    def query_ids(self, text: str) -> list[int]:
        return [self.vocab[t] for t in analyze(text) if t in self.vocab]

    def top(self, text: str, k: int) -> list[str]:
        """Ids of the top ``k`` documents: ``get_scores`` then argpartition.

        A query without a known term ranks nothing (bm25s fails on an empty list).
        """
        ids = self.query_ids(text)
        if not ids:
            return []
        scores = self.model.get_scores(ids)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.ids[i] for i in top if scores[i] > 0]
