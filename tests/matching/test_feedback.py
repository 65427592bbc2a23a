"""Feedback features: prospect ratings and similar enterprises' intents change the order
as specified, stay bounded, and are exactly neutral when absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import IPC_TITLES, TOY

import matching
from matching import Feedback, Matcher, MatcherConfig, PatentDoc, PeerIntent, Rating, peer_weight

PEERS = [
    PatentDoc("x1", title="锂电池正极"),
    PatentDoc("x2", title="锂电池回收"),
    PatentDoc("y", title="废旧电池回收方法"),
    PatentDoc("z", title="风力发电机叶片"),
]


def ids(results: list[matching.Match]) -> list[str]:
    return [r.id for r in results]


def features(result: matching.Match) -> dict[str, float]:
    assert result.explanation is not None
    return {f.feature: f.contribution for f in result.explanation.features}


@pytest.fixture(scope="module")
def toy() -> Matcher:
    return Matcher.fit(TOY, ipc_titles=IPC_TITLES)


@pytest.fixture(scope="module")
def peers() -> Matcher:
    return Matcher.fit(PEERS)


def test_absent_feedback_is_exactly_neutral(toy: Matcher) -> None:
    plain = toy.match("电池")
    assert ids(plain) == ["p2", "p1", "p4"]
    for fb in (
        Feedback(),
        Feedback(ratings={"p9": Rating(3, 5.0)}),  # unknown patent
        Feedback(ratings={"p1": Rating(0, 5.0)}),  # no raters
        Feedback(ratings={"p1": Rating(4, 3.0)}),  # the neutral score
        Feedback(liked=(PeerIntent("p9", 1.0, "license"),)),  # not indexed
        Feedback(liked=(PeerIntent("p3", 0.0, "license"),)),  # not a peer
    ):
        assert toy.match("电池", feedback=fb) == plain


def test_good_ratings_raise_a_patent_but_one_rating_cannot(toy: Matcher) -> None:
    one = toy.match("电池", feedback=Feedback(ratings={"p1": Rating(1, 5.0)}))
    assert ids(one) == ["p2", "p1", "p4"]  # 0.1 · 1·2/(2·4) = 0.025 < the 0.067 gap
    many = toy.match("电池", feedback=Feedback(ratings={"p1": Rating(10, 5.0)}))
    assert ids(many) == ["p1", "p2", "p4"]
    assert features(many[0])["rating"] == pytest.approx(0.1 * 10 * 2 / (2 * 13))
    assert many[0].explanation is not None
    assert "产业化前景评价5.0分（10家企业）" in many[0].explanation.summary


def test_poor_ratings_lower_a_patent(toy: Matcher) -> None:
    low = toy.match("电池", feedback=Feedback(ratings={"p2": Rating(10, 1.0)}))
    assert ids(low) == ["p1", "p2", "p4"]
    assert features(low[1])["rating"] == pytest.approx(-0.1 * 10 * 2 / (2 * 13))


def test_similar_enterprises_intents_raise_similar_patents(peers: Matcher) -> None:
    assert ids(peers.match("锂电池")) == ["x1", "x2", "y"]  # x1, x2 nearly tied
    liked = Feedback(liked=(PeerIntent("y", 1.0, "license"),))
    boosted = peers.match("锂电池", feedback=liked)
    assert ids(boosted) == ["x2", "x1", "y"]  # x2 (回收) is like y, x1 is not
    assert boosted[0].explanation is not None
    assert "相似企业对相似专利表达过许可意向" in boosted[0].explanation.summary
    assert 0 < features(boosted[0])["peer_intent"] <= MatcherConfig().peer_intent
    assert "peer_intent" not in features(boosted[1])  # 正极 shares nothing with 回收
    unrelated = Feedback(liked=(PeerIntent("z", 1.0, "license"),))  # 风力 叶片
    assert ids(peers.match("锂电池", feedback=unrelated)) == ["x1", "x2", "y"]


def test_peer_boost_scales_with_enterprise_similarity(peers: Matcher) -> None:
    def boost(weight: float) -> float:
        fb = Feedback(liked=(PeerIntent("y", weight, "transfer"),))
        return features(peers.match("锂电池", feedback=fb)[0]).get("peer_intent", 0.0)

    assert boost(1.0) == pytest.approx(2 * boost(0.5))
    # Several intents on one patent count once, by their most similar enterprise.
    many = Feedback(liked=(PeerIntent("y", 0.5), PeerIntent("y", 1.0), PeerIntent("y", 0.3)))
    assert features(peers.match("锂电池", feedback=many)[0])["peer_intent"] == boost(1.0)


def test_excluded_and_match_many_agree_with_match(toy: Matcher) -> None:
    fbs = [
        Feedback(ratings={"p1": Rating(10, 5.0)}, excluded=frozenset({"p4"})),
        None,
        Feedback(liked=(PeerIntent("p1", 1.0, "equity"),)),
    ]
    queries = ["电池", "电池", "锂电池 电解液"]
    batch = toy.match_many(queries, k=5, feedback=fbs, explain=True)
    for q, fb, got in zip(queries, fbs, batch, strict=True):
        single = toy.match(q, k=5, feedback=fb)
        assert ids(got) == ids(single)
        assert [r.score for r in got] == pytest.approx([r.score for r in single])
    assert ids(batch[0]) == ["p1", "p2"]  # p4 excluded (无需求)
    with pytest.raises(ValueError):
        toy.match_many(queries, feedback=fbs[:1])


def test_weights_are_saved_with_the_index(tmp_path: Path) -> None:
    cfg = MatcherConfig(rating=0.2, rating_prior=5.0, peer_intent=0.0)
    m = Matcher.fit(PEERS, config=cfg)
    matching.save(m, tmp_path)
    loaded = matching.load(tmp_path)
    assert loaded.config == cfg
    liked = Feedback(liked=(PeerIntent("y", 1.0, "license"),))
    assert ids(loaded.match("锂电池", feedback=liked)) == ["x1", "x2", "y"]  # weight 0: off


def test_peer_weight() -> None:
    assert peer_weight("C3841", "C3841", "41", "42") == 0.5
    assert peer_weight("C3841", "C3842", "41", "41") == pytest.approx(0.45)  # division
    assert peer_weight("C3841", "C3841", "41", "41", needs=1.0) == 1.0
    assert peer_weight("C3841", "A0111", "41", "41") == 0.0  # province alone: no peer
    assert peer_weight("", "", "41", "41", needs=0.4) == pytest.approx(0.32)
    assert peer_weight("", "", "", "") == 0.0
