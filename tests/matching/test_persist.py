"""Saved indexes: mapped arrays, atomic versions, damaged files and failing saves."""

from __future__ import annotations

import json
import mmap
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import IPC_TITLES, TOY

import matching
from matching import IndexMismatchError, Matcher, NeedDoc, PatentDoc

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["锂电池正极材料", "风力发电 叶片", "太阳能 机器人", "电池"]


def _mapped(a: np.ndarray) -> bool:
    """Whether ``a`` is backed by a file mapping (numpy memmap or an mmap buffer)."""
    base: object = a
    while base is not None:
        if isinstance(base, np.memmap | mmap.mmap):
            return True
        base = getattr(base, "base", None)
    return False


def _current(path: Path) -> Path:
    return path / (path / "CURRENT").read_text(encoding="utf-8")


def _ranked(m: Matcher, q: str | NeedDoc) -> list[tuple[str, float]]:
    return [(r.id, r.score) for r in m.match(q, k=10)]


@pytest.fixture
def grown() -> Matcher:
    """Fitted, then grown and shrunk: several segments, tombstones, grown terms."""
    m = Matcher.fit(TOY, ipc_titles=IPC_TITLES)
    m.add([PatentDoc("g1", title="石墨烯散热膜", abstract="石墨烯导热。", ipc_codes=("H01M4/58",))])
    m.remove(["p2"])
    return m


def test_mapped_roundtrip_gives_identical_rankings(grown: Matcher, tmp_path: Path) -> None:
    matching.save(grown, tmp_path / "idx", label={"mark": 7})
    mapped = matching.load(tmp_path / "idx", fingerprint=grown.fingerprint)
    private = matching.load(tmp_path / "idx", mmap=False)
    queries: list[str | NeedDoc] = [*QUERIES, "石墨烯", NeedDoc("n", title="电池材料")]
    for q in queries:
        assert _ranked(mapped, q) == _ranked(grown, q) == _ranked(private, q)
    snap = mapped.snapshot
    assert all(_mapped(s.data) and _mapped(s.indices) and _mapped(s.indptr) for s in snap.segments)
    assert _mapped(snap.dense[0]) and _mapped(snap.hashes)
    assert not any(_mapped(s.data) for s in private.snapshot.segments)
    assert matching.saved_label(tmp_path / "idx") == {"mark": 7}
    # The mapped index still takes incremental adds and removes (copies, never writes).
    mapped.add([PatentDoc("g2", title="石墨烯涂层")])
    mapped.remove(["p1"])
    assert [r.id for r in mapped.match("石墨烯")][:2] in (["g1", "g2"], ["g2", "g1"])


def test_save_replaces_the_version_atomically(grown: Matcher, tmp_path: Path) -> None:
    matching.save(grown, tmp_path / "idx")
    first = _current(tmp_path / "idx")
    matching.save(Matcher.fit(TOY), tmp_path / "idx")
    second = _current(tmp_path / "idx")
    assert second != first and not first.exists()
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["CURRENT", second.name]
    assert len(matching.load(tmp_path / "idx")) == len(TOY)


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_damaged_file_is_refused(grown: Matcher, tmp_path: Path, damage: str) -> None:
    matching.save(grown, tmp_path / "idx")
    target = _current(tmp_path / "idx") / "seg0_data.npy"
    data = bytearray(target.read_bytes())
    if damage == "truncate":
        target.write_bytes(data[: len(data) - 4])
    elif damage == "flip":
        data[-3] ^= 0x40  # same size: only the checksum sees it
        target.write_bytes(data)
    else:
        target.unlink()
    with pytest.raises(IndexMismatchError):
        matching.load(tmp_path / "idx")


def test_checksums_are_recorded(grown: Matcher, tmp_path: Path) -> None:
    matching.save(grown, tmp_path / "idx")
    version = _current(tmp_path / "idx")
    files = json.loads((version / "meta.json").read_text(encoding="utf-8"))["files"]
    assert files["seg0_data"][0] == (version / "seg0_data.npy").stat().st_size
    assert {p.stem for p in version.glob("*.npy")} == set(files)


_FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    sys.path.insert(0, sys.argv[3])
    import matching
    from matching import Matcher, PatentDoc
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
    docs = [PatentDoc(f"x{i}", title=f"锂电池 正极 材料 {i} 号") for i in range(3000)]
    m = Matcher.fit(docs)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
    try:
        matching.save(m, sys.argv[1])
    except OSError as exc:
        print("failed:", exc)
    """
)


def test_a_save_that_runs_out_of_space_keeps_the_previous_index(
    grown: Matcher, tmp_path: Path
) -> None:
    """RLIMIT_FSIZE makes the writes fail as a full disk would, in a real file system."""
    matching.save(grown, tmp_path / "idx")
    before = _current(tmp_path / "idx")
    out = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(tmp_path / "idx"), "20000", str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert out.stdout.startswith("failed:"), out.stderr
    assert _current(tmp_path / "idx") == before
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["CURRENT", before.name]
    assert _ranked(matching.load(tmp_path / "idx"), "锂电池") == _ranked(grown, "锂电池")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_save_into_a_read_only_directory_fails_cleanly(grown: Matcher, tmp_path: Path) -> None:
    matching.save(grown, tmp_path / "idx")
    (tmp_path / "idx").chmod(0o500)
    try:
        with pytest.raises(OSError):
            matching.save(Matcher.fit(TOY), tmp_path / "idx")
    finally:
        (tmp_path / "idx").chmod(0o700)
    assert len(matching.load(tmp_path / "idx")) == len(grown)


_SHARE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    import matching
    m = matching.load(sys.argv[1])
    seg = m.snapshot.segments[0]
    m.match("锂电池")
    print("writeable", seg.data.flags.writeable)
    for line in open("/proc/self/maps"):
        if sys.argv[1] in line:
            print(line.split()[-1])
    """
)


def test_two_processes_map_the_same_files(grown: Matcher, tmp_path: Path) -> None:
    matching.save(grown, tmp_path / "idx")
    outs = [
        subprocess.Popen(
            [sys.executable, "-c", _SHARE, str(tmp_path / "idx"), str(ROOT)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    lines = [p.communicate(timeout=120)[0].splitlines() for p in outs]
    data = str(_current(tmp_path / "idx") / "seg0_data.npy")
    for out in lines:
        assert out[0] == "writeable False", out
        assert data in out[1:]  # the segment's file is mapped, not read into the heap
    assert lines[0][1:] == lines[1][1:]
