"""Keyword queries ("坐便器 uv led"): each keyword counts once, not once per term."""

from __future__ import annotations

import numpy as np
import pytest

from matching import Matcher, MatcherConfig, PatentDoc
from matching._query import keyword_weights, prepare

# Every query term occurs in exactly one document, so all idfs are equal; the fillers give
# both documents the same length.  Dense and IPC are off: only the text weighting decides.
DOCS = [
    PatentDoc("x", abstract="坐便器 外壳 结构"),  # 1 keyword, 3 terms: 坐便器 坐便 便器
    PatentDoc("y", abstract="uv led 底座 结构"),  # 2 keywords, 1 term each
    *(PatentDoc(f"f{i}", abstract=f"结构 部件{i}") for i in range(6)),
]
TEXT_ONLY = MatcherConfig(ipc=0.0, dense=0.0)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.fit(DOCS, config=TEXT_ONLY)


def test_keywords_count_once_each(matcher: Matcher) -> None:
    # Without whitespace (the old path for titles and need text) the 3-character keyword's
    # bigrams triple-count: the document with 1 of 3 keywords beats the one with 2 of 3.
    assert [r.id for r in matcher.match("坐便器，uv，led")] == ["x", "y"]
    # As keywords each counts about as much as its most specific term: coverage wins.
    assert [r.id for r in matcher.match("坐便器 uv led")] == ["y", "x"]


def test_keyword_weights_share_the_max_idf(matcher: Matcher) -> None:
    snap = matcher.snapshot
    ids, w = keyword_weights(snap, ["坐便器", "检测", "未知词"])
    vocab, idf = snap.bm25.vocab, snap.bm25.idf
    got = {vocab.term(int(i)): float(v) for i, v in zip(ids, w, strict=True)}
    assert set(got) == {"坐便器", "坐便", "便器"}  # unknown keywords add nothing
    # Σ_t w_t·idf_t of a keyword equals its largest idf.
    total = sum(v * float(idf[vocab.get(t)]) for t, v in got.items())
    assert total == pytest.approx(max(float(idf[vocab.get(t)]) for t in got), rel=1e-6)


def test_queries_without_whitespace_keep_the_field_path(matcher: Matcher) -> None:
    prep = prepare(matcher.snapshot, "坐便器")
    assert sorted(prep.w.tolist()) == [1.0, 1.0, 1.0]  # word + 2 bigrams, counted as indexed
    single = prepare(matcher.snapshot, "坐便器 ")  # one unit: also the field path
    np.testing.assert_array_equal(np.sort(single.w), np.sort(prep.w))
