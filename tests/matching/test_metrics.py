"""Metric code against hand-computed values on the tiny BEIR fixture."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from matching._beir import load_beir
from matching._metrics import evaluate_run, mrr_at, ndcg_at, precision_at, recall_at
from matching.evaluate import main

TINY = Path(__file__).parent / "fixtures" / "tiny"


def test_hand_computed_metrics() -> None:
    rel = {"d1": 2, "d2": 1}
    ranked = ["d3", "d1", "d2"]
    idcg = 2 + 1 / math.log2(3)
    assert ndcg_at(ranked, rel) == pytest.approx((2 / math.log2(3) + 1 / 2) / idcg)
    assert mrr_at(ranked, rel) == 0.5
    assert precision_at(ranked, rel) == 0.2
    assert recall_at(ranked, rel) == 1.0
    assert recall_at(["d1"], rel) == 0.5
    assert mrr_at(["x"] * 10 + ["d1"], rel) == 0.0


def test_evaluate_run_averages_over_queries() -> None:
    data = load_beir(TINY)
    assert len(data.docs) == 4 and set(data.queries) == {"q1", "q2"}
    run = {"q1": ["d2", "d1"], "q2": ["d1", "d3"]}
    m = evaluate_run(run, data.qrels)
    ndcg_q1 = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    ndcg_q2 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert m["ndcg@10"] == round((ndcg_q1 + ndcg_q2) / 2, 4)
    assert m["mrr@10"] == round((1 + 0.5) / 2, 4)
    assert m["recall@100"] == round((1 + 0.5) / 2, 4)


def test_evaluate_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(TINY), "--json", "--baseline", "bm25s"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["dataset"] == "tiny"
    assert set(row["panhuo"]) >= {"ndcg@10", "mrr@10", "p@10", "recall@100"}
    assert row["panhuo"]["mrr@10"] == 1.0
    assert "bm25s" in row
