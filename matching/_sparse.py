"""BM25 text model and term-major scoring.

Documents are counted field by field (BM25F-style: a field's term counts are scaled by
the field weight before saturation).  Postings are stored term-major (CSC, documents as
rows), so a query only reads the postings of its own terms.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import count, islice
from multiprocessing import get_context
from typing import overload

import numpy as np
import scipy.sparse as sp

try:  # the C++ kernel behind `csc_matrix @ vector`; private to scipy, hence guarded
    from scipy.sparse._sparsetools import csc_matvec as _csc_matvec
except ImportError:  # pragma: no cover - np.add.at gives the same sums, ~2x slower
    _csc_matvec = None

from ._counting import Counts
from ._counting import count_local as _count_local

FieldTexts = tuple[str, ...]
_BATCH = 4096
_ROW_BLOCK = 1 << 14  # rows per block of the in-place weighting and row norms


def count_segments(
    docs: Sequence[FieldTexts],
    weights: tuple[float, ...],
    vocab: Vocabulary,
    new: dict[str, int],
    segment: int,
    *,
    workers: int = 1,
) -> list[sp.csr_matrix]:
    """Weighted term counts (docs × vocabulary) of ``docs``, one CSR per ``segment`` rows.

    Terms unknown to ``vocab`` are added to ``new`` with ids ``len(vocab)``,
    ``len(vocab) + 1``, … in first-seen order (fitting passes an empty vocabulary;
    incremental adds grow it).  ``workers > 1`` analyzes batches in worker processes;
    ids are assigned here in batch order, so the result does not depend on the number
    of workers.  Batches are merged into a segment as they arrive, so only one
    segment's batches are held at a time.
    """
    batches = [docs[i : i + _BATCH] for i in range(0, len(docs), _BATCH)]
    out: list[sp.csr_matrix] = []
    blocks: list[sp.csr_matrix] = []
    pool = None
    if workers > 1 and len(batches) > 1:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
    # Fitting (empty vocabulary): every term is new, and a defaultdict numbers them
    # without a Python call per term.
    fitting: defaultdict[str, int] | None = None
    if not len(vocab):
        fitting = defaultdict(count().__next__)
    try:
        parts = _in_order(pool, batches, weights, 2 * workers) if pool else None
        for part in parts or (_count_local(b, weights) for b in batches):
            terms, indptr, cols, vals = part
            if fitting is not None:
                ids = np.fromiter(map(fitting.__getitem__, terms), np.int64, len(terms))
            else:
                ids = _term_ids(terms, vocab, new)
            n_cols = len(vocab) + len(new if fitting is None else fitting)
            blocks.append(sp.csr_matrix((vals, ids[cols], indptr), shape=(len(indptr) - 1, n_cols)))
            if sum(b.shape[0] for b in blocks) >= segment:
                out.append(_stack(blocks, segment))
    finally:
        if pool:
            pool.shutdown()
    if blocks or not out:
        out.append(_stack(blocks, segment))
    new.update(fitting or {})
    width = len(vocab) + len(new)
    return [sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width)) for m in out]


def _in_order(
    pool: ProcessPoolExecutor,
    batches: Sequence[Sequence[FieldTexts]],
    weights: tuple[float, ...],
    window: int,
) -> Iterator[Counts]:
    """Counts of ``batches`` from the pool, in order, with ``window`` batches in flight.

    ``pool.map`` would submit every batch at once: whenever this process falls behind
    (it also builds the structured columns, and the machine is shared), finished
    results would pile up in memory unboundedly.
    """
    todo = iter(batches)
    pending = deque(pool.submit(_count_packed, *_pack(b), weights) for b in islice(todo, window))
    while pending:
        part = pending.popleft().result()
        for b in islice(todo, 1):
            pending.append(pool.submit(_count_packed, *_pack(b), weights))
        yield part


def _pack(docs: Sequence[FieldTexts]) -> tuple[bytes, np.ndarray]:
    """A batch's texts as one UTF-8 payload plus each text's length, for a worker.

    Pickling the ``str`` objects themselves makes CPython cache a UTF-8 copy inside
    every one of them for as long as the caller keeps its documents: ≈ 0.85 GB at 1M
    patents, the largest part of the build's peak memory.  Encoding a joined copy
    caches nothing.
    """
    flat = [t for fields in docs for t in fields]
    lengths = np.fromiter(map(len, flat), np.int64, len(flat))
    return "".join(flat).encode("utf-8", "surrogatepass"), lengths


def _count_packed(payload: bytes, lengths: np.ndarray, weights: tuple[float, ...]) -> Counts:
    """:func:`count_local` of a batch packed by :func:`_pack` (runs in a worker)."""
    text = payload.decode("utf-8", "surrogatepass")
    ends = np.cumsum(lengths).tolist()
    flat = [text[a:z] for a, z in zip([0, *ends[:-1]], ends, strict=True)]
    width = len(weights)
    return _count_local([tuple(flat[i : i + width]) for i in range(0, len(flat), width)], weights)


def _stack(blocks: list[sp.csr_matrix], rows: int) -> sp.csr_matrix:
    """Pop the first ``rows`` rows of ``blocks`` as one CSR matrix (all when fewer)."""
    width = max((b.shape[1] for b in blocks), default=0)
    merged = sp.vstack(
        [sp.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width)) for b in blocks]
        or [sp.csr_matrix((0, width), dtype=np.float32)],
        format="csr",
        dtype=np.float32,
    )
    blocks.clear()
    if merged.shape[0] > rows:
        blocks.append(merged[rows:])
        merged = merged[:rows]
    return merged


def _term_ids(terms: Sequence[str], vocab: Vocabulary, new: dict[str, int]) -> np.ndarray:
    n0, base, extra = len(vocab), vocab.base, vocab.extra

    def one(t: str) -> int:
        i = base.get(t)
        if i is None:
            i = extra.get(t)
        return new.setdefault(t, n0 + len(new)) if i is None else i

    return np.fromiter(map(one, terms), np.int64, len(terms))


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
    def fit(cls, tfs: Sequence[sp.csr_matrix], vocab: Vocabulary, k1: float, b: float) -> Bm25Model:
        """Statistics of the term counts ``tfs`` (segments of one corpus)."""
        n = max(sum(t.shape[0] for t in tfs), 1)
        df = np.zeros(len(vocab), np.float64)
        for t in tfs:
            df += np.bincount(t.indices, minlength=len(vocab))
        avgdl = float(sum(t.data.sum(dtype=np.float64) for t in tfs) / n) or 1.0
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
        """BM25 document-side weights of a term-count matrix, computed in place.

        ``tf``'s float32 data is overwritten and shared by the result (the build drops
        the counts once weighted anyway).  Rows are done in blocks, so the temporaries
        are block-sized instead of three ``nnz``-sized arrays: at 1M documents they were
        the build's memory peak.  Same float32 operations, in the same order, as a
        whole-matrix computation.
        """
        tf = tf.tocsr()
        if tf.data.dtype != np.float32:
            tf = tf.astype(np.float32)
        dl = np.asarray(tf.sum(axis=1, dtype=np.float64)).ravel()
        norm = (self.k1 * (1 - self.b + self.b * dl / self.avgdl)).astype(np.float32)
        data, indptr, k1 = tf.data, tf.indptr, np.float32(self.k1 + 1)
        for r0 in range(0, tf.shape[0], _ROW_BLOCK):
            r1 = min(r0 + _ROW_BLOCK, tf.shape[0])
            a, z = indptr[r0], indptr[r1]
            denom = np.repeat(norm[r0:r1], np.diff(indptr[r0 : r1 + 1]))
            denom += data[a:z]
            np.divide(data[a:z] * k1, denom, out=denom)
            denom *= self.idf[tf.indices[a:z]]
            data[a:z] = denom
        return sp.csr_matrix((data, tf.indices, indptr), shape=tf.shape)


@overload
def l2_rows(x: np.ndarray) -> np.ndarray: ...
@overload
def l2_rows(x: sp.spmatrix) -> sp.csr_matrix: ...
def l2_rows(x: sp.spmatrix | np.ndarray) -> sp.csr_matrix | np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), sparse or dense, dtype kept.

    Replaces ``sklearn.preprocessing.normalize``: no input validation overhead per query,
    and ``import matching`` (also in the analyzer worker processes) skips sklearn.
    """
    if not sp.issparse(x):
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.where(norms > 0, norms, 1).astype(x.dtype)
    x = sp.csr_matrix(x)
    norms = row_norms(x)
    scale = np.repeat(1 / np.where(norms > 0, norms, 1), np.diff(x.indptr)).astype(x.dtype)
    return sp.csr_matrix((x.data * scale, x.indices, x.indptr), shape=x.shape)


def row_norms(x: sp.csr_matrix) -> np.ndarray:
    """L2 norm of each row of a CSR matrix (float64).

    By blocks of rows: the float64 squares of a whole 1M-row corpus segment would be a
    16-bytes-per-entry temporary.
    """
    out = np.empty(x.shape[0], np.float64)
    ones = np.ones(x.shape[1])
    for r0 in range(0, x.shape[0], _ROW_BLOCK):
        r1 = min(r0 + _ROW_BLOCK, x.shape[0])
        a, z = x.indptr[r0], x.indptr[r1]
        squares = sp.csr_matrix(
            (x.data[a:z].astype(np.float64) ** 2, x.indices[a:z], x.indptr[r0 : r1 + 1] - a),
            shape=(r1 - r0, x.shape[1]),
        )
        out[r0:r1] = squares @ ones
    return np.sqrt(out)


def term_ranges(
    indptr: np.ndarray, n_terms: int, ids: np.ndarray, w: np.ndarray
) -> list[tuple[int, int, int, np.float32]]:
    """``(position in ids, start, end, float32 weight)`` of each query term's posting
    range in a term-major matrix with ``n_terms`` terms, for terms with postings.

    Terms beyond ``n_terms`` are skipped: older segments (and the classifier) are
    narrower than a vocabulary grown by incremental adds.
    """
    known = np.flatnonzero(ids < n_terms)
    starts, ends = indptr[ids[known]].tolist(), indptr[ids[known] + 1].tolist()
    weights = np.asarray(w, np.float32)[known]
    return [r for r in zip(known.tolist(), starts, ends, weights, strict=True) if r[1] < r[2]]


def accumulate(
    segments: Sequence[sp.csc_matrix],
    offsets: Sequence[int],
    ids: np.ndarray,
    w: np.ndarray,
    out: np.ndarray,
) -> None:
    """Add the weighted postings of terms ``ids`` to ``out`` (one score per row).

    Per term, straight into the score array, in float32 and term order.  scipy's
    ``csc_matvec`` on the term's posting slice (a one-column CSC given as views, so
    nothing is copied) does it at ~1.3 ns per posting; ``np.add.at``, which bm25s
    ``get_scores`` uses, costs ~3 ns (200k documents, ~230k postings per title query:
    0.3–0.45 against 0.7–1.0 ms).  Both give bit-identical sums (tested).  Gathering all
    postings and one ``np.bincount`` was slower still (2.8 ms): ~7 passes, a float64 array.
    """
    for seg, off in zip(segments, offsets, strict=True):
        view = out[off : off + seg.shape[0]]
        for _, a, z, wt in term_ranges(seg.indptr, seg.shape[1], ids, w):
            _add_postings(view, seg.indices[a:z], seg.data[a:z], wt)


def _add_postings(out: np.ndarray, rows: np.ndarray, values: np.ndarray, wt: np.float32) -> None:
    """``out[rows] += values * wt`` for one term's (distinct) posting rows, in float32."""
    if _csc_matvec is None:
        np.add.at(out, rows, values * wt)
    else:  # the postings as a one-column CSC matrix times the 1-vector [wt]
        ptr = np.array((0, len(rows)), rows.dtype)
        _csc_matvec(len(out), 1, ptr, rows, values, np.array((wt,)), out)


def row_values(
    segments: Sequence[sp.csc_matrix],
    offsets: Sequence[int],
    ids: np.ndarray,
    w: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """Weighted postings of terms ``ids`` in global ``rows``: a rows × terms matrix.

    For explaining a few result rows: a binary search per term in its (sorted) postings
    instead of collecting every posting of the query.
    """
    out = np.zeros((len(rows), len(ids)), np.float32)
    for seg, off in zip(segments, offsets, strict=True):
        local = rows - off
        inside = np.flatnonzero((local >= 0) & (local < seg.shape[0]))
        if not len(inside):
            continue
        local = local[inside]
        for j, a, z, wt in term_ranges(seg.indptr, seg.shape[1], ids, w):
            postings = seg.indices[a:z]
            at = np.minimum(np.searchsorted(postings, local), z - a - 1)
            hit = postings[at] == local
            out[inside[hit], j] = seg.data[a:z][at[hit]] * wt
    return out
