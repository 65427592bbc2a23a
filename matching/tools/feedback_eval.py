"""Feedback replay: held-out reactions as graded labels, features on vs off in one run.

For every query-enterprise, half of its (generated, ``feedback_sim``) reactions become the
feedback the features use — everyone's prospect ratings, similar enterprises' and its
own intents — and the other half the labels (intent 3, rating ≥ 4 2, no reaction 1,
无需求 0; unshown patents 0).  A pair is a feature or a label, never both.  The
feature half of the enterprise's own pairs is excluded from every variant's ranking, as
the service would no longer need to propose what was already answered, so "off" and
"on" rank the same candidates and differ only by the features.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._feedback import peer_weight
from .._fusion import MatcherConfig
from .._matcher import Matcher
from .._types import Feedback, NeedDoc, PeerIntent, Rating
from .beir import BeirSet
from .feedback_sim import INTENTS, SHOWN_TOP, Enterprise, Event, enterprises, grade, simulate, split
from .metrics import evaluate_run, ndcg_at

NEED_PEERS = 30  # as the service: enterprises owning the 30 most similar needs


def run_feedback(
    data: BeirSet, titles: dict[str, str], seed: int = 0, config: MatcherConfig | None = None
) -> dict[str, Any]:
    """Metrics of the variants off / ratings / peers / on on the held-out labels."""
    matcher = Matcher.fit(data.docs, ipc_titles=titles, config=config, workers=1)
    qids = sorted(data.queries)
    texts = [data.queries[q] for q in qids]
    shown = {
        q: [m.id for m in r]
        for q, r in zip(qids, matcher.match_many(texts, k=SHOWN_TOP), strict=True)
    }
    events, _ = simulate(data, shown, seed)
    feats, held = split(events, seed)
    labels: dict[str, dict[str, int]] = defaultdict(dict)
    for e in held:
        labels[e.enterprise][e.patent] = grade(e)
    seen: dict[str, set[str]] = defaultdict(set)
    for e in feats:
        seen[e.enterprise].add(e.patent)
    rated = _ratings(feats)
    liked = _liked(feats, enterprises(matcher, data, seed), _text_peers(data, titles))
    variants: dict[str, Callable[[str], Feedback]] = {
        "off": lambda q: Feedback(excluded=frozenset(seen[q])),
        "ratings": lambda q: Feedback(ratings=rated, excluded=frozenset(seen[q])),
        "peers": lambda q: Feedback(liked=liked.get(q, ()), excluded=frozenset(seen[q])),
        "on": lambda q: Feedback(rated, liked.get(q, ()), frozenset(seen[q])),
    }
    out = {"dataset": data.name, "feedback": _counts(feats, held)}
    for name, make in variants.items():
        found = matcher.match_many(texts, k=100, feedback=[make(q) for q in qids])
        run = {q: [m.id for m in r] for q, r in zip(qids, found, strict=True)}
        out[name] = _metrics(run, labels, data.qrels)
    return out


def _ratings(events: Sequence[Event]) -> dict[str, Rating]:
    scores: dict[str, list[float]] = defaultdict(list)
    for e in events:
        if e.rating:
            scores[e.patent].append(e.rating)
    return {p: Rating(len(s), sum(s) / len(s)) for p, s in scores.items()}


def _liked(
    events: Sequence[Event],
    profiles: Mapping[str, Enterprise],
    text: Mapping[str, Mapping[str, float]],
) -> dict[str, tuple[PeerIntent, ...]]:
    """Per enterprise: the positive intents of its peers (and its own), as the service."""
    by_ent: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.intent in INTENTS:
            by_ent[e.enterprise].append(e)
    out = {}
    for me, mine in profiles.items():
        liked: list[PeerIntent] = []
        for other, intents in by_ent.items():
            p = profiles[other]
            w = 1.0 if other == me else peer_weight(
                mine.industry, p.industry, mine.province, p.province, text[me].get(other, 0.0)
            )  # fmt: skip
            if w > 0:
                liked += [PeerIntent(e.patent, w, e.intent) for e in intents]
        out[me] = tuple(liked)
    return out


def _text_peers(data: BeirSet, titles: dict[str, str]) -> dict[str, dict[str, float]]:
    """Need-text similarity between query-enterprises, scaled as the service scales it."""
    qids = sorted(data.queries)
    needs = [NeedDoc(q, title=data.queries[q]) for q in qids]
    index = Matcher.fit(needs, ipc_titles=titles, workers=1)
    scale = index.config.text + index.config.ipc
    found = index.match_many(needs, k=NEED_PEERS)
    return {
        q: {m.id: min(m.score / scale, 1.0) for m in r} for q, r in zip(qids, found, strict=True)
    }


def _counts(feats: Sequence[Event], held: Sequence[Event]) -> dict[str, int]:
    return {
        "shown_pairs": len(feats) + len(held),
        "intents": sum(e.intent in INTENTS for e in (*feats, *held)),
        "ratings": sum(bool(e.rating) for e in (*feats, *held)),
        "no_need": sum(e.intent == "no_need" for e in (*feats, *held)),
        "feature_pairs": len(feats),
        "label_pairs": len(held),
    }


def _metrics(
    run: Mapping[str, list[str]],
    labels: Mapping[str, Mapping[str, int]],
    topical: Mapping[str, Mapping[str, int]],
) -> dict[str, float]:
    """Graded metrics on the labels, intents and 无需求 in the top 10, topical nDCG@10."""
    out = {k: v for k, v in evaluate_run(run, labels).items() if k in ("ndcg@10", "mrr@10")}
    intents, refused = [], []
    for q, rel in labels.items():
        top = run.get(q, [])[:10]
        wanted = [p for p, g in rel.items() if g == 3]
        if wanted:
            intents.append(sum(p in wanted for p in top) / min(10, len(wanted)))
        refused.append(sum(rel.get(p) == 0 for p in top) / 10)
    out["intent_recall@10"] = round(sum(intents) / max(len(intents), 1), 4)
    out["no_need@10"] = round(sum(refused) / max(len(refused), 1), 4)
    qs = [q for q in topical if q in run]
    topic = sum(ndcg_at(run[q], topical[q]) for q in qs) / max(len(qs), 1)
    out["topical_ndcg@10"] = round(topic, 4)
    return out
