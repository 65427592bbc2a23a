"""Reading scores and vectors out of a snapshot's segments at query time."""

from __future__ import annotations

import numpy as np

from ._index import Snapshot
from ._sparse import accumulate


def first_stage(
    snap: Snapshot, ids: np.ndarray, w: np.ndarray, ipc_p: dict[int, float]
) -> tuple[np.ndarray, float]:
    """Text score of every row (a new float32 array) and the query's max BM25.

    IPC agreement is a rerank feature of the text candidates (``_query.rerank``): it
    counts only where the text has evidence.  A query without any known
    term (IPC hints only, or a patent's codes against needs) is ranked by IPC here.
    """
    score = np.zeros(snap.n_rows, np.float32)
    accumulate(snap.segments, snap.offsets, ids, w, score)
    tmax = float(score.max()) if snap.n_rows else 0.0
    if tmax > 0:
        np.multiply(score, np.float32(snap.cfg.text / tmax), out=score)
    elif ipc_p and not len(ids):
        sub = np.fromiter(ipc_p, np.int64, len(ipc_p))
        p = np.fromiter(ipc_p.values(), np.float32, len(ipc_p))
        accumulate(snap.ipc_segments, snap.offsets, sub, p * np.float32(snap.cfg.ipc), score)
    return score, tmax


def dense_rows(snap: Snapshot, rows: np.ndarray) -> np.ndarray:
    """Dense vectors of global ``rows`` gathered across segments."""
    seg = np.searchsorted(np.asarray(snap.offsets), rows, side="right") - 1
    out = np.empty((len(rows), snap.dense[0].shape[1]), np.float32)
    for s in np.unique(seg):
        sel = seg == s
        out[sel] = snap.dense[s][rows[sel] - snap.offsets[s]]
    return out
