"""Fusion configuration and the structured features of the final score.

The final score of a document for a query is a weighted sum::

    score = text  * bm25 / max_bm25            (sparse text, 0..1 per query; first stage)
          + ipc   * A(d)                       (IPC agreement of the text candidates)
          + dense * max(cos(query, doc), 0)    (LSA or plugged encoder)
          + mode  * [offered ∩ wanted modes ≠ ∅]
          + region* [province preferred]
          + value * value grade (A=1 … D=0)
          + rating      * shrunk prospect rating (−1..1, 0 = unrated)   } with Feedback
          + peer_intent * similarity to similar enterprises' intents    } (_feedback.py)

``A(d) = sum_s p(s|query) * [s ∈ IPC(d)] / sqrt(#subclasses of d)``; a document without
IPC codes gets the text-weighted mean of the coded candidates (neutral).  ``p(s|query)``
is the subclass classifier's softmax, mixed half-and-half with explicit IPC hints when a
need carries them; a patent used as query brings its own subclasses.  Need and free-text
query terms are weighted by their need-side idf (``_needterms``); against enterprise
documents (``MatcherConfig.enterprises()``) a patent's terms by their patent-side idf.
Only documents with text or IPC evidence are candidates; ties break on id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from ._records import Columns


@dataclass(frozen=True)
class MatcherConfig:
    """Model parameters and fusion weights; stored with every saved index.

    ``ipc`` and ``need_term_gamma`` were refitted on need-dev (real posted needs) with
    5-fold cross-validation by need (``docs/matching.md``); ``temperature``, ``dense``,
    ``b`` and the field weights come from the earlier grid on the proxy sets (topic-dev,
    keyphrase-dev).  ``mode``, ``region`` and ``value`` cannot be fitted on those sets (no
    such data); they are small documented priors that reorder near-ties only.
    ``rating`` and ``peer_intent`` (enterprise feedback, ``matching/_feedback.py``) are
    small for the same reason: measured only on generated feedback (``python -m
    matching.tools.evaluate --feedback``); ``rating_prior`` is the number of neutral
    pseudo-ratings every patent's mean is shrunk with.
    """

    text: float = 1.0
    ipc: float = 0.3
    dense: float = 0.1
    mode: float = 0.15
    region: float = 0.05
    value: float = 0.05
    rating: float = 0.1
    rating_prior: float = 3.0
    peer_intent: float = 0.1
    temperature: float = 0.02
    hint_share: float = 0.5
    k1: float = 1.2
    b: float = 0.9
    title_weight: float = 2.0
    body_weight: float = 1.0
    extra_weight: float = 1.0
    ipc_title_weight: float = 0.0
    lsa_dim: int = 64
    lsa_sample: int = 10000
    lsa_terms: int = 30000
    classifier_terms: int = 4000
    candidates: int = 400
    need_term_gamma: float = 0.5
    patent_term_gamma: float = 0.0

    @classmethod
    def enterprises(cls) -> MatcherConfig:
        """For an index of enterprise documents (profiles or needs) that patents query.

        The IPC agreement between the patent's subclasses and the enterprise's IPC areas
        (``NeedDoc.ipc_hints``) weighs 0.6, and the patent's terms are weighted by their
        patent-side idf (``patent_term_gamma`` 1: 方法, 装置 … count less).  Chosen by
        5-fold cross-validation by patent on need-dev read in reverse
        (``docs/matching.md``, "Patent → enterprise")."""
        return cls(ipc=0.6, patent_term_gamma=1.0)

    @property
    def field_weights(self) -> tuple[float, float, float, float]:
        return (self.title_weight, self.body_weight, self.extra_weight, self.ipc_title_weight)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MatcherConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def structured(
    cfg: MatcherConfig, cols: Columns, rows: np.ndarray, modes: int, regions: int, value: bool
) -> dict[str, np.ndarray]:
    """Structured feature values (0..1) of candidate ``rows``; zero when unknown."""
    out = {}
    if modes:
        out["mode"] = ((cols.modes[rows] & np.uint64(modes)) != 0).astype(np.float64)
    if regions:
        out["region"] = ((cols.regions[rows] & np.uint64(regions)) != 0).astype(np.float64)
    if value:
        out["value"] = np.nan_to_num(cols.value[rows].astype(np.float64), nan=0.0)
    return out
