"""BM25 text model and term-major scoring.

Documents are counted field by field (BM25F-style: a field's term counts are scaled by
the field weight before saturation).  Postings are stored term-major (CSC, documents as
rows), so a query only reads the postings of its own terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context

import numpy as np
import scipy.sparse as sp

from ._analyzer import analyze

FieldTexts = tuple[str, ...]
_BATCH = 4096


def _count_local(
    docs: Sequence[FieldTexts], weights: tuple[float, ...]
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Weighted term counts of a batch with batch-local term ids (picklable result)."""
    local: dict[str, int] = {}
    indptr = [0]
    cols: list[int] = []
    vals: list[float] = []
    for fields in docs:
        merged: dict[str, float] = {}
        for text, w in zip(fields, weights, strict=True):
            if text and w:
                for term, c in Counter(analyze(text)).items():
                    merged[term] = merged.get(term, 0.0) + c * w
        cols.extend(local.setdefault(t, len(local)) for t in merged)
        vals.extend(merged.values())
        indptr.append(len(cols))
    return (
        list(local),
        np.asarray(indptr, dtype=np.int64),
        np.asarray(cols, dtype=np.int32),
        np.asarray(vals, dtype=np.float32),
    )


def count_terms(
    docs: Sequence[FieldTexts],
    weights: tuple[float, ...],
    vocab: Vocabulary,
    new: dict[str, int],
    *,
    workers: int = 1,
) -> sp.csr_matrix:
    """Weighted term-count matrix (docs × vocabulary) of ``docs``.

    Terms unknown to ``vocab`` are added to ``new`` with ids ``len(vocab)``,
    ``len(vocab) + 1``, … in first-seen order (fitting passes an empty vocabulary;
    incremental adds grow it).  ``workers > 1`` analyzes batches in worker processes;
    ids are assigned in the parent in batch order, so the result does not depend on the
    number of workers.
    """
    batches = [docs[i : i + _BATCH] for i in range(0, len(docs), _BATCH)]
    if workers > 1 and len(batches) > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            parts = list(pool.map(_count_local, batches, [weights] * len(batches)))
    else:
        parts = [_count_local(b, weights) for b in batches]
    blocks = []
    for terms, indptr, cols, vals in parts:
        ids = np.fromiter(_term_ids(terms, vocab, new), np.int64, len(terms))
        blocks.append(_remap(indptr, ids[cols] if len(cols) else cols, vals))
    width = len(vocab) + len(new)
    blocks = [
        sp.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width)) for b in blocks
    ]
    if not blocks:
        return sp.csr_matrix((0, width), dtype=np.float32)
    return sp.vstack(blocks, format="csr", dtype=np.float32)


def _term_ids(terms: Sequence[str], vocab: Vocabulary, new: dict[str, int]) -> Iterator[int]:
    n0, base, extra = len(vocab), vocab.base, vocab.extra
    if not n0:  # fitting: one dict lookup per term
        yield from (new.setdefault(t, len(new)) for t in terms)
        return
    for t in terms:
        i = base.get(t)
        if i is None:
            i = extra.get(t)
        yield new.setdefault(t, n0 + len(new)) if i is None else i


def _remap(indptr: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> sp.csr_matrix:
    keep = cols >= 0
    if not keep.all():
        row_of = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))[keep]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=len(indptr) - 1))])
        cols, vals = cols[keep], vals[keep]
    n_cols = int(cols.max()) + 1 if len(cols) else 0
    return sp.csr_matrix((vals, cols.astype(np.int32), indptr), shape=(len(indptr) - 1, n_cols))


@dataclass(frozen=True)
class Vocabulary:
    """Term ↔ id map: the fitted terms plus the terms grown by incremental adds.

    ``base`` is never mutated after fitting and is shared by every later snapshot;
    ``extra`` holds grown terms and is copied when it grows, so an add costs O(grown
    terms), not O(vocabulary), and older snapshots keep their own view.
    """

    base: Mapping[str, int]
    base_terms: tuple[str, ...]
    extra: Mapping[str, int] = field(default_factory=dict)
    extra_terms: tuple[str, ...] = ()

    @classmethod
    def of(cls, terms: Sequence[str]) -> Vocabulary:
        return cls({t: i for i, t in enumerate(terms)}, tuple(terms))

    def __len__(self) -> int:
        return len(self.base_terms) + len(self.extra_terms)

    def __contains__(self, term: object) -> bool:
        return term in self.base or term in self.extra

    def get(self, term: str, default: int = -1) -> int:
        i = self.base.get(term)
        return i if i is not None else self.extra.get(term, default)

    def term(self, i: int) -> str:
        n = len(self.base_terms)
        return self.base_terms[i] if i < n else self.extra_terms[i - n]

    def terms(self) -> list[str]:
        return [*self.base_terms, *self.extra_terms]

    def grown(self, new: Sequence[str]) -> Vocabulary:
        """A vocabulary with ``new`` terms appended (ids ``len(self)``, …)."""
        n = len(self)
        extra = dict(self.extra)
        extra.update((t, n + j) for j, t in enumerate(new))
        return replace(self, extra=extra, extra_terms=self.extra_terms + tuple(new))


def _idf(n: int, df: np.ndarray) -> np.ndarray:
    # Lucene's idf: always positive, so a very common term never penalizes.
    return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)


@dataclass(frozen=True)
class Bm25Model:
    """BM25 statistics: vocabulary, idf per term and average document length.

    Fitted once; :meth:`grown` appends terms first seen by an incremental add.
    """

    vocab: Vocabulary
    idf: np.ndarray
    avgdl: float
    k1: float = 1.2
    b: float = 0.75

    @classmethod
    def fit(cls, tf: sp.csr_matrix, vocab: Vocabulary, k1: float, b: float) -> Bm25Model:
        n = max(tf.shape[0], 1)
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
        avgdl = float(tf.sum() / n) or 1.0
        return cls(vocab, _idf(n, df), avgdl, k1, b)

    def grown(self, new: Sequence[str], df: np.ndarray, n_live: int) -> Bm25Model:
        """The model with ``new`` terms appended, their idf from ``df`` among ``n_live``.

        An approximation until the next refit: the idf of a grown term is fixed when the
        term is first added (its document count in that add among the live documents
        then), and the idf of the fitted terms and ``avgdl`` are not updated.
        """
        idf = np.concatenate([self.idf, _idf(max(n_live, 1), df.astype(np.float64))])
        return replace(self, vocab=self.vocab.grown(new), idf=idf)

    @property
    def n_terms(self) -> int:
        return len(self.vocab)

    def weigh(self, tf: sp.csr_matrix) -> sp.csr_matrix:
        """BM25 document-side weights of a term-count matrix (same sparsity)."""
        tf = tf.tocsr()
        dl = np.asarray(tf.sum(axis=1)).ravel()
        norm = self.k1 * (1 - self.b + self.b * dl / self.avgdl)
        row_norm = np.repeat(norm, np.diff(tf.indptr)).astype(np.float32)
        data = self.idf[tf.indices] * tf.data * (self.k1 + 1) / (tf.data + row_norm)
        return sp.csr_matrix((data.astype(np.float32), tf.indices, tf.indptr), shape=tf.shape)


def gather(
    segments: Sequence[sp.csc_matrix], offsets: Sequence[int], ids: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Postings of the query terms across segments: (global doc rows, weights, term pos).

    ``term pos`` indexes into ``ids`` so callers can attribute contributions to terms.
    """
    rows, vals, pos = [], [], []
    for seg, off in zip(segments, offsets, strict=True):
        # Older segments are narrower than a grown vocabulary: skip terms beyond them
        # but keep each term's position ``j`` in ``ids``.
        known = np.flatnonzero(ids < seg.shape[1])
        starts, ends = seg.indptr[ids[known]], seg.indptr[ids[known] + 1]
        for j, s, e in zip(known.tolist(), starts.tolist(), ends.tolist(), strict=True):
            if e > s:
                rows.append(seg.indices[s:e] + off if off else seg.indices[s:e])
                vals.append(seg.data[s:e] * w[j])
                pos.append(np.full(e - s, j, dtype=np.int32))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0, dtype=np.float32), empty.astype(np.int32)
    return np.concatenate(rows), np.concatenate(vals), np.concatenate(pos)


def score(
    segments: Sequence[sp.csc_matrix],
    offsets: Sequence[int],
    n_docs: int,
    ids: np.ndarray,
    w: np.ndarray,
) -> np.ndarray:
    """Score of every document (float64, length ``n_docs``) for one query."""
    rows, vals, _ = gather(segments, offsets, ids, w)
    return np.bincount(rows, weights=vals, minlength=n_docs)


def score_batch(
    segments: Sequence[sp.csc_matrix], n_docs: int, queries: sp.csr_matrix
) -> np.ndarray:
    """Scores of a chunk of queries (dense ``q × n_docs``) by sparse product.

    ``queries @ seg.T``: the transpose of a CSC segment is a term-major CSR matrix, so
    scipy's product walks each query's terms' postings only.
    """
    out = np.zeros((queries.shape[0], n_docs), dtype=np.float32)
    start = 0
    for seg in segments:
        q = queries[:, : seg.shape[1]]
        out[:, start : start + seg.shape[0]] = (q @ seg.T).toarray()
        start += seg.shape[0]
    return out
