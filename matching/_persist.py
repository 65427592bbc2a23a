"""Save and load without pickle: one ``.npy`` file per array, mapped read-only on load.

Layout of a saved index directory::

    CURRENT              name of the version directory in use (replaced atomically)
    v<time>-<pid>/       meta.json (tables, ids, vocabulary, each file's size and CRC-32),
                         label.json (the caller's, e.g. the service's change-log mark)
                         and one .npy per array: postings as data/indices/indptr, dense
                         vectors, columns, idf, hashes

A save writes a hidden temporary directory, renames it to its version name and only then
replaces ``CURRENT``: a reader never sees a half-written index, and a save that fails (full
disk) leaves the previous version in place. ``np.load(mmap_mode="r")`` maps the arrays, so
processes loading the same version share their pages through the OS page cache.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import zlib
from collections.abc import Mapping
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

FORMAT_VERSION = 6  # 2: industry, status, open-licence, grant date; 3: IPC code ids;
# 4: feedback weights (rating, rating_prior, peer_intent) in the saved config;
# 5: weights refitted on need-dev (ipc 3 → 0.3, need_term_gamma): a saved config would
# keep the old fusion, so older indexes are rebuilt; 6: one .npy per array (mapped) in a
# versioned directory with sizes and checksums
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
_POINTER = "CURRENT"
_CHUNK = 1 << 22
_STALE_TMP_SECONDS = 3600


def save_snapshot(
    snap: Snapshot,
    path: str | os.PathLike[str],
    library_version: str,
    label: Mapping[str, Any] | None = None,
) -> None:
    """Write ``snap`` as a new version under directory ``path`` and make it current."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    arrays = _arrays(snap)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        files = {name: _write_array(tmp / f"{name}.npy", a) for name, a in arrays.items()}
        meta = _meta(snap, library_version, files)
        _write_file(tmp / "meta.json", json.dumps(meta, ensure_ascii=False).encode())
        _write_file(tmp / "label.json", json.dumps(dict(label or {})).encode())
        final = root / f"v{time.time_ns()}-{os.getpid()}"
        os.rename(tmp, final)
        _write_file(root / f".{_POINTER}.{os.getpid()}", final.name.encode())
        os.replace(root / f".{_POINTER}.{os.getpid()}", root / _POINTER)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        (root / f".{_POINTER}.{os.getpid()}").unlink(missing_ok=True)
        raise
    _prune(root, final.name)


def saved_label(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``label`` the current version was saved with ({} when there is none).

    A file of its own: reading it must not parse the vocabulary and ids of ``meta.json``."""
    try:
        label = json.loads((_current(Path(path)) / "label.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexMismatchError):
        return {}
    return label if isinstance(label, dict) else {}


def load_snapshot(
    path: str | os.PathLike[str],
    library_version: str,
    fingerprint: str | None,
    encoder: Encoder | None,
    mmap: bool = True,
) -> Snapshot:
    """Read a snapshot, refusing version, fingerprint or encoder mismatches and damaged
    files (size or checksum differing from the metadata)."""
    version = _current(Path(path))
    try:
        meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
        _check(meta, library_version, fingerprint, encoder)
        arrays = _read_arrays(version, meta["files"], mmap)
        snap = _restore(meta, arrays, encoder)
    except (OSError, ValueError) as exc:
        raise IndexMismatchError(f"cannot read index at {version}: {exc}") from exc
    except KeyError as exc:
        raise IndexMismatchError(f"index at {version} is incomplete: missing {exc}") from exc
    if snap.fingerprint != meta["fingerprint"]:
        raise IndexMismatchError("index arrays do not match their recorded fingerprint")
    return snap


def _current(root: Path) -> Path:
    try:
        name = (root / _POINTER).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise IndexMismatchError(f"no saved index at {root}") from exc
    if not name or "/" in name or name.startswith("."):
        raise IndexMismatchError(f"bad index pointer at {root}")
    return root / name


def _arrays(snap: Snapshot) -> dict[str, np.ndarray]:
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
    return arrays


def _meta(snap: Snapshot, library_version: str, files: dict[str, list[int]]) -> dict[str, Any]:
    shapes = {f"seg{i}": m.shape for i, m in enumerate(snap.segments)}
    shapes.update({f"ipc{i}": m.shape for i, m in enumerate(snap.ipc_segments)})
    if snap.classifier is not None:
        shapes["centroids"] = snap.classifier.centroids.shape
    return {
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
        "shapes": {k: [int(x) for x in v] for k, v in shapes.items()},
        "files": files,
    }


def _write_array(path: Path, array: np.ndarray) -> list[int]:
    """Write one array; its [size, CRC-32] for the metadata."""
    with open(path, "wb") as fh:
        np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())
    return [path.stat().st_size, _crc32(path)]


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def _read_arrays(version: Path, files: dict[str, list[int]], mmap: bool) -> dict[str, np.ndarray]:
    """Every array of a version, verified first: a damaged file is never mapped."""
    arrays = {}
    for name, (size, crc) in files.items():
        path = version / f"{name}.npy"
        if path.stat().st_size != size or _crc32(path) != crc:
            raise IndexMismatchError(f"index file {path} is damaged (size or checksum)")
        arrays[name] = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    return arrays


def _prune(root: Path, keep: str) -> None:
    """Drop older versions (processes that map them keep their pages until they unmap),
    a legacy ``arrays.npz``, and temporary directories abandoned by crashed saves."""
    for entry in root.iterdir():
        if entry.name in (keep, _POINTER, ".lock"):
            continue
        if entry.name.startswith(".tmp-"):
            if time.time() - entry.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_dir() and entry.name.startswith("v"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name in ("arrays.npz", "meta.json"):
            entry.unlink(missing_ok=True)


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


def _restore(
    meta: dict[str, Any], arrays: dict[str, np.ndarray], encoder: Encoder | None
) -> Snapshot:
    cfg = MatcherConfig.from_json(meta["config"])
    bm25 = Bm25Model(Vocabulary.of(meta["terms"]), arrays["idf"], meta["avgdl"], cfg.k1, cfg.b)
    n_seg = meta["n_segments"]
    shapes = meta["shapes"]
    classifier = None
    if meta["classifier"]:
        centroids = _sparse_from(arrays, shapes, "centroids", sp.csr_matrix)
        classifier = SubclassClassifier(tuple(meta["classifier"]), centroids, cfg.temperature)
    enc: Encoder | LsaEncoder | None = encoder
    if meta["encoder"] == "lsa":
        enc = LsaEncoder(arrays["lsa"], arrays["lsa_columns"])
    ids = tuple(meta["ids"])
    alive = arrays["alive"]
    columns = Columns(*(arrays[f"col_{n}"] for n in _COLUMN_ARRAYS))
    return Snapshot(
        cfg=cfg,
        kind=meta["kind"],
        bm25=bm25,
        classifier=classifier,
        encoder=enc,
        ipc_titles=meta["ipc_titles"],
        segments=tuple(
            _sparse_from(arrays, shapes, f"seg{i}", sp.csc_matrix) for i in range(n_seg)
        ),
        ipc_segments=tuple(
            _sparse_from(arrays, shapes, f"ipc{i}", sp.csc_matrix) for i in range(n_seg)
        ),
        dense=tuple(arrays[f"dense{i}"] for i in range(n_seg)) if enc is not None else (),
        offsets=tuple(meta["offsets"]),
        ids=ids,
        rows={d: i for i, (d, live) in enumerate(zip(ids, alive.tolist(), strict=True)) if live},
        alive=alive,
        hashes=arrays["hashes"],
        columns=columns,
        tables={k: Table(tuple(v)) for k, v in meta["tables"].items()},
    )


def _sparse_arrays(prefix: str, m: sp.spmatrix) -> dict[str, np.ndarray]:
    return {f"{prefix}_data": m.data, f"{prefix}_indices": m.indices, f"{prefix}_indptr": m.indptr}


def _sparse_from(
    arrays: dict[str, np.ndarray], shapes: dict[str, list[int]], prefix: str, kind: type
) -> Any:
    parts = (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"])
    return kind(parts, shape=tuple(shapes[prefix]), copy=False)
