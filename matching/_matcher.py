"""The public :class:`Matcher`: thread-safe lifecycle around immutable snapshots."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from . import _index, _scoring
from ._analyzer import _words as words
from ._analyzer import normalize
from ._dense import Encoder
from ._errors import EmptyQueryError, NotFittedError
from ._explain import explain
from ._fusion import MatcherConfig
from ._query import Prepared, Query, drop_excluded, prepare, rerank
from ._records import Doc
from ._types import Explanation, Feedback, Filters, IpcEvidence, Match

_NO_FILTERS = Filters()
_PARALLEL_FROM = 20000  # below this, worker start-up costs more than it saves


def _workers(n_docs: int, workers: int | None) -> int:
    if workers is not None:
        return workers
    return min(2, os.cpu_count() or 1) if n_docs >= _PARALLEL_FROM else 1


class Matcher:
    """Hybrid matcher over one kind of documents (patents, or needs).

    Readers (:meth:`match`, :meth:`match_many`, ...) take the current immutable snapshot
    without locking; writers (:meth:`add`, :meth:`update`, :meth:`remove`,
    :meth:`refit`) build a new snapshot under a lock and swap it in atomically.  A
    reader therefore sees the index either before or after a write, never half of it.
    """

    def __init__(self, snapshot: _index.Snapshot | None = None) -> None:
        self._snap = snapshot
        self._lock = threading.Lock()

    @classmethod
    def fit(
        cls,
        docs: Sequence[Doc],
        *,
        ipc_titles: Mapping[str, str] | None = None,
        config: MatcherConfig | None = None,
        encoder: Encoder | None = None,
        workers: int | None = None,
    ) -> Matcher:
        """Fit the models on ``docs`` and index them.

        Parameters
        ----------
        docs : sequence of PatentDoc or NeedDoc
            All of one kind, unique ids.  Index patents to match needs against them;
            index needs to find licensees for a patent.
        ipc_titles : mapping of str to str, optional
            IPC code → Chinese title (e.g. from ``ipc_zh.tsv``); subclass titles are
            used in explanations and as a text field.
        config : MatcherConfig, optional
            Weights and model parameters; defaults are the fitted ones.
        encoder : Encoder, optional
            Dense encoder; default LSA fitted on ``docs``.
        workers : int, optional
            Analyzer processes; default 2 for ≥ 20k documents, else 1.

        Returns
        -------
        Matcher
        """
        cfg = config or MatcherConfig()
        snap = _index.build(docs, cfg, ipc_titles or {}, encoder, _workers(len(docs), workers))
        return cls(snap)

    @property
    def snapshot(self) -> _index.Snapshot:
        snap = self._snap
        if snap is None:
            raise NotFittedError("fit or load the matcher first")
        return snap

    def __len__(self) -> int:
        return len(self.snapshot.rows)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.snapshot.rows

    @property
    def fingerprint(self) -> str:
        """Order-independent hash of the indexed documents' contents (hex)."""
        return self.snapshot.fingerprint

    @property
    def config(self) -> MatcherConfig:
        return self.snapshot.cfg

    def add(self, docs: Iterable[Doc], *, workers: int | None = None) -> None:
        """Index new documents with the current models (no refit).

        Terms new to the vocabulary are appended to it, so the documents are found by
        them at once (their idf is fixed at this add; the IPC classifier and LSA use
        them only after the next :meth:`refit`).  Raises DuplicateDocumentError for ids
        already indexed.
        """
        docs = list(docs)
        with self._lock:
            self._snap = _index.add(self.snapshot, docs, _workers(len(docs), workers))

    def remove(self, ids: Iterable[str]) -> None:
        """Remove documents by id; raises UnknownDocumentError for unknown ids."""
        ids = [str(i) for i in ids]
        with self._lock:
            self._snap = _index.remove(self.snapshot, ids)

    def update(self, docs: Iterable[Doc]) -> None:
        """Replace indexed documents (same ids) with new versions, atomically."""
        docs = list(docs)
        with self._lock:
            snap = _index.remove(self.snapshot, [d.id for d in docs])
            self._snap = _index.add(snap, docs, _workers(len(docs), None))

    def refit(self, docs: Sequence[Doc], *, models: bool = True) -> None:
        """Rebuild from ``docs`` (the full current corpus) and swap it in.

        With ``models=True`` vocabulary, BM25 statistics, classifier and LSA are
        refitted (periodic refit); with ``models=False`` the current models are kept and
        only the postings are rebuilt, compacting removed rows.  Reads continue on the
        old snapshot meanwhile.
        """
        old = self.snapshot
        workers = _workers(len(docs), None)
        if models:
            encoder = None if old.encoder is None or old.encoder.name == "lsa" else old.encoder
            new = _index.build(docs, old.cfg, old.ipc_titles, encoder, workers)  # type: ignore[arg-type]
        else:
            new = _index.add(_index.empty_like(old), docs, workers)
        with self._lock:
            self._snap = new

    def match(
        self,
        query: Query,
        k: int = 20,
        *,
        filters: Filters | None = None,
        explain: bool = True,
        feedback: Feedback | None = None,
    ) -> list[Match]:
        """Rank indexed documents for a need (or patent, or plain text).

        Parameters
        ----------
        query : NeedDoc, PatentDoc or str
            A need against a patent index; a patent against a need index; text anywhere.
        k : int
            Number of results; fewer are returned when fewer documents have evidence.
        filters : Filters, optional
            Hard filters applied before top-k; lapsed patents are excluded by default.
        explain : bool
            Attach an :class:`Explanation` to each result.
        feedback : Feedback, optional
            Enterprise feedback for this query (patent index only): prospect ratings and
            similar enterprises' intents as small features, ``excluded`` ids dropped.
            Without it (or with empty fields) the ranking is exactly the unfed one.

        Returns
        -------
        list of Match
            Best first; ties broken by id.

        Raises
        ------
        EmptyQueryError
            The query has no known term and no IPC evidence.
        """
        return self._match_all([query], k, filters, explain, [feedback], empty_raises=True)[0]

    def match_many(
        self,
        queries: Sequence[Query],
        k: int = 20,
        *,
        filters: Filters | None = None,
        explain: bool | Callable[[int, str, float], bool] = False,
        feedback: Sequence[Feedback | None] | None = None,
    ) -> list[list[Match]]:
        """Match many queries (nightly push) against one snapshot.

        Same results as calling :meth:`match` per query, all on the same snapshot even
        if a writer swaps in a new one meanwhile.  Each query takes the single-query path:
        scoring a chunk of queries with one sparse matrix product was 5× slower per query
        (a dense chunk × rows score block, float32 products in scipy).  ``feedback``, when
        given, has one entry (or None) per query. ``explain`` may be a predicate
        ``(query position, id, score)``: only the results it accepts are explained (the
        reverse push explains the few pairs it sends, not all k per patent).  A query
        with no known term and no IPC evidence gets an empty list (:meth:`match` raises
        EmptyQueryError instead): one such need must not abort a nightly batch.
        """
        fbs = list(feedback) if feedback is not None else [None] * len(queries)
        if len(fbs) != len(queries):
            raise ValueError("feedback needs one entry per query")
        return self._match_all(queries, k, filters, explain, fbs, empty_raises=False)

    def _match_all(
        self,
        queries: Sequence[Query],
        k: int,
        filters: Filters | None,
        explain: bool | Callable[[int, str, float], bool],
        fbs: Sequence[Feedback | None],
        *,
        empty_raises: bool,
    ) -> list[list[Match]]:
        snap = self.snapshot
        out: list[list[Match]] = []
        for position, (query, fb) in enumerate(zip(queries, fbs, strict=True)):
            try:
                prep = prepare(snap, query)
            except EmptyQueryError:
                if empty_raises:
                    raise
                out.append([])
                continue
            score, tmax = _scoring.first_stage(snap, prep.ids, prep.w, prep.ipc)
            excluded = fb.excluded if fb is not None else frozenset()
            drop_excluded(snap, prep, filters or _NO_FILTERS, score, excluded)
            rows, scores, contrib = rerank(snap, prep, score, k, fb)
            notes = None
            if explain:
                notes = _notes(snap, prep, tmax, rows, scores, contrib, fb, explain, position)
            out.append(_results(snap, rows, scores, notes))
        return out

    def predict_ipc(self, text: str, top: int = 5) -> list[IpcEvidence]:
        """Predicted IPC subclasses of a need text, most probable first."""
        snap = self.snapshot
        prep = prepare(snap, text)
        best = sorted(prep.evidence.items(), key=lambda kv: -kv[1][0])[:top]
        return [IpcEvidence(s, snap.ipc_titles.get(s, ""), src, p) for s, (p, src) in best]

    def key_terms(self, text: str, top: int = 15) -> list[tuple[str, float]]:
        """The most distinctive words of ``text`` against this index (tf × idf, words of
        two or more characters; bigram fragments are not words and never listed)."""
        bm25 = self.snapshot.bm25
        counts: dict[str, int] = {}
        for term in words(normalize(text)):
            counts[term] = counts.get(term, 0) + 1
        scored = []
        for term, n in counts.items():
            i = bm25.vocab.get(term)
            if len(term) > 1 and i >= 0:
                scored.append((term, n * float(bm25.idf[i])))
        scored.sort(key=lambda ts: (-ts[1], ts[0]))
        return scored[:top]


explain_rows = explain


def _notes(
    snap: _index.Snapshot,
    prep: Prepared,
    tmax: float,
    rows: np.ndarray,
    scores: np.ndarray,
    contrib: dict[str, np.ndarray],
    fb: Feedback | None,
    wanted: bool | Callable[[int, str, float], bool],
    position: int,
) -> list[Explanation | None]:
    """Explanations of the results ``wanted`` accepts (all when it is True), else None."""
    keep = np.arange(len(rows))
    if callable(wanted):
        ids = [snap.ids[r] for r in rows.tolist()]
        keep = np.flatnonzero(
            [wanted(position, i, s) for i, s in zip(ids, scores.tolist(), strict=True)]
        )
    notes: list[Explanation | None] = [None] * len(rows)
    if not len(keep):
        return notes
    kept = {name: values[keep] for name, values in contrib.items()}
    explained = explain_rows(snap, prep, tmax, rows[keep], scores[keep], kept, fb)
    for i, note in zip(keep.tolist(), explained, strict=True):
        notes[i] = note
    return notes


def _results(
    snap: _index.Snapshot,
    rows: np.ndarray,
    scores: np.ndarray,
    notes: list[Explanation | None] | None,
) -> list[Match]:
    return [
        Match(snap.ids[r], float(s), notes[i] if notes else None)
        for i, (r, s) in enumerate(zip(rows.tolist(), scores.tolist(), strict=True))
    ]
