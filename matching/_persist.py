"""Save and load without pickle: ``arrays.npz`` + ``meta.json`` in a directory."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._analyzer import ANALYZER_VERSION
from ._dense import Encoder, LsaEncoder
from ._errors import IndexMismatchError
from ._fusion import MatcherConfig
from ._index import Snapshot
from ._ipc import SubclassClassifier
from ._records import Columns, Table
from ._sparse import Bm25Model, Vocabulary

FORMAT_VERSION = 5  # 2: industry, status, open-licence, grant date; 3: IPC code ids;
# 4: feedback weights (rating, rating_prior, peer_intent) in the saved config;
# 5: weights refitted on need-dev (ipc 3 → 0.3, need_term_gamma): a saved config would
# keep the old fusion, so older indexes are rebuilt
_COLUMN_ARRAYS = (
    "regions",
    "modes",
    "kind",
    "institution",
    "lapsed",
    "strict_region",
    "value",
    "industries",
    "status",
    "open_license",
    "granted",
    "code_ids",
    "code_ptr",
)


def save_snapshot(snap: Snapshot, path: str | os.PathLike[str], library_version: str) -> None:
    """Write ``snap`` to directory ``path`` (created; files replaced atomically)."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {
        "idf": snap.bm25.idf,
        "alive": snap.alive,
        "hashes": snap.hashes,
    }
    for name, group in (("seg", snap.segments), ("ipc", snap.ipc_segments)):
        for i, m in enumerate(group):
            arrays.update(_sparse_arrays(f"{name}{i}", m))
    for i, d in enumerate(snap.dense):
        arrays[f"dense{i}"] = d
    for name in _COLUMN_ARRAYS:
        arrays[f"col_{name}"] = getattr(snap.columns, name)
    if snap.classifier is not None:
        arrays.update(_sparse_arrays("centroids", snap.classifier.centroids))
    if isinstance(snap.encoder, LsaEncoder):
        arrays["lsa"] = snap.encoder.components
        arrays["lsa_columns"] = snap.encoder.columns
    meta = {
        "format": FORMAT_VERSION,
        "library_version": library_version,
        "analyzer_version": ANALYZER_VERSION,
        "fingerprint": snap.fingerprint,
        "kind": snap.kind,
        "config": snap.cfg.to_json(),
        "avgdl": snap.bm25.avgdl,
        "terms": snap.bm25.vocab.terms(),
        "ids": list(snap.ids),
        "offsets": list(snap.offsets),
        "tables": {k: list(t.values) for k, t in snap.tables.items()},
        "ipc_titles": dict(snap.ipc_titles),
        "classifier": list(snap.classifier.labels) if snap.classifier else None,
        "encoder": snap.encoder.name if snap.encoder is not None else None,
        "n_segments": len(snap.segments),
    }
    # Temporary names are per process: two writers must never interleave in one file.
    tmp_arrays, tmp_meta = root / f"arrays.{os.getpid()}.tmp.npz", root / f"meta.{os.getpid()}.tmp"
    with open(tmp_arrays, "wb") as fh:
        np.savez(fh, **arrays)  # type: ignore[arg-type]
    tmp_meta.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp_arrays, root / "arrays.npz")
    os.replace(tmp_meta, root / "meta.json")


def load_snapshot(
    path: str | os.PathLike[str],
    library_version: str,
    fingerprint: str | None,
    encoder: Encoder | None,
) -> Snapshot:
    """Read a snapshot, refusing version, fingerprint or encoder mismatches."""
    root = Path(path)
    try:
        meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
        npz = np.load(root / "arrays.npz", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise IndexMismatchError(f"cannot read index at {root}: {exc}") from exc
    _check(meta, library_version, fingerprint, encoder)
    try:
        snap = _restore(meta, npz, encoder)
    except KeyError as exc:
        raise IndexMismatchError(f"index at {root} is incomplete: missing {exc}") from exc
    if snap.fingerprint != meta["fingerprint"]:
        raise IndexMismatchError("index arrays do not match their recorded fingerprint")
    return snap


def _check(
    meta: dict[str, Any], library_version: str, fingerprint: str | None, encoder: Encoder | None
) -> None:
    expected = {
        "format": FORMAT_VERSION,
        "library_version": library_version,
        "analyzer_version": ANALYZER_VERSION,
    }
    for key, value in expected.items():
        if meta.get(key) != value:
            raise IndexMismatchError(
                f"index {key} is {meta.get(key)!r}, this library needs {value!r}"
            )
    if fingerprint is not None and meta["fingerprint"] != fingerprint:
        raise IndexMismatchError(
            f"index corpus fingerprint {meta['fingerprint']} != expected {fingerprint}"
        )
    stored = meta["encoder"]
    if stored not in (None, "lsa") and (encoder is None or encoder.name != stored):
        raise IndexMismatchError(f"index was built with encoder {stored!r}; pass it to load()")


def _restore(meta: dict[str, Any], npz: Any, encoder: Encoder | None) -> Snapshot:
    cfg = MatcherConfig.from_json(meta["config"])
    bm25 = Bm25Model(Vocabulary.of(meta["terms"]), npz["idf"], meta["avgdl"], cfg.k1, cfg.b)
    n_seg = meta["n_segments"]
    classifier = None
    if meta["classifier"]:
        centroids = _sparse_from(npz, "centroids", sp.csr_matrix)
        classifier = SubclassClassifier(tuple(meta["classifier"]), centroids, cfg.temperature)
    enc: Encoder | LsaEncoder | None = encoder
    if meta["encoder"] == "lsa":
        enc = LsaEncoder(npz["lsa"], npz["lsa_columns"])
    ids = tuple(meta["ids"])
    alive = npz["alive"]
    columns = Columns(*(npz[f"col_{n}"] for n in _COLUMN_ARRAYS))
    return Snapshot(
        cfg=cfg,
        kind=meta["kind"],
        bm25=bm25,
        classifier=classifier,
        encoder=enc,
        ipc_titles=meta["ipc_titles"],
        segments=tuple(_sparse_from(npz, f"seg{i}", sp.csc_matrix) for i in range(n_seg)),
        ipc_segments=tuple(_sparse_from(npz, f"ipc{i}", sp.csc_matrix) for i in range(n_seg)),
        dense=tuple(npz[f"dense{i}"] for i in range(n_seg)) if enc is not None else (),
        offsets=tuple(meta["offsets"]),
        ids=ids,
        rows={d: i for i, d in enumerate(ids) if alive[i]},
        alive=alive,
        hashes=npz["hashes"],
        columns=columns,
        tables={k: Table(tuple(v)) for k, v in meta["tables"].items()},
    )


def _sparse_arrays(prefix: str, m: sp.spmatrix) -> dict[str, np.ndarray]:
    return {
        f"{prefix}_data": m.data,
        f"{prefix}_indices": m.indices,
        f"{prefix}_indptr": m.indptr,
        f"{prefix}_shape": np.asarray(m.shape),
    }


def _sparse_from(npz: Any, prefix: str, kind: type) -> Any:
    shape = tuple(int(x) for x in npz[f"{prefix}_shape"])
    return kind(
        (npz[f"{prefix}_data"], npz[f"{prefix}_indices"], npz[f"{prefix}_indptr"]), shape=shape
    )
