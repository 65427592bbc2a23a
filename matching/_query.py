"""Query preparation and the second stage: candidates, dense and structured rerank."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._counting import count_local
from ._dense import LsaEncoder
from ._errors import EmptyQueryError
from ._fusion import structured
from ._index import Snapshot
from ._ipc import subclasses
from ._records import Table, doc_codes, filter_mask
from ._types import Filters, NeedDoc, PatentDoc

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


def prepare(snap: Snapshot, query: Query) -> Prepared:
    """Analyze a need, patent or plain text into the pieces the scorers need."""
    cfg, tables = snap.cfg, snap.tables
    if isinstance(query, str):
        fields: tuple[str, ...] = ("", query, "")
    elif isinstance(query, PatentDoc):
        fields = (query.title, query.abstract, query.claim)
    else:
        fields = (query.title, query.description, " ".join(query.keywords))
    terms, _, cols, vals = count_local([fields], cfg.field_weights[:3])
    vocab = snap.bm25.vocab
    known = [
        (i, v) for i, v in zip((vocab.get(terms[c]) for c in cols), vals, strict=True) if i >= 0
    ]
    ids = np.asarray([i for i, _ in known], np.int64)
    w = np.asarray([v for _, v in known], np.float32)
    evidence = _ipc_evidence(snap, query, ids, w)
    index = {s: i for i, s in enumerate(tables.get("subclass", Table()).values)}
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


def query_vector(snap: Snapshot, ids: np.ndarray, w: np.ndarray) -> sp.csr_matrix:
    data = w * snap.bm25.idf[ids]
    return sp.csr_matrix((data, ids, [0, len(ids)]), shape=(1, snap.bm25.n_terms))


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
        p = snap.classifier.predict(query_vector(snap, ids, w))[0]
        for j in np.argsort(-p)[:10]:
            if p[j] >= 0.005:
                out[snap.classifier.labels[j]] = (float(p[j]) * (1 - share), "predicted")
    for s in hints:
        prior = out.get(s, (0.0, ""))[0]
        out[s] = (prior + share / len(hints), "hint")
    return out


def keep_mask(snap: Snapshot, prep: Prepared, filters: Filters) -> np.ndarray:
    """Rows a query may return: alive, passing the filters and region strictness."""
    cols = snap.columns
    keep = snap.alive.copy()
    mask = filter_mask(filters, cols, snap.tables, snap.n_rows)
    if mask is not None:
        keep &= mask
    if prep.strict_region:
        keep &= (cols.regions & np.uint64(prep.regions)) != 0
    if snap.kind == "need" and cols.strict_region.any():
        keep &= ~cols.strict_region | ((cols.regions & np.uint64(prep.regions)) != 0)
    for doc_id in (*filters.exclude_ids, prep.own_id):
        row = snap.rows.get(doc_id) if doc_id else None
        if row is not None:
            keep[row] = False
    return keep


def rerank(
    snap: Snapshot, prep: Prepared, first: np.ndarray, keep: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Top-``k`` rows, their final scores and per-feature contributions (ties → id)."""
    score = np.where(keep, first, 0.0)
    c = min(max(snap.cfg.candidates, k), len(score))
    cand = np.argpartition(-score, c - 1)[:c] if c < len(score) else np.arange(len(score))
    cand = cand[score[cand] > 0]
    final = score[cand].copy()
    contrib: dict[str, np.ndarray] = {}
    cfg = snap.cfg
    if cfg.dense and len(cand) and snap.encoder is not None:
        cos = np.maximum(dense_rows(snap, cand) @ _query_dense(snap, prep), 0.0)
        contrib["dense"] = cfg.dense * cos
    feats = structured(cfg, snap.columns, cand, prep.modes, prep.regions, snap.kind == "patent")
    for name, values in feats.items():
        contrib[name] = getattr(cfg, name) * values
    for values in contrib.values():
        final += values
    order = sorted(range(len(cand)), key=lambda i: (-final[i], snap.ids[cand[i]]))[:k]
    return cand[order], final[order], {n: v[order] for n, v in contrib.items()}


def _query_dense(snap: Snapshot, prep: Prepared) -> np.ndarray:
    if isinstance(snap.encoder, LsaEncoder):
        return snap.encoder.encode_sparse(query_vector(snap, prep.ids, prep.w))[0]
    return np.asarray(snap.encoder.encode([prep.text]), np.float32)[0]  # type: ignore[union-attr]


def dense_rows(snap: Snapshot, rows: np.ndarray) -> np.ndarray:
    """Dense vectors of global ``rows`` gathered across segments."""
    seg = np.searchsorted(np.asarray(snap.offsets), rows, side="right") - 1
    out = np.empty((len(rows), snap.dense[0].shape[1]), np.float32)
    for s in np.unique(seg):
        sel = seg == s
        out[sel] = snap.dense[s][rows[sel] - snap.offsets[s]]
    return out
