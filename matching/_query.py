"""Query preparation and the second stage: candidates, dense and structured rerank."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from . import _needterms as needterms
from ._analyzer import analyze
from ._counting import count_local
from ._dense import LsaEncoder
from ._errors import EmptyQueryError
from ._feedback import feedback_features
from ._fusion import structured
from ._index import Snapshot
from ._ipc import subclasses
from ._records import Table, doc_codes
from ._scoring import dense_rows
from ._sparse import row_values
from ._types import Feedback, Filters, NeedDoc, PatentDoc

Query = NeedDoc | PatentDoc | str


class Prepared(NamedTuple):
    ids: np.ndarray  # known term ids
    w: np.ndarray  # their query weights
    ipc: dict[int, float]  # subclass-table index → probability
    evidence: dict[str, tuple[float, str]]  # subclass → (probability, source)
    modes: int
    regions: int
    strict_region: bool
    own_id: str | None
    text: str

    @property
    def has_text(self) -> bool:
        """The query has a known term (else the first stage ranked by IPC alone)."""
        return bool(len(self.ids))


def prepare(snap: Snapshot, query: Query) -> Prepared:
    """Analyze a need, patent or plain text into the pieces the scorers need."""
    tables = snap.tables
    if isinstance(query, str):
        fields: tuple[str, ...] = ("", query, "")
    elif isinstance(query, PatentDoc):
        fields = (query.title, query.abstract, query.claim)
    else:
        fields = (query.title, query.description, " ".join(query.keywords))
    if isinstance(query, str) and len(units := query.split()) > 1:
        ids, w = keyword_weights(snap, units)  # a keyword query: one unit per keyword
    else:
        # Need-style text (a need, or free text) has request boilerplate to discount, a
        # patent its own register (weighed only against enterprise documents).
        if isinstance(query, PatentDoc):
            ids, w = _field_weights(snap, fields, snap.cfg.patent_term_gamma, "patent")
        else:
            ids, w = _field_weights(snap, fields, snap.cfg.need_term_gamma, "need")
    evidence = _ipc_evidence(snap, query, ids, w)
    index = tables.get("subclass", Table()).index
    ipc = {index[s]: p for s, (p, _) in evidence.items() if s in index}
    if not len(ids) and not ipc:
        raise EmptyQueryError("the query has no known terms and no IPC evidence")
    modes, regions, strict = 0, 0, False
    if isinstance(query, NeedDoc):
        modes = tables.get("mode", Table()).mask(query.modes)
        regions = tables.get("region", Table()).mask({query.region, *query.regions})
        strict = not query.cross_region
    elif isinstance(query, PatentDoc):
        modes = tables.get("mode", Table()).mask(
            query.modes | ({"license"} if query.open_license else set())
        )
        regions = tables.get("region", Table()).mask({query.region})
    # Own id only within one id space: a need "1" must not hide patent "1".
    own = None if isinstance(query, str) or _kind(query) != snap.kind else query.id
    return Prepared(ids, w, ipc, evidence, modes, regions, strict, own, " ".join(fields))


def _field_weights(
    snap: Snapshot, fields: tuple[str, ...], gamma: float = 0.0, register: needterms.Kind = "need"
) -> tuple[np.ndarray, np.ndarray]:
    """Known term ids and their field-weighted counts, as the documents are indexed,
    times the register's term weight (``_needterms``; 1 for every term when ``gamma``
    is 0)."""
    terms, _, cols, vals = count_local([fields], snap.cfg.field_weights[:3])
    vocab = snap.bm25.vocab
    known = [
        (i, v, terms[c])
        for i, v, c in zip((vocab.get(terms[c]) for c in cols), vals, cols, strict=True)
        if i >= 0
    ]
    ids = np.asarray([i for i, _, _ in known], np.int64)
    w = np.asarray([v for _, v, _ in known], np.float32)
    return ids, w * needterms.table(register).weights((t for _, _, t in known), gamma)


def keyword_weights(snap: Snapshot, units: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Query term weights of a keyword query: each keyword is one unit of evidence.

    A whitespace-separated query ("坐便器 细菌 马桶") is a list of keywords, as an
    enterprise types it.  Counting all analyzer terms over-weights long keywords
    (坐便器 → 坐便器 + 坐便 + 便器: three terms) and counts a 2-character keyword twice
    (word = bigram).  Here the terms of one keyword share the weight of its most
    specific term, ``c_t · max_idf / Σ_u c_u·idf_u`` each, so every keyword contributes
    about as much whether a document matches it as a word or only through its bigrams.
    No fitted constant (keyphrase-dev MRR@10 0.670 → 0.680, see docs/matching.md).

    Parameters
    ----------
    snap : Snapshot
        The index whose vocabulary and idf are used; unknown terms are skipped.
    units : sequence of str
        The keywords (the query split on whitespace).

    Returns
    -------
    ids, weights : numpy.ndarray
        Known term ids (int64) and their query weights (float32).
    """
    vocab, idf = snap.bm25.vocab, snap.bm25.idf
    acc: dict[int, float] = {}
    for unit in units:
        counts = Counter(i for i in map(vocab.get, analyze(unit)) if i >= 0)
        if not counts:
            continue
        total = sum(float(idf[i]) * c for i, c in counts.items())
        top = max(float(idf[i]) for i in counts)
        for i, c in counts.items():
            acc[i] = acc.get(i, 0.0) + c * top / total
    ids = np.fromiter(acc, np.int64, len(acc))
    return ids, np.fromiter(acc.values(), np.float32, len(acc))


def _kind(query: NeedDoc | PatentDoc) -> str:
    return "patent" if isinstance(query, PatentDoc) else "need"


def _ipc_evidence(
    snap: Snapshot, query: Query, ids: np.ndarray, w: np.ndarray
) -> dict[str, tuple[float, str]]:
    """IPC distribution of the query: own codes, or predicted mixed with hints."""
    if isinstance(query, PatentDoc) and (own := subclasses(doc_codes(query))):
        return {s: (1 / len(own), "shared") for s in own}
    out: dict[str, tuple[float, str]] = {}
    hints = subclasses(doc_codes(query)) if isinstance(query, NeedDoc) else []
    share = snap.cfg.hint_share if hints else 0.0
    if snap.classifier is not None and len(ids):
        p = snap.classifier.predict_terms(ids, w * snap.bm25.idf[ids])
        for j in np.argsort(-p)[:10]:
            if p[j] >= 0.005:
                out[snap.classifier.labels[j]] = (float(p[j]) * (1 - share), "predicted")
    for s in hints:
        prior = out.get(s, (0.0, ""))[0]
        out[s] = (prior + share / len(hints), "hint")
    return out


_NO_FILTERS = Filters()


def drop_excluded(
    snap: Snapshot,
    prep: Prepared,
    filters: Filters,
    score: np.ndarray,
    excluded: frozenset[str] = frozenset(),
) -> None:
    """Zero, in place, the score of rows the query may not return.

    Dead rows, the filters, region strictness, ``excluded`` ids (feedback: 无需求) and
    the query's own id.  Without filters
    the cached "alive and not lapsed" mask is used: one multiply, no mask building.
    """
    cols = snap.columns
    if filters == _NO_FILTERS:
        keep = snap.default_keep
    else:  # exclusions are per query: zeroed below, not part of the cached mask
        keep = snap.keep_mask(replace(filters, exclude_ids=frozenset()))
    np.multiply(score, keep, out=score)
    if prep.strict_region:
        score[(cols.regions & np.uint64(prep.regions)) == 0] = 0
    if snap.kind == "need" and snap.any_strict_region:
        away = (cols.regions & np.uint64(prep.regions)) == 0
        score[cols.strict_region & away] = 0
    for doc_id in (*filters.exclude_ids, *excluded, prep.own_id):
        row = snap.rows.get(doc_id) if doc_id else None
        if row is not None:
            score[row] = 0


_SAMPLE = 8192  # scores sampled to set the candidate threshold


def top_rows(score: np.ndarray, c: int) -> np.ndarray:
    """Indices of the ``c`` largest positive scores, in no particular order.

    A full ``argpartition`` over the index costs ~0.5 ms at 200k rows.  Instead a
    threshold is read off a strided sample (its value that about 2c rows of the index
    should pass), all rows at or above it are found in one comparison and only those are
    partitioned.  When fewer than ``c`` pass, all positive rows are the candidates.
    Exact either way: with ≥ c rows ≥ threshold, the c-th largest score is ≥ threshold.
    """
    step = max(1, len(score) // _SAMPLE)
    sample = score[::step]
    j = 2 * c // step + 8  # sample rank whose value ≈ 2c rows of the index exceed
    cand = np.zeros(0, np.int64)
    if j < len(sample):
        threshold = np.partition(sample, len(sample) - j)[len(sample) - j]
        if threshold > 0:
            cand = np.flatnonzero(score >= threshold)
    if len(cand) < c:
        cand = np.flatnonzero(score > 0)
    if len(cand) > c:
        cand = cand[np.argpartition(-score[cand], c - 1)[:c]]
    return cand


def rerank(
    snap: Snapshot, prep: Prepared, score: np.ndarray, k: int, feedback: Feedback | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Top-``k`` rows, their final scores and per-feature contributions (ties → id)."""
    cand = top_rows(score, max(snap.cfg.candidates, k))
    final = score[cand]
    contrib: dict[str, np.ndarray] = {}
    cfg = snap.cfg
    if cfg.ipc and prep.ipc and len(cand) and prep.has_text:
        contrib["ipc"] = cfg.ipc * ipc_agreement(snap, prep, cand, final)
    if cfg.dense and len(cand) and snap.encoder is not None:
        cos = np.maximum(dense_rows(snap, cand) @ _query_dense(snap, prep), 0.0)
        contrib["dense"] = cfg.dense * cos
    feats = structured(cfg, snap.columns, cand, prep.modes, prep.regions, snap.kind == "patent")
    for name, values in feats.items():
        contrib[name] = getattr(cfg, name) * values
    if feedback is not None and snap.kind == "patent" and len(cand):
        contrib.update(feedback_features(cfg, snap, cand, feedback))
    for values in contrib.values():
        final = final + values
    order = _best(final, cand, snap.ids, k)
    return cand[order], final[order], {n: v[order] for n, v in contrib.items()}


def ipc_agreement(snap: Snapshot, prep: Prepared, cand: np.ndarray, text: np.ndarray) -> np.ndarray:
    """``Σ_s p(s|q) · [s ∈ IPC(d)] / sqrt(|IPC(d)|)`` of candidate rows, 0..1.

    A document without IPC codes (a technology offer, an import without an IPC column)
    is neither rewarded nor penalised: it gets the text-weighted mean agreement of the
    candidates that have codes, what an IPC-bearing document with its text would expect.
    """
    sub = np.fromiter(prep.ipc, np.int64, len(prep.ipc))
    p = np.fromiter(prep.ipc.values(), np.float32, len(prep.ipc))
    agree = row_values(snap.ipc_segments, snap.offsets, sub, p, cand).sum(axis=1)
    ptr = snap.columns.code_ptr
    coded = ptr[cand + 1] > ptr[cand]
    weight = text[coded].astype(np.float64)
    if coded.all() or not weight.sum():
        out: np.ndarray = agree.astype(np.float64)
        return out
    neutral = float(agree[coded] @ weight / weight.sum())
    return np.where(coded, agree, neutral)


def _best(final: np.ndarray, cand: np.ndarray, ids: Sequence[str], k: int) -> list[int]:
    """Positions of the ``k`` best candidates by (-score, id): numpy sorts by score, and
    only the candidates tied with the k-th score are compared by id in Python."""
    if len(final) <= k:
        head = np.arange(len(final))
    else:
        kth = np.partition(final, len(final) - k)[len(final) - k]
        head = np.flatnonzero(final >= kth)
    ranked = sorted(head.tolist(), key=lambda i: (-final[i], ids[int(cand[i])]))
    return ranked[:k]


def _query_dense(snap: Snapshot, prep: Prepared) -> np.ndarray:
    if isinstance(snap.encoder, LsaEncoder):
        return snap.encoder.encode_terms(prep.ids, prep.w * snap.bm25.idf[prep.ids])
    out: np.ndarray = np.asarray(snap.encoder.encode([prep.text]), np.float32)[0]  # type: ignore[union-attr]
    return out
