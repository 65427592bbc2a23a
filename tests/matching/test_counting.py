"""The batch counter equals counting ``analyze`` per field, and the IPC prefix filter."""

from __future__ import annotations

import sys

import numpy as np
import scipy.sparse as sp

from matching import Filters, Matcher, PatentDoc
from matching._counting import _count_simple, count_local
from matching._sparse import Vocabulary, _count_packed, _pack, count_segments

TEXTS = [
    ("ＡＢＣ锂電池 Li-ion 3.7V", "本发明公开了一种锂电池，所述的正极包括镍钴锰。", "", ""),
    ("ΣΑΣ ΟΔΟΣ", "İstanbul 石墨烯散热膜", "claim", ""),
    ("\x00奇怪\x00的标题", "𠀀字 石墨烯 h01m10/052", "", ""),
    ("", "", "", "IPC 标题不计入"),
    ("风力发电机叶片", "叶片的气动结构，降低噪声。 The blade's CFD-model.", "一端设有", ""),
] * 5  # ≥ 16 texts: the batch path


def _as_dicts(counts: tuple) -> list[dict[str, float]]:
    terms, indptr, cols, vals = counts
    m = sp.csr_matrix((vals, cols, indptr), shape=(len(indptr) - 1, len(terms)))
    return [
        {terms[j]: float(v) for j, v in zip(m[i].indices, m[i].data, strict=True)}
        for i in range(m.shape[0])
    ]


def test_batch_counts_equal_per_text_analysis() -> None:
    weights = (2.0, 1.0, 1.0, 0.0)
    assert _as_dicts(count_local(TEXTS, weights)) == _as_dicts(_count_simple(TEXTS, weights))
    plain = [t for t in TEXTS if "Σ" not in "".join(t) and "İ" not in "".join(t)]
    plain = [t for t in plain if "𠀀" not in "".join(t)]  # the fully vectorized path
    assert _as_dicts(count_local(plain, weights)) == _as_dicts(_count_simple(plain, weights))


def test_packed_batches_count_like_the_texts() -> None:
    """What a worker process receives (one UTF-8 payload) decodes to the same texts,
    lone surrogates included; the caller's str objects are never pickled."""
    weights = (2.0, 1.0, 1.0, 0.0)
    odd = [*TEXTS, ("\ud800孤立代理", "", "x", "")]
    assert _as_dicts(_count_packed(*_pack(odd), weights)) == _as_dicts(count_local(odd, weights))


def test_worker_processes_count_like_one_process() -> None:
    texts = [(f"标题{i % 97}", f"第{i}号锂电池正极材料", "", "") for i in range(4_200)]
    weights = (2.0, 1.0, 1.0, 0.0)
    one_terms: dict[str, int] = {}
    two_terms: dict[str, int] = {}
    one = count_segments(texts, weights, Vocabulary.of(()), one_terms, 3_000, workers=1)
    sizes = [sys.getsizeof(t[1]) for t in texts]
    two = count_segments(texts, weights, Vocabulary.of(()), two_terms, 3_000, workers=2)
    # Pickled str objects keep a cached UTF-8 copy (≈ 0.85 GB over 1M patents): the
    # workers must get encoded payloads, leaving the caller's strings as they were.
    assert [sys.getsizeof(t[1]) for t in texts] == sizes
    assert one_terms == two_terms
    assert (
        [m.shape for m in one]
        == [m.shape for m in two]
        == [(3_000, len(one_terms)), (1_200, len(one_terms))]
    )
    for a, b in zip(one, two, strict=True):
        assert (a != b).nnz == 0


def test_ipc_prefix_filter() -> None:
    docs = [
        PatentDoc("a", title="电池", ipc_codes=("H01M10/052", "H01M4/13")),
        PatentDoc("b", title="电池", ipc_codes=("H02S40/10",)),
        PatentDoc("c", title="电池"),
        PatentDoc("d", title="电池", ipc_codes=("h01m 2/10",)),
        PatentDoc("e", title="电池"),
    ]
    m = Matcher.fit(docs)

    def found(*prefixes: str) -> list[str]:
        return sorted(r.id for r in m.match("电池", filters=Filters(ipc_prefixes=prefixes)))

    assert found("H01M") == ["a", "d"]
    assert found("H01M10/") == ["a"]
    assert found("h02s", "H01M4") == ["a", "b"]
    assert found("H") == ["a", "b", "d"]
    assert found("G06F") == []
    m.add([PatentDoc("f", title="电池", ipc_codes=("G06F",))])
    assert found("G") == ["f"]
    assert np.diff(m.snapshot.columns.code_ptr).tolist() == [2, 1, 0, 1, 0, 1]
