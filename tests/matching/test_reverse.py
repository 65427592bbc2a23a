"""The reverse (patent → enterprise) evaluation: transposition and metrics on toy sets."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from matching import Matcher, MatcherConfig, NeedDoc, PatentDoc, analyze
from matching._needterms import NeedTerms, override, table
from matching.tools.beir import BeirSet, transpose
from matching.tools.evaluate import main
from matching.tools.metrics import graded_ndcg_at, useful_rr_at
from matching.tools.needterms import count, patent_texts
from matching.tools.reverse import metrics

POOLED = Path(__file__).parent / "fixtures" / "pooled"

TOY = BeirSet(
    "toy",
    [
        PatentDoc("d1", title="锂电池回收", abstract="拆解回收。", ipc_codes=("H01M",)),
        PatentDoc("d2", title="风力叶片", abstract="降噪。"),
        PatentDoc("d3", title="清洗装置"),
        PatentDoc("d4", title="未判"),
    ],
    {"n1": "锂电池回收。引进技术。", "n2": "风电叶片降噪", "n3": "清洗"},
    {
        "n1": {"d1": 3, "d2": 0, "d3": 1},
        "n2": {"d2": 2, "d1": 1},
        "n3": {"d3": 1, "d1": 2},
    },
)


def test_transpose_swaps_queries_and_candidates_and_keeps_every_grade() -> None:
    rev = transpose(TOY)
    # d3 has only grade-1 needs: not a query; d4 is unjudged.
    assert [q.id for q in rev.queries] == ["d1", "d2"]
    assert rev.queries[0] == TOY.docs[0]  # title, text and IPC as the corpus has them
    assert rev.candidates == [
        NeedDoc("n1", title="锂电池回收", description="引进技术。"),
        NeedDoc("n2", description="风电叶片降噪"),
        NeedDoc("n3", description="清洗"),
    ]
    assert rev.qrels == {"d1": {"n1": 3, "n2": 1, "n3": 2}, "d2": {"n1": 0, "n2": 2}}
    assert rev.texts["d1"] == "锂电池回收 拆解回收。" and rev.texts["n2"] == "风电叶片降噪"


def test_useful_reciprocal_rank() -> None:
    rel = {"a": 3, "b": 2, "c": 1}
    assert useful_rr_at(["c", "x", "b", "a"], rel) == pytest.approx(1 / 3)
    assert useful_rr_at(["a"], rel) == 1.0
    assert useful_rr_at(["c", "x"], rel) == 0.0
    assert useful_rr_at(["x"] * 10 + ["a"], rel) == 0.0


def test_reverse_metrics_are_the_graded_ones_over_the_transposed_qrels() -> None:
    qrels = transpose(TOY).qrels
    run = {"d1": ["n2", "n3", "n1"], "d2": ["n1", "x", "n2"]}
    m = metrics(run, qrels)
    d1 = graded_ndcg_at(run["d1"], qrels["d1"], min_grade=2)
    d2 = graded_ndcg_at(run["d2"], qrels["d2"], min_grade=2)
    assert d1 == pytest.approx((3 / math.log2(3) + 7 / 2) / (7 + 3 / math.log2(3)))
    assert d2 == pytest.approx(0.5)
    assert m["useful_ndcg@10"] == round((d1 + d2) / 2, 4)
    assert m["useful_mrr@10"] == round((1 / 2 + 1 / 3) / 2, 4)
    assert m["hit@10"] == 1.0
    # condensed: d2's unjudged "x" is dropped, n2 moves to rank 2.
    assert m["useful_ndcg'@10"] == round((d1 + 1 / math.log2(3)) / 2, 4)
    assert m["judged@10"] == round((0.3 + 0.2) / 2, 4)


def test_enterprise_ipc_areas_decide_between_equal_texts() -> None:
    """What the service relies on: an enterprise whose IPC areas hold the patent's
    subclass ranks above one with the same words and other areas."""
    ents = [
        NeedDoc("e1", title="电池回收设备", ipc_hints=("B09B",)),
        NeedDoc("e2", title="电池回收设备", ipc_hints=("H01M",)),
        NeedDoc("e3", title="风力叶片", ipc_hints=("F03D",)),
    ]
    m = Matcher.fit(ents, config=MatcherConfig.enterprises())
    patent = PatentDoc("p1", title="电池回收", abstract="废旧电池回收设备", ipc_codes=("H01M",))
    assert [r.id for r in m.match(patent, k=3)] == ["e2", "e1"]
    assert MatcherConfig.enterprises().ipc > MatcherConfig().ipc


def test_reverse_command_on_a_pooled_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(POOLED), "--reverse", "--json", "--baseline", "bm25s", "--folds", "2"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["dataset"] == "pooled (reverse)" and row["queries"] == 1  # A1 → n1 (3)
    for engine in ("panhuo", "panhuo_cv", "bm25s"):
        assert row[engine]["useful_ndcg@10"] == 1.0 and row[engine]["useful_mrr@10"] == 1.0
    assert row["ratio"]["useful_ndcg@10"] == 1.0 and row["attainable_ratio"] == 1.0


def test_reverse_refuses_a_set_without_pooled_judgments() -> None:
    with pytest.raises(SystemExit):
        main([str(Path(__file__).parent / "fixtures" / "tiny"), "--reverse"])


def test_patent_register_words_count_less_against_enterprises() -> None:
    """A patent's 控制方法 must not outweigh its subject (锂电池) when it ranks
    enterprises; the same words weigh fully with ``patent_term_gamma`` 0."""
    ents = [NeedDoc("e1", title="控制方法"), NeedDoc("e2", title="锂电池")]
    patent = PatentDoc("p", title="锂电池控制方法", abstract="一种控制方法，控制方法简单")
    register = NeedTerms(100, {t: 100 for t in analyze("控制方法")})
    plain = Matcher.fit(ents, config=replace(MatcherConfig.enterprises(), patent_term_gamma=0))
    weighted = Matcher.fit(ents, config=MatcherConfig.enterprises())
    with override(register, "patent"):
        assert [r.id for r in plain.match(patent)] == ["e1", "e2"]
        assert [r.id for r in weighted.match(patent)] == ["e2", "e1"]
    # The need table is another register: a need query is unaffected by this one.
    with override(register, "patent"):
        assert [r.id for r in weighted.match(NeedDoc("n", title="控制方法"))] == ["e1"]


def test_shipped_patent_table_discounts_the_patent_register() -> None:
    t = table("patent")
    assert t.needs == 19735  # need-dev's patents
    method, device, battery = t.weights(["方法", "装置", "锂电池"], 1.0).tolist()
    assert method < 0.15 and device < 0.15 and battery > 0.5
    assert MatcherConfig().patent_term_gamma == 0.0  # patents against patents: unchanged


def test_patent_texts_and_counts_for_the_patent_table() -> None:
    data = BeirSet(
        "k",
        [
            PatentDoc("p1", title="控制方法", abstract="锂电池"),
            PatentDoc("p2", title="控制装置"),
            PatentDoc("a1", title="控制方法"),
        ],
        {},
        {},
        {"p1": "patent", "p2": "patent", "a1": "offer"},
    )
    assert patent_texts(data) == ["控制方法。锂电池", "控制装置。"]
    assert patent_texts(data, exclude={"p1"}) == ["控制装置。"]
    terms = count(patent_texts(data), min_df=2)
    assert terms == NeedTerms(2, {"控制": 2})


def test_reverse_command_reports_by_kind_of_query(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(POOLED), "--reverse", "--baseline", "bm25s"]) == 0
    out = capsys.readouterr().out
    assert "useful_ndcg@10 on 1 offer queries: panhuo 1.0000  bm25s 1.0000" in out
