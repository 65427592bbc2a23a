"""Panhuo's matcher: Chinese-aware hybrid ranking of patents against enterprise needs.

A pure library: plain Python types in and out, no web framework or database imports.

>>> from matching import Matcher, NeedDoc, PatentDoc
>>> m = Matcher.fit([PatentDoc("p1", title="锂电池正极材料"), PatentDoc("p2", title="风力叶片")])
>>> [r.id for r in m.match(NeedDoc("n1", title="需要锂电池技术"), k=1)]
['p1']
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ._analyzer import ANALYZER_VERSION, analyze, normalize
from ._dense import Encoder, LsaEncoder
from ._errors import (
    DuplicateDocumentError,
    EmptyQueryError,
    IndexMismatchError,
    MatchingError,
    NotFittedError,
    UnknownDocumentError,
)
from ._feedback import peer_weight
from ._fusion import MatcherConfig
from ._index import doc_hash
from ._matcher import Matcher
from ._persist import load_snapshot, save_snapshot, saved_label
from ._types import (
    Explanation,
    FeatureContribution,
    Feedback,
    Filters,
    IpcEvidence,
    Match,
    NeedDoc,
    PatentDoc,
    PeerIntent,
    Rating,
    TermContribution,
)

__version__ = "0.1.0"

__all__ = [
    "ANALYZER_VERSION",
    "DuplicateDocumentError",
    "EmptyQueryError",
    "Encoder",
    "Explanation",
    "FeatureContribution",
    "Feedback",
    "Filters",
    "IndexMismatchError",
    "IpcEvidence",
    "LsaEncoder",
    "Match",
    "Matcher",
    "MatcherConfig",
    "MatchingError",
    "NeedDoc",
    "NotFittedError",
    "PatentDoc",
    "PeerIntent",
    "Rating",
    "TermContribution",
    "UnknownDocumentError",
    "__version__",
    "analyze",
    "corpus_fingerprint",
    "load",
    "normalize",
    "peer_weight",
    "save",
    "saved_label",
]


def corpus_fingerprint(docs: list[PatentDoc] | list[NeedDoc]) -> str:
    """Order-independent content hash of ``docs``, equal to ``Matcher.fingerprint``
    after indexing exactly these documents; pass it to :func:`load` to refuse a stale
    index."""
    value = 0
    for d in docs:
        value ^= doc_hash(d)
    return f"{value:016x}"


def save(
    matcher: Matcher, path: str | os.PathLike[str], *, label: Mapping[str, Any] | None = None
) -> None:
    """Save a matcher's current snapshot to directory ``path`` (no pickle).

    Parameters
    ----------
    matcher : Matcher
    path : str or path-like
        Directory; receives a new version (``.npy`` arrays and ``meta.json``) that
        replaces the previous one atomically. On failure (e.g. a full disk) the previous
        version stays current and the error is raised.
    label : mapping, optional
        JSON-serializable values stored beside the index, read back by :func:`saved_label`.
    """
    save_snapshot(matcher.snapshot, path, __version__, label)


def load(
    path: str | os.PathLike[str],
    *,
    fingerprint: str | None = None,
    encoder: Encoder | None = None,
    mmap: bool = True,
) -> Matcher:
    """Load a matcher saved by :func:`save`.

    Parameters
    ----------
    path : str or path-like
    fingerprint : str, optional
        Expected corpus fingerprint (:func:`corpus_fingerprint` of the current rows).
    encoder : Encoder, optional
        The plugged encoder the index was built with, if not LSA.
    mmap : bool, default True
        Map the arrays read-only (processes loading the same files share their pages)
        instead of reading them into private memory.

    Raises
    ------
    IndexMismatchError
        Other library, analyzer or format version; fingerprint or encoder mismatch;
        unreadable, incomplete or damaged files (size or checksum).
    """
    return Matcher(load_snapshot(path, __version__, fingerprint, encoder, mmap))
