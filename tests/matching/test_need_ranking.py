"""Need-style text: IPC only where text supports it, request boilerplate and the title."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching import Matcher, MatcherConfig, NeedDoc, PatentDoc
from matching._needterms import NeedTerms, override
from matching.tools.needterms import count

BATTERY = [
    PatentDoc(f"b{i}", title=f"锂电池{x}", abstract=f"锂电池{x}的制备方法。", ipc_codes=("H01M",))
    for i, x in enumerate(("正极材料", "负极材料", "电解液", "隔膜", "极片"))
]
PACKAGING = [
    PatentDoc(f"k{i}", title=f"{x}包装盒", abstract=f"{x}包装盒冲压成型。", ipc_codes=("B65D",))
    for i, x in enumerate(("酒", "茶叶", "礼品", "纸质"))
]
OFFER = PatentDoc("offer", title="可降解食品包装薄膜", abstract="可降解食品包装薄膜，环保。")


def ids(matcher: Matcher, query: NeedDoc | str, k: int = 3) -> list[str]:
    return [m.id for m in matcher.match(query, k=k, explain=False)]


def test_document_without_ipc_is_not_sunk_by_ipc_with_weak_text() -> None:
    # The offer has no IPC codes but all the need's words; the packaging boxes share the
    # predicted subclass B65D and only 包装.  IPC counts where the text supports it.
    m = Matcher.fit([*BATTERY, *PACKAGING, OFFER])
    need = NeedDoc("n", title="可降解食品包装薄膜")
    assert ids(m, need) == ["offer", "k2", "k0"]
    res = m.match(need, k=9)
    # The offer's IPC share is neutral: the text-weighted mean of the coded candidates.
    offer = res[0].explanation
    assert offer is not None and offer.ipc == ()
    feats = {f.feature: f for f in offer.features}
    coded = [r for r in res if r.id.startswith("k")]
    assert (
        0
        < feats["ipc"].value
        <= max(
            {f.feature: f for f in r.explanation.features}["ipc"].value  # type: ignore[union-attr]
            for r in coded
        )
    )
    assert sum(f.contribution for f in offer.features) == pytest.approx(res[0].score, abs=1e-6)


def test_ipc_alone_still_ranks_a_query_without_known_terms() -> None:
    m = Matcher.fit([*BATTERY, *PACKAGING])
    hinted = NeedDoc("n", title="的了和", ipc_hints=("B65D",))
    assert ids(m, hinted, k=4) == ["k0", "k1", "k2", "k3"]


def test_need_term_weights_follow_need_side_idf() -> None:
    table = NeedTerms(9, {"希望": 9, "锂电池": 2})
    w = table.weights(["希望", "锂电池", "回收"], gamma=1.0)
    top = math.log(10 / 0.5)
    assert w.tolist() == pytest.approx([math.log(10 / 9.5) / top, math.log(10 / 2.5) / top, 1.0])
    assert table.weights(["希望"], gamma=0.0).tolist() == [1.0]
    # Words and bigrams in at least two needs (MIN_DF); 回收 is in one only.
    assert count(["希望回收", "希望锂电池", "锂电池"]).df == {
        "希望": 2,
        "电池": 2,
        "锂电": 2,
        "锂电池": 2,
    }


def test_boilerplate_words_do_not_outweigh_the_problem() -> None:
    # "希望 … 解决 … 问题" is in every need; a document that shares only those words must
    # rank below the one that has the need's subject.
    docs = [
        PatentDoc("talk", title="希望解决问题的方法", abstract="希望解决问题，提高效率。"),
        PatentDoc("subject", title="锂电池回收装置", abstract="废旧电池拆解。"),
        PatentDoc("other", title="风力发电机叶片", abstract="叶片降噪。"),
    ]
    m = Matcher.fit(docs)
    table = count(
        [f"希望解决{x}问题，提高效率" for x in ("包装", "印染", "纺织", "铸造", "电机", "涂料")]
    )
    need = NeedDoc("n", description="希望解决锂电池回收问题，提高效率")
    with override(NeedTerms(0, {})):
        assert ids(m, need, k=2) == ["talk", "subject"]
    with override(table):
        assert ids(m, need, k=2) == ["subject", "talk"]


def test_title_dominates_a_long_company_introduction() -> None:
    docs = [
        PatentDoc("film", title="聚乙烯包装薄膜", abstract="聚乙烯包装薄膜吹塑生产线。"),
        PatentDoc("recycle", title="锂电池回收", abstract="废旧锂电池拆解回收钴锂。"),
        PatentDoc("blade", title="风力发电机叶片", abstract="叶片降噪。"),
    ]
    m = Matcher.fit(docs)
    # The description names the company's own product as often as the title names the
    # problem: the title (需求名称, weight 2 as in the index) decides.
    intro = "公司成立于2005年，主营聚乙烯包装薄膜，拥有吹塑生产线十条。"
    need = NeedDoc("n", title="锂电池回收", description=intro + "现寻求锂电池回收技术。")
    with override(NeedTerms(0, {})):
        assert ids(m, need, k=2) == ["recycle", "film"]
        flat = NeedDoc("n", description=f"锂电池回收。{need.description}")
        assert ids(m, flat, k=2) == ["film", "recycle"]


def test_need_term_weighting_can_be_switched_off() -> None:
    m = Matcher.fit([*BATTERY, OFFER], config=MatcherConfig(need_term_gamma=0.0))
    q = m.snapshot
    assert q.cfg.need_term_gamma == 0.0
    assert ids(m, NeedDoc("n", title="锂电池正极材料"), k=1) == ["b0"]
    assert np.isfinite([r.score for r in m.match("锂电池", k=5)]).all()


def test_patent_queries_and_keyword_lists_keep_their_weights() -> None:
    from matching._query import _field_weights, keyword_weights, prepare
    from matching.tools.evaluate import as_query

    m = Matcher.fit([*BATTERY, *PACKAGING, OFFER])
    snap = m.snapshot
    table = NeedTerms(3, {"锂电池": 3, "包装": 3})
    patent = PatentDoc("q", title="锂电池包装", abstract="锂电池包装盒")
    with override(table):
        w_p = _field_weights(snap, ("锂电池包装", "锂电池包装盒", ""), 0.0)[1]
        assert prepare(snap, patent).w.tolist() == w_p.tolist()
        w_k = keyword_weights(snap, ["锂电池", "包装"])[1]
        assert prepare(snap, "锂电池 包装").w.tolist() == w_k.tolist()
        need = prepare(snap, NeedDoc("n", description="锂电池包装盒"))
        plain = prepare(snap, "锂电池包装盒")
        assert need.w.tolist() == plain.w.tolist()  # free text is need-style text
        unweighted = _field_weights(snap, ("", "锂电池包装盒", ""), 0.0)[1]
        assert need.w.sum() < unweighted.sum()  # 锂电池 and 包装 are in every need
    assert as_query("q", "锂电池 包装") == "锂电池 包装"
    assert as_query("q", "锂电池回收。公司希望引进") == NeedDoc(
        "q", title="锂电池回收", description="公司希望引进"
    )
