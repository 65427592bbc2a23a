"""Immutable index snapshots: build, incremental add/remove, and first-stage scoring.

A snapshot is never mutated once published; add/remove return a new snapshot that
shares the unchanged arrays (copy-on-write), so readers holding the old one are safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from functools import cached_property
from operator import attrgetter
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._dense import Encoder, LsaEncoder
from ._errors import DuplicateDocumentError, MatchingError, UnknownDocumentError
from ._fusion import MatcherConfig
from ._ipc import SubclassClassifier, subclasses
from ._records import (
    Columns,
    Doc,
    Table,
    build_columns,
    doc_codes,
    field_texts,
    filter_mask,
    ipc_matrix,
)
from ._sparse import Bm25Model, Vocabulary, count_segments
from ._types import Filters, NeedDoc, PatentDoc

SEGMENT_DOCS = 1 << 17  # rows per postings segment: bounds the transient CSR→CSC copy
_ENCODE_ROWS = 1 << 14  # rows per LSA encoding chunk: bounds its dense temporaries


@dataclass(frozen=True)
class Snapshot:
    cfg: MatcherConfig
    kind: str  # "patent" or "need": the type of the indexed documents
    bm25: Bm25Model
    classifier: SubclassClassifier | None
    encoder: Encoder | LsaEncoder | None
    ipc_titles: Mapping[str, str]
    segments: tuple[sp.csc_matrix, ...]  # text postings, rows = documents
    ipc_segments: tuple[sp.csc_matrix, ...]  # documents × subclass table
    dense: tuple[np.ndarray, ...]
    offsets: tuple[int, ...]
    ids: tuple[str, ...]
    rows: Mapping[str, int]  # live id → row
    alive: np.ndarray
    hashes: np.ndarray  # uint64 content hash per row, XOR-ed into the fingerprint
    columns: Columns
    tables: Mapping[str, Table]

    @property
    def n_rows(self) -> int:
        return len(self.ids)

    @cached_property
    def default_keep(self) -> np.ndarray:
        """Rows a query without filters may return: alive and not lapsed (cached)."""
        out: np.ndarray = self.alive & ~self.columns.lapsed
        return out

    @cached_property
    def _keep_cache(self) -> dict[Filters, np.ndarray]:
        return {}

    def keep_mask(self, filters: Filters) -> np.ndarray:
        """Rows ``filters`` lets through (alive included); read-only, cached per snapshot.

        The service sends the same few filter sets again and again (the default legal
        statuses, above all): rebuilding the mask over every row cost ~1 ms a query at
        200k. Snapshots are replaced, never changed, so the cache cannot go stale.
        """
        cache = self._keep_cache
        keep = cache.get(filters)
        if keep is None:
            keep = self.alive.copy()
            mask = filter_mask(filters, self.columns, self.tables, self.n_rows)
            if mask is not None:
                keep &= mask
            if filters.only_ids:
                listed = np.zeros(self.n_rows, bool)
                rows = [self.rows.get(i) for i in filters.only_ids]
                listed[[r for r in rows if r is not None]] = True
                keep &= listed
            keep.flags.writeable = False
            if len(cache) >= 64:  # ad-hoc filter sets must not grow it without bound
                cache.clear()
            cache[filters] = keep
        return keep

    @cached_property
    def any_strict_region(self) -> bool:
        return bool(self.columns.strict_region.any())

    @property
    def fingerprint(self) -> str:
        live = self.hashes[self.alive]
        return f"{int(np.bitwise_xor.reduce(live)) if len(live) else 0:016x}"


def doc_hash(doc: Doc) -> int:
    """64-bit content hash of a document, the same in every process.

    Set fields are hashed sorted: a frozenset's repr follows the process's string hash
    seed, so ``repr(doc)`` gave another fingerprint after each restart whenever a document
    had two modes or regions, and the service never reused its saved index.
    """
    values = _FIELD_VALUES[type(doc)](doc)
    canonical = [sorted(v) if type(v) is frozenset else v for v in values]
    digest = hashlib.blake2b(repr((type(doc).__name__, canonical)).encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "little")


_FIELD_VALUES = {t: attrgetter(*(f.name for f in fields(t))) for t in (PatentDoc, NeedDoc)}


def doc_kind(docs: Sequence[Doc]) -> str:
    kinds = {"patent" if isinstance(d, PatentDoc) else "need" for d in docs}
    if len(kinds) != 1 or not all(isinstance(d, PatentDoc | NeedDoc) for d in docs):
        raise MatchingError("index PatentDoc or NeedDoc objects, one kind per index")
    return kinds.pop()


def build(
    docs: Sequence[Doc],
    cfg: MatcherConfig,
    ipc_titles: Mapping[str, str],
    encoder: Encoder | None = None,
    workers: int = 1,
) -> Snapshot:
    """Fit the models (vocabulary, BM25, classifier, LSA) on ``docs`` and index them."""
    kind = doc_kind(docs)
    _check_unique([d.id for d in docs])
    terms: dict[str, int] = {}
    texts = _field_texts(docs, cfg, ipc_titles)
    with ThreadPoolExecutor(1) as side:
        # Structured columns, IPC matrix and hashes are built while the analyzer
        # processes count terms (this thread would otherwise only wait for them).
        pending = side.submit(_describe, docs, {}) if workers > 1 else None
        tfs = count_segments(
            texts, cfg.field_weights, Vocabulary.of(()), terms, SEGMENT_DOCS, workers=workers
        )
        described = pending.result() if pending else _describe(docs, {})
    bm25 = Bm25Model.fit(tfs, Vocabulary(terms, tuple(terms)), cfg.k1, cfg.b)
    enc: Encoder | LsaEncoder | None = encoder
    if enc is None:  # fitted on a weighted sample first, so segments are encoded as weighed
        enc = LsaEncoder.fit(_sample_rows(tfs, bm25, cfg.lsa_sample), cfg.lsa_dim, cfg.lsa_terms)
    labels = described.labels
    label_set = tuple(sorted({s for ls in labels for s in ls}))
    segments: list[sp.csc_matrix] = []
    dense: list[np.ndarray] = []
    sums = sp.csr_matrix((len(label_set), len(terms)), dtype=np.float32)
    while tfs:  # weigh segment by segment, dropping each one's counts once used
        start = sum(seg.shape[0] for seg in segments)
        w = bm25.weigh(tfs.pop(0))
        rows = slice(start, start + w.shape[0])
        sums = sums + SubclassClassifier.label_sums(w, labels[rows], label_set)
        seg, vectors = _encode_segment(w, enc, texts[rows])
        del w
        segments.append(seg)
        dense.append(vectors)
    classifier = SubclassClassifier.from_sums(
        sums, label_set, cfg.temperature, cfg.classifier_terms
    )
    tables: dict[str, Table] = {}
    snap = Snapshot(
        cfg,
        kind,
        bm25,
        classifier,
        enc,
        _subclass_titles(ipc_titles),
        (),
        (),
        (),
        (),
        (),
        {},
        np.zeros(0, bool),
        np.zeros(0, np.uint64),
        build_columns([], tables, []),
        tables,
    )
    return _append(snap, docs, tuple(segments), tuple(dense), described)


class _Described(NamedTuple):
    """Everything about new rows except their text postings."""

    columns: Columns
    ipc: sp.csc_matrix  # rows × subclass table
    tables: dict[str, Table]  # the snapshot's tables grown by these rows
    hashes: np.ndarray
    labels: list[list[str]]  # IPC subclasses per row


def _field_texts(
    docs: Sequence[Doc], cfg: MatcherConfig, titles: Mapping[str, str]
) -> list[tuple[str, ...]]:
    """Each document's field texts; the IPC-title field only when it has a weight (by
    default it has none: one more string per patent held through the build, for nothing)."""
    return [field_texts(d, titles if cfg.ipc_title_weight else {}) for d in docs]


def _describe(docs: Sequence[Doc], tables: Mapping[str, Table]) -> _Described:
    grown = dict(tables)
    codes = [doc_codes(d) for d in docs]
    labels = [subclasses(c) for c in codes]
    columns = build_columns(docs, grown, codes)
    ipc = ipc_matrix(labels, grown).tocsc()
    hashes = np.fromiter(map(doc_hash, docs), np.uint64, len(docs))
    return _Described(columns, ipc, grown, hashes, labels)


def add(snap: Snapshot, docs: Sequence[Doc], workers: int = 1) -> Snapshot:
    """A new snapshot with ``docs`` indexed by the models of ``snap``.

    Terms the vocabulary has not seen are appended to it (see :meth:`Bm25Model.grown`
    for their idf), so a new document is found by its new terms at once; the
    classifier and LSA ignore them until the next refit.
    """
    if not docs:
        return snap
    if doc_kind(docs) != snap.kind:
        raise MatchingError(f"this index holds {snap.kind} documents")
    _check_unique([d.id for d in docs])
    if clash := [d.id for d in docs if d.id in snap.rows]:
        raise DuplicateDocumentError(f"already indexed: {clash[:5]}")
    texts = _field_texts(docs, snap.cfg, snap.ipc_titles)
    new: dict[str, int] = {}
    tfs = count_segments(
        texts, snap.cfg.field_weights, snap.bm25.vocab, new, SEGMENT_DOCS, workers=workers
    )
    if new:
        n0 = snap.bm25.n_terms
        df = sum(np.bincount(t.indices[t.indices >= n0] - n0, minlength=len(new)) for t in tfs)
        bm25 = snap.bm25.grown(list(new), np.asarray(df), len(snap.rows) + len(docs))
        snap = replace(snap, bm25=bm25)
    done = [
        _encode_segment(
            snap.bm25.weigh(t), snap.encoder, texts[i * SEGMENT_DOCS : (i + 1) * SEGMENT_DOCS]
        )
        for i, t in enumerate(tfs)
    ]
    del tfs
    segments = tuple(seg for seg, _ in done)
    dense = tuple(vectors for _, vectors in done)
    return _append(snap, docs, segments, dense, _describe(docs, snap.tables))


def remove(snap: Snapshot, ids: Sequence[str]) -> Snapshot:
    """A new snapshot without ``ids`` (rows are tombstoned until the next refit)."""
    missing = [i for i in ids if i not in snap.rows]
    if missing:
        raise UnknownDocumentError(f"not indexed: {missing[:5]}")
    rows = dict(snap.rows)
    alive = snap.alive.copy()
    for i in ids:
        alive[rows.pop(i)] = False
    return replace(snap, rows=rows, alive=alive)


def _append(
    snap: Snapshot,
    docs: Sequence[Doc],
    segments: tuple[sp.csc_matrix, ...],
    dense: tuple[np.ndarray, ...],
    described: _Described,
) -> Snapshot:
    n0 = snap.n_rows
    ipc_segments = tuple(
        described.ipc[off - n0 : off - n0 + s.shape[0]]
        for s, off in zip(segments, _offsets(segments, n0), strict=True)
    )
    rows = dict(snap.rows)
    rows.update({d.id: n0 + i for i, d in enumerate(docs)})
    return replace(
        snap,
        segments=snap.segments + segments,
        ipc_segments=snap.ipc_segments + ipc_segments,
        dense=snap.dense + dense,
        offsets=snap.offsets + tuple(_offsets(segments, n0)),
        ids=snap.ids + tuple(d.id for d in docs),
        rows=rows,
        alive=np.concatenate([snap.alive, np.ones(len(docs), bool)]),
        hashes=np.concatenate([snap.hashes, described.hashes]),
        columns=snap.columns.concat(described.columns),
        tables=described.tables,
    )


def _offsets(segments: Sequence[sp.spmatrix], start: int = 0) -> list[int]:
    sizes = [s.shape[0] for s in segments]
    return [start + int(x) for x in np.cumsum([0, *sizes[:-1]])] if sizes else []


def _check_unique(ids: Sequence[str]) -> None:
    if len(set(ids)) != len(ids):
        raise DuplicateDocumentError("document ids must be unique")


def _sample_rows(tfs: Sequence[sp.csr_matrix], bm25: Bm25Model, sample: int) -> sp.csr_matrix:
    """A deterministic row sample of the weighted matrix, for fitting LSA.

    Taken from the counts and weighed on its own (a row's weights depend only on the
    row and the corpus statistics), so LSA is fitted before the segments are weighed.
    """
    n = sum(t.shape[0] for t in tfs)
    take = np.sort(np.random.default_rng(0).choice(n, min(n, sample), replace=False))
    parts = []
    for tf, off in zip(tfs, _offsets(tfs), strict=True):
        parts.append(tf[take[(take >= off) & (take < off + tf.shape[0])] - off])
    if not parts:
        return sp.csr_matrix((0, 0))
    x = bm25.weigh(sp.vstack(parts, format="csr"))
    x.sort_indices()  # the same entry order as rows read back from the CSC postings
    return x


def _encode_segment(
    w: sp.csr_matrix, encoder: Encoder | LsaEncoder | None, texts: Sequence[tuple[str, ...]]
) -> tuple[sp.csc_matrix, np.ndarray]:
    """A weighted segment's postings (CSC) and dense vectors.

    Encoded from the row-major weights before the CSC conversion: reading rows back
    from a CSC segment costs a scan and two copies per chunk.  Indices are sorted in
    place first, so the sums run in the same order as over CSC rows.
    """
    w.sort_indices()
    if encoder is None:
        vectors = np.zeros((w.shape[0], 0), np.float32)
    elif isinstance(encoder, LsaEncoder):
        chunks = [
            encoder.encode_sparse(w[i : i + _ENCODE_ROWS])
            for i in range(0, w.shape[0], _ENCODE_ROWS)
        ]
        vectors = np.vstack(chunks) if chunks else np.zeros((0, encoder.dim), np.float32)
    else:
        vectors = np.asarray(encoder.encode([" ".join(t[:3]) for t in texts]), np.float32)
    return w.tocsc(), vectors


def _subclass_titles(titles: Mapping[str, str]) -> dict[str, str]:
    """Only subclass-level titles are used (explanations, IPC text field)."""
    return {c: t for c, t in titles.items() if len(c) == 4}


def empty_like(snap: Snapshot) -> Snapshot:
    """The models of ``snap`` without any documents (for reindexing)."""
    return replace(
        snap,
        segments=(),
        ipc_segments=(),
        dense=(),
        offsets=(),
        ids=(),
        rows={},
        alive=np.zeros(0, bool),
        hashes=np.zeros(0, np.uint64),
        columns=build_columns([], {}, []),
        tables={},
    )
