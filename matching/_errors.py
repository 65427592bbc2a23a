"""Exception tree of the matching library.

::

    MatchingError                 base class; catch this to handle any matcher failure
    ├── EmptyQueryError           the query has no indexable terms and no IPC evidence
    ├── NotFittedError            the matcher holds no index yet
    ├── UnknownDocumentError      update/remove of an id that is not indexed (also KeyError)
    ├── DuplicateDocumentError    add of an id that is already indexed (also ValueError)
    └── IndexMismatchError        a saved index does not fit this library or corpus
"""

from __future__ import annotations

__all__ = [
    "DuplicateDocumentError",
    "EmptyQueryError",
    "IndexMismatchError",
    "MatchingError",
    "NotFittedError",
    "UnknownDocumentError",
]


class MatchingError(Exception):
    """Base class of every error raised by :mod:`matching`."""


class EmptyQueryError(MatchingError, ValueError):
    """The query yields no known terms and no IPC evidence, so nothing can be ranked."""


class NotFittedError(MatchingError, RuntimeError):
    """The matcher has no index; call :meth:`Matcher.fit` or :func:`load` first."""


class UnknownDocumentError(MatchingError, KeyError):
    """An update or remove names a document id that is not in the index."""


class DuplicateDocumentError(MatchingError, ValueError):
    """An add names a document id that is already in the index; use update instead."""


class IndexMismatchError(MatchingError):
    """A saved index was written by another library/analyzer version, is corrupt, or
    was built from another corpus than the caller expects (fingerprint mismatch)."""
