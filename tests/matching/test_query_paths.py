"""The single-query fast paths agree with the batch (sparse-matrix) computations."""

import numpy as np
import pytest
import scipy.sparse as sp

from matching import Matcher, _sparse
from matching._dense import LsaEncoder
from matching._query import _field_weights, top_rows
from matching._sparse import accumulate, row_values
from matching.tools.bench import make_corpus


@pytest.fixture(scope="module")
def fitted() -> Matcher:
    docs, _ = make_corpus(400, seed=3)
    return Matcher.fit(docs, workers=1)


@pytest.mark.parametrize(
    "text", ["锂电池正极材料的制备方法", "无人机 图像 识别", "风力发电机叶片降噪"]
)
def test_term_paths_equal_sparse_paths(fitted: Matcher, text: str) -> None:
    snap = fitted.snapshot
    ids, w = _field_weights(snap, ("", text, ""))
    values = w * snap.bm25.idf[ids]
    row = sp.csr_matrix((values, ids, [0, len(ids)]), shape=(1, snap.bm25.n_terms))
    assert snap.classifier is not None and isinstance(snap.encoder, LsaEncoder)
    np.testing.assert_allclose(
        snap.classifier.predict_terms(ids, values), snap.classifier.predict(row)[0], atol=1e-6
    )
    np.testing.assert_allclose(
        snap.encoder.encode_terms(ids, values), snap.encoder.encode_sparse(row)[0], atol=1e-5
    )


@pytest.mark.parametrize("text", ["锂电池正极材料的制备方法", "无人机 图像 识别"])
def test_posting_sums_and_row_lookups_equal_the_matrix_product(fitted: Matcher, text: str) -> None:
    """``accumulate`` (csc_matvec per term) and ``row_values`` (binary search per term)
    agree with the postings matrix product, over two segments with an offset."""
    snap = fitted.snapshot
    ids, w = _field_weights(snap, ("", text, ""))
    full = snap.segments[0].tocsr()
    split = [full[:150].tocsc(), full[150:].tocsc()]
    assert all(s.has_sorted_indices for s in (*snap.segments, *split))
    expected = full[:, ids] @ w
    score = np.zeros(full.shape[0], np.float32)
    accumulate(split, [0, 150], ids, w, score)
    np.testing.assert_allclose(score, expected, rtol=1e-5, atol=1e-6)
    rows = np.asarray([399, 0, 150, 149, *np.argsort(-expected)[:5]])
    values = row_values(split, [0, 150], ids, w, rows)
    np.testing.assert_allclose(values, full[rows][:, ids].toarray() * w, rtol=1e-6)
    assert values.any()


def test_posting_sums_are_bit_identical_to_np_add_at(
    fitted: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scipy kernel and the np.add.at fallback sum in the same float32 order."""
    snap = fitted.snapshot
    ids, w = _field_weights(snap, ("", "锂电池正极材料的制备方法 无人机", ""))
    w[::2] *= np.float32(0.37)  # weights other than 1 too
    full = snap.segments[0].tocsr()
    split = [full[:150].tocsc(), full[150:].tocsc()]
    fast = np.zeros(full.shape[0], np.float32)
    accumulate(split, [0, 150], ids, w, fast)
    monkeypatch.setattr(_sparse, "_csc_matvec", None)
    slow = np.zeros(full.shape[0], np.float32)
    accumulate(split, [0, 150], ids, w, slow)
    assert fast.any()
    np.testing.assert_array_equal(fast, slow)


@pytest.mark.parametrize(
    ("n", "c", "positive"),
    [(50, 400, 30), (3_000, 400, 2_000), (200_000, 400, 150_000), (200_000, 400, 350)],
)
def test_top_rows_are_the_c_largest_positive_scores(n: int, c: int, positive: int) -> None:
    rng = np.random.default_rng(n + positive)
    score = np.zeros(n, np.float32)
    score[rng.choice(n, positive, replace=False)] = (
        rng.pareto(2.0, positive).astype(np.float32) + 1e-3
    )
    got = top_rows(score, c)
    expected = np.flatnonzero(score > 0)
    if len(expected) > c:
        expected = np.argsort(-score, kind="stable")[:c]
    assert sorted(got.tolist()) == sorted(expected.tolist())
