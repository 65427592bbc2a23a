"""Checks on the real data in ../shared (skipped when it is absent)."""

from __future__ import annotations

import pytest

from matching import Matcher
from matching.tools.beir import load_beir
from matching.tools.bench import make_corpus

pytestmark = pytest.mark.shared


def test_bench_corpus_is_varied(shared) -> None:
    docs, pool = make_corpus(300)
    assert len({d.abstract for d in docs}) > 250 and pool


def test_classifier_predicts_vehicle_subclass(shared) -> None:
    data = load_beir(shared / "benchmarks" / "topic-dev")
    m = Matcher.fit(data.docs[:3000], workers=1)
    predicted = m.predict_ipc("一种新能源汽车的制动能量回收控制方法")
    assert predicted and predicted[0].code.startswith("B60")
