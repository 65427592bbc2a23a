"""The single-query fast paths agree with the batch (sparse-matrix) computations."""

import numpy as np
import pytest
import scipy.sparse as sp

from matching import Matcher
from matching._dense import LsaEncoder
from matching._query import _field_weights
from matching.bench import make_corpus


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
