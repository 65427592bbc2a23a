"""Dense vectors: the pluggable encoder interface and the default LSA encoder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from ._sparse import l2_rows as l2_normalize

__all__ = ["Encoder", "LsaEncoder"]


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalized dense vectors (``float32``, ``len(texts) × dim``).

    Implement it to plug in a local sentence-embedding model; pass the instance to
    :meth:`Matcher.fit` and again to :func:`load`.  ``name`` identifies the model and is
    checked on load.  Nothing may be downloaded at run time.
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class LsaEncoder:
    """Latent semantic analysis: truncated SVD of the corpus' own BM25 space.

    Fitted on the indexed corpus (a sample of at most ``sample`` documents), so no
    model is downloaded.  It encodes BM25 vectors directly (:meth:`encode_sparse`);
    :meth:`encode` needs the analyzer and is provided by the matcher.
    """

    components: np.ndarray  # dim × len(columns), float32
    columns: np.ndarray  # vocabulary ids the SVD uses (the most frequent terms)
    name: str = "lsa"

    @property
    def dim(self) -> int:
        return int(self.components.shape[0])

    @classmethod
    def fit(cls, x: sp.csr_matrix, dim: int, n_terms: int, seed: int = 0) -> LsaEncoder | None:
        """Fit on (a row sample of) BM25 vectors ``x``; None when the corpus is too small.

        Only the ``n_terms`` most frequent terms take part: rare terms carry no latent
        topic signal and would make the SVD's dense factors vocabulary-sized.
        """
        df = np.bincount(x.indices, minlength=x.shape[1])
        columns = np.sort(np.argsort(-df, kind="stable")[:n_terms]).astype(np.int64)
        dim = min(dim, x.shape[0] - 1, len(columns) - 1)
        if dim < 2:
            return None
        z = l2_normalize(x[:, columns])
        if _total_variance(z) <= 1e-6:  # all rows alike: there is no latent direction
            return None
        from sklearn.decomposition import TruncatedSVD  # slow import: only when fitting

        svd = TruncatedSVD(dim, algorithm="randomized", n_iter=3, random_state=seed)
        svd.fit(z)
        return cls(svd.components_.astype(np.float32), columns)

    def encode_sparse(self, x: sp.csr_matrix) -> np.ndarray:
        """Dense unit vectors of BM25 vectors ``x`` (rows × vocabulary)."""
        dense = np.asarray(l2_normalize(x)[:, self.columns] @ self.components.T)
        out: np.ndarray = l2_normalize(dense).astype(np.float32)
        return out

    def encode_terms(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """:meth:`encode_sparse` of one BM25 vector given as term ids and values.

        The single-query path: ``columns`` is sorted, so the query's terms are located by
        binary search and only their components are read. The first normalization of
        :meth:`encode_sparse` cancels in the final one, so it is skipped.
        """
        pos = np.searchsorted(self.columns, ids)
        ok = pos < len(self.columns)
        ok[ok] = self.columns[pos[ok]] == ids[ok]
        dense = self.components[:, pos[ok]] @ values[ok].astype(np.float32)
        norm = float(np.linalg.norm(dense))
        return (dense / norm if norm > 0 else dense).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - see class doc
        raise TypeError("LsaEncoder encodes BM25 vectors; use Matcher, not encode()")


def _total_variance(z: sp.csr_matrix) -> float:
    """Σ over columns of the column variances of ``z``, without densifying it.

    In float64: for identical unit rows the two terms are ≈ 1 each and float32 sums
    would leave a difference of ~1e-7 instead of 0.
    """
    z64 = z.astype(np.float64)
    n = z.shape[0]
    mean = np.asarray(z64.sum(axis=0)).ravel() / n
    return float(z64.multiply(z64).sum() / n - mean @ mean)
