"""Enterprise feedback as ranking features: prospect ratings and similar enterprises' intents.

The caller (the service) gathers the signals from its database and passes them as plain
data (:class:`~matching.Feedback`); nothing here knows about enterprises or storage.
Both features are computed for the rerank candidates only, like the other structured
features, so feedback reorders relevant patents and never brings in unrelated ones::

    rating(d)      = n · (mean − 3) / (2 · (n + rating_prior))           ∈ (−1, 1)
    peer_intent(d) = max_j  w_j · sim(d, p_j)                             ∈ [0, 1]
    sim(d, p)      = ½ · cos_IPC(d, p) + ½ · max(cos_dense(d, p), 0)   (both have IPC codes)
                   = max(cos_dense(d, p), 0)                          (otherwise)

``rating`` is the Bayesian average of the 1–5 scores with ``rating_prior`` pseudo-ratings
at the neutral 3, rescaled to [−1, 1]: no rating is exactly 0, and one enthusiastic
rater moves a patent at most 1/(1 + rating_prior) of the way.  ``peer_intent``: ``p_j``
are the patents similar enterprises expressed a positive intent on, ``w_j`` how similar
those enterprises are to the asker (:func:`peer_weight`); ``cos_IPC`` is the cosine of
the two patents' IPC subclass sets, ``cos_dense`` the matcher's LSA (or plugged encoder)
cosine.  Both are bounded, so each feature adds at most its (small) weight.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ._fusion import MatcherConfig
from ._index import Snapshot
from ._ipc import subclass
from ._scoring import dense_rows
from ._types import Feedback, PeerIntent, Rating

MAX_LIKED = 64  # most similar-enterprise intents used per query: bounds the cost
_NEUTRAL = 3.0  # middle of the 1–5 rating scale


def peer_weight(
    industry: str, other_industry: str, region: str, other_region: str, needs: float = 0.0
) -> float:
    """How similar another enterprise is to the asking one, in [0, 1] (0 = not a peer).

    ``0.5 · industry + 0.3 · needs + 0.2 · region``: industry is 1 for the same GB/T 4754
    class code, 0.5 for the same division (first three characters, e.g. ``C38``);
    ``needs`` is the similarity of their needs' texts in [0, 1]; region is 1 for the same
    province.  Below 0.3 the enterprise is not a peer (0): sharing only a province, or
    only a weak text similarity, says little about what an enterprise wants.
    """
    same_class = bool(industry) and industry == other_industry
    same_division = len(industry) >= 3 and industry[:3] == other_industry[:3]
    score = 0.5 * (1.0 if same_class else 0.5 if same_division else 0.0)
    score += 0.3 * min(max(needs, 0.0), 1.0)
    score += 0.2 * (bool(region) and region == other_region)
    return round(score, 6) if score >= 0.3 else 0.0


def rating_value(rating: Rating | None, prior: float) -> float:
    """The ``rating`` feature of one aggregate: shrunk toward neutral, in (−1, 1)."""
    if rating is None or rating.raters <= 0:
        return 0.0
    return rating.raters * (rating.mean - _NEUTRAL) / (2 * (rating.raters + prior))


def feedback_features(
    cfg: MatcherConfig, snap: Snapshot, rows: np.ndarray, fb: Feedback
) -> dict[str, np.ndarray]:
    """Weighted contributions of the feedback features for candidate ``rows``."""
    out: dict[str, np.ndarray] = {}
    if cfg.rating and fb.ratings:
        values = [rating_value(fb.ratings.get(snap.ids[r]), cfg.rating_prior) for r in rows]
        out["rating"] = cfg.rating * np.asarray(values, np.float64)
    if cfg.peer_intent and fb.liked:
        out["peer_intent"] = cfg.peer_intent * peer_values(snap, rows, fb.liked)[0]
    return {name: v for name, v in out.items() if v.any()}


def peer_values(
    snap: Snapshot, rows: np.ndarray, liked: Sequence[PeerIntent]
) -> tuple[np.ndarray, list[PeerIntent | None]]:
    """``peer_intent`` of ``rows`` and, per row, the intent that gave it (or None)."""
    best: dict[str, PeerIntent] = {}
    for p in liked:  # one entry per patent: its most similar enterprise
        if p.patent in snap.rows and (p.patent not in best or p.weight > best[p.patent].weight):
            best[p.patent] = p
    chosen = sorted(best.values(), key=lambda p: (-p.weight, p.patent))[:MAX_LIKED]
    if not chosen or not len(rows):
        return np.zeros(len(rows)), [None] * len(rows)
    lrows = np.asarray([snap.rows[p.patent] for p in chosen], np.int64)
    ipc, both = _ipc_cosines(snap, rows, lrows)
    if snap.dense:
        dense = np.maximum(dense_rows(snap, rows) @ dense_rows(snap, lrows).T, 0.0)
        sim = np.where(both, 0.5 * ipc + 0.5 * dense, dense)  # IPC only where both have codes
    else:
        sim = ipc
    scored = sim * np.asarray([min(max(p.weight, 0.0), 1.0) for p in chosen])[None, :]
    top = scored.argmax(axis=1)
    values = scored[np.arange(len(rows)), top]
    sources = [
        chosen[j] if v > 0 else None for j, v in zip(top.tolist(), values.tolist(), strict=True)
    ]
    return values, sources


def _ipc_cosines(
    snap: Snapshot, rows: np.ndarray, other: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of the IPC subclass sets of ``rows`` × ``other``, and where both have codes.

    Vectorized over the rows' code ids; only the distinct codes involved (≈ 1k) are
    mapped to subclasses in Python (a loop over rows cost ≈ 10 ms per query).
    """
    unit = _subclass_units(snap, np.concatenate([rows, other]))
    has = np.diff(unit.indptr) > 0
    n = len(rows)
    cos = (unit[:n] @ unit[n:].T).toarray()
    return cos, has[:n, None] & has[None, n:]


def _subclass_units(snap: Snapshot, rows: np.ndarray) -> sp.csr_matrix:
    """Rows × local subclass ids, each row's distinct subclasses at 1/sqrt(their number)."""
    cols = snap.columns
    starts, lens = cols.code_ptr[rows], cols.code_ptr[rows + 1] - cols.code_ptr[rows]
    pos = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(lens.sum())
    codes, inverse = np.unique(cols.code_ids[pos], return_inverse=True)
    values = snap.tables["ipc"].values if "ipc" in snap.tables else ()
    names = [subclass(values[c]) or "" for c in codes.tolist()]
    local = {name: i for i, name in enumerate(dict.fromkeys(n for n in names if n))}
    sub = np.asarray([local.get(name, -1) for name in names], np.int64)[inverse.ravel()]
    row_of = np.repeat(np.arange(len(rows)), lens)
    keep = sub >= 0
    shape = (len(rows), max(len(local), 1))
    unit = sp.csr_matrix((np.ones(int(keep.sum())), (row_of[keep], sub[keep])), shape=shape)
    unit.sum_duplicates()
    unit.data[:] = 1.0  # a subclass counts once per row
    counts = np.diff(unit.indptr)
    unit.data /= np.sqrt(np.repeat(counts, counts))
    return unit
