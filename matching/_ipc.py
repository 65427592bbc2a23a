"""IPC awareness: subclass labels, a linear subclass classifier and title lookup."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from ._sparse import l2_rows as l2_normalize
from ._sparse import row_norms, term_ranges

_SUBCLASS_RE = re.compile(r"^[A-H]\d\d[A-Z]")
_PAREN_RE = re.compile(r"[（(][^（）()]*[）)]")


@lru_cache(maxsize=1 << 16)  # codes repeat across documents; the regex costs ~1 µs
def subclass(code: str) -> str | None:
    """The IPC subclass (``H01M``) of a code such as ``h01m 10/052``, or None."""
    code = code.strip().upper().replace(" ", "")
    return code[:4] if _SUBCLASS_RE.match(code) else None


def subclasses(codes: Iterable[str]) -> list[str]:
    """Distinct subclasses of ``codes`` in first-seen order."""
    seen: dict[str, None] = {}
    for code in codes:
        s = subclass(code)
        if s:
            seen.setdefault(s, None)
    return list(seen)


def clean_title(title: str) -> str:
    """An IPC title without its parenthesised cross-references (…入A01C5/00)."""
    while True:
        stripped = _PAREN_RE.sub("", title)
        if stripped == title:
            return " ".join(title.split())
        title = stripped


def ipc_text(codes: Sequence[str], titles: Mapping[str, str]) -> str:
    """Titles of a document's subclasses, indexed as a low-weight text field."""
    return " ".join(clean_title(titles[s]) for s in subclasses(codes) if s in titles)


@dataclass(frozen=True)
class SubclassClassifier:
    """Nearest-centroid linear classifier over L2-normalized BM25 vectors.

    Each subclass is the normalized sum of its documents' vectors (multi-label
    documents count for each of their subclasses); a query's cosine to every centroid
    goes through a softmax with temperature ``temperature``.  Training is one sparse
    product, so it scales to the whole index.
    """

    labels: tuple[str, ...]
    centroids: sp.csr_matrix  # vocabulary × subclasses: term-major, like the postings
    temperature: float

    @staticmethod
    def label_sums(
        x: sp.csr_matrix, doc_labels: Sequence[Sequence[str]], labels: Sequence[str]
    ) -> sp.csr_matrix:
        """Per-subclass sums of L2-normalized document vectors (labels × vocabulary).

        Summed over chunks of the corpus, so training never needs the whole matrix.
        """
        index = {s: i for i, s in enumerate(labels)}
        rows = [index[s] for ls in doc_labels for s in ls]
        cols = [i for i, ls in enumerate(doc_labels) for _ in ls]
        # Scale the label matrix by 1/|x_i| instead of normalizing x: no copy of x.
        inv_norm = 1 / np.maximum(row_norms(x), 1e-30)
        vals = inv_norm[cols].astype(np.float32)
        y = sp.csr_matrix((vals, (rows, cols)), shape=(len(labels), x.shape[0]))
        return (y @ x).tocsr()

    @classmethod
    def from_sums(
        cls, sums: sp.csr_matrix, labels: Sequence[str], temperature: float, max_terms: int
    ) -> SubclassClassifier | None:
        """The classifier from :meth:`label_sums` totals; None with < 2 subclasses."""
        if len(labels) < 2:
            return None
        centroids = l2_normalize(_top_terms(sums.tocsr(), max_terms)).astype(np.float32)
        return cls(tuple(labels), centroids.T.tocsr(), temperature)

    def predict(self, q: sp.csr_matrix) -> np.ndarray:
        """Subclass probabilities (rows sum to 1) for query vectors ``q``."""
        cos = (l2_normalize(q)[:, : self.centroids.shape[0]] @ self.centroids).toarray()
        return self._softmax(cos)

    def predict_terms(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """:meth:`predict` of one query vector given as term ids and values.

        The single-query path: the centroid rows of the query's terms are concatenated
        and summed with one ``np.bincount`` over the few hundred subclasses, with no
        sparse-matrix construction or column slicing (those cost more than the product).
        """
        norm = float(np.sqrt(np.dot(values.astype(np.float64), values)))
        c = self.centroids
        ranges = term_ranges(c.indptr, c.shape[0], ids, values / max(norm, 1e-30))
        if not ranges:
            out: np.ndarray = self._softmax(np.zeros((1, len(self.labels))))[0]
            return out
        cols = np.concatenate([c.indices[a:z] for _, a, z, _ in ranges])
        vals = np.concatenate([c.data[a:z] * x for _, a, z, x in ranges])
        cos = np.bincount(cols, weights=vals, minlength=len(self.labels))
        probs: np.ndarray = self._softmax(cos[None, :])[0]
        return probs

    def _softmax(self, cos: np.ndarray) -> np.ndarray:
        z = (cos - cos.max(axis=1, keepdims=True)) / self.temperature
        p = np.exp(z)
        out: np.ndarray = p / p.sum(axis=1, keepdims=True)
        return out


def _top_terms(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep each row's ``k`` largest entries, bounding the classifier's size."""
    m.sum_duplicates()
    indptr, indices, data = [0], [], []
    for i in range(m.shape[0]):
        s, e = m.indptr[i], m.indptr[i + 1]
        d, c = m.data[s:e], m.indices[s:e]
        if e - s > k:
            top = np.argpartition(-d, k)[:k]
            d, c = d[top], c[top]
        indices.append(c)
        data.append(d)
        indptr.append(indptr[-1] + len(c))
    return sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.asarray(indptr)), shape=m.shape
    )
