"""Metric code against hand-computed values on the tiny BEIR fixture."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from matching import NeedDoc
from matching.tools.beir import load_beir, need_from_text
from matching.tools.evaluate import main
from matching.tools.metrics import (
    condensed,
    evaluate_graded,
    evaluate_run,
    graded_ndcg_at,
    hit_at,
    is_pooled,
    judged_at,
    mrr_at,
    ndcg_at,
    precision_at,
    recall_at,
    useful_precision_at,
)

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


# --- graded, pooled judgments (need-dev) ---------------------------------------------------

POOLED = Path(__file__).parent / "fixtures" / "pooled"
REL = {"a": 3, "b": 2, "c": 1, "d": 0}
RANKED = ["u", "c", "b", "d", "a"]  # "u" is unjudged


def test_graded_ndcg_uses_exponential_gain_and_all_judged_for_the_ideal() -> None:
    dcg = 1 / math.log2(3) + 3 / math.log2(4) + 7 / math.log2(6)
    idcg = 7 + 3 / math.log2(3) + 1 / math.log2(4)
    assert graded_ndcg_at(RANKED, REL) == pytest.approx(dcg / idcg)
    assert graded_ndcg_at(["a", "b", "c"], REL) == pytest.approx(1.0)
    assert graded_ndcg_at(RANKED, {"d": 0}) == 0.0  # nothing to gain: 0, not a division


def test_useful_ndcg_gives_gain_to_grades_two_and_three_only() -> None:
    dcg = 3 / math.log2(4) + 7 / math.log2(6)
    idcg = 7 + 3 / math.log2(3)
    assert graded_ndcg_at(RANKED, REL, min_grade=2) == pytest.approx(dcg / idcg)
    assert graded_ndcg_at(["c", "a", "b"], REL, min_grade=2) == pytest.approx(
        (7 / math.log2(3) + 3 / 2) / idcg
    )


def test_condensed_removes_unjudged_before_the_cut() -> None:
    assert condensed(RANKED, REL) == ["c", "b", "d", "a"]
    dcg = 3 / math.log2(3) + 7 / math.log2(5)
    idcg = 7 + 3 / math.log2(3)
    assert graded_ndcg_at(condensed(RANKED, REL), REL, min_grade=2) == pytest.approx(dcg / idcg)
    # Ten unjudged documents ahead of "a": out of the top 10, back in once condensed.
    late = [f"u{i}" for i in range(10)] + ["a"]
    assert graded_ndcg_at(late, REL, min_grade=2) == 0.0
    assert graded_ndcg_at(condensed(late, REL), REL, min_grade=2) == pytest.approx(7 / idcg)


def test_hit_precision_and_judged_share() -> None:
    assert hit_at(RANKED, REL) == 1.0
    assert hit_at(RANKED, REL, k=2) == 0.0  # "u", "c": nothing useful
    assert hit_at(RANKED, REL, k=3) == 1.0
    assert useful_precision_at(RANKED, REL) == 0.2
    assert judged_at(RANKED, REL) == 0.4  # an unfilled top 10 counts its gaps as unjudged
    assert judged_at([], REL) == 0.0


def test_evaluate_graded_averages_over_the_right_queries() -> None:
    qrels = {"q1": REL, "q2": {"c": 1, "d": 0}, "q3": {"d": 0}}
    run = {"q1": RANKED, "q2": ["c"], "q3": ["x", "d"]}
    kinds = {"a": "offer", "c": "offer", "x": "offer", "d": "patent"}
    m = evaluate_graded(run, qrels, kinds)
    # ndcg@10 over q1, q2 (a grade >= 1); useful ones over q1 only; shares over all three.
    assert m["ndcg@10"] == round((graded_ndcg_at(RANKED, REL) + 1.0) / 2, 4)
    assert m["useful_ndcg@10"] == round(graded_ndcg_at(RANKED, REL, min_grade=2), 4)
    assert m["useful_ndcg'@10"] == round(graded_ndcg_at(["c", "b", "d", "a"], REL, min_grade=2), 4)
    assert m["hit@10"] == 1.0 and m["p@10"] == 0.2
    assert m["judged@10"] == round((0.4 + 0.1 + 0.1) / 3, 4)
    assert m["offers@10"] == round((0.2 + 0.1 + 0.1) / 3, 4)
    assert is_pooled(qrels) and not is_pooled({"q": {"a": 1}})


def test_need_text_becomes_title_and_description() -> None:
    need = need_from_text("n1", "废旧锂电池回收。公司希望引进技术。")
    assert (need.title, need.description) == ("废旧锂电池回收", "公司希望引进技术。")
    long = "生" * 51 + "。其余"
    assert need_from_text("n2", long) == NeedDoc("n2", description=long)
    assert need_from_text("n3", "没有句号") == NeedDoc("n3", description="没有句号")


def test_pooled_set_gets_graded_metrics_and_an_empty_query_does_not_crash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # n2 has no known term: an empty ranking for Panhuo and for bm25s, the run goes on.
    assert main([str(POOLED), "--json", "--baseline", "bm25s"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for engine in ("panhuo", "bm25s"):
        assert set(row[engine]) >= {"ndcg@10", "useful_ndcg'@10", "hit@10", "offers@10"}
        assert row[engine]["hit@10"] == 1.0
    assert row["ratio"]["hit@10"] == 1.0


def test_bm25s_baseline_ranks_nothing_for_an_unknown_query() -> None:
    from matching.tools.baseline import Bm25sBaseline

    baseline = Bm25sBaseline(["锂电池正极材料", "风力叶片"], ["p1", "p2"])
    assert baseline.top("的了和", 5) == []
    assert baseline.top("锂电池", 5) == ["p1"]
