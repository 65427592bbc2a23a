"""Generated enterprise feedback on a BEIR set (``python -m matching.tools.evaluate --feedback``).

No recorded feedback exists yet, so it is simulated, deterministically from a seed:

* every query is an enterprise: its "industry" is the query's predicted IPC subclass (so
  two enterprises share a class code when their needs fall in one subclass, and a
  division when they share the IPC class), its province is drawn from eight;
* every patent has a latent industrialization prospect ``q ~ Beta(2, 2)``;
* an enterprise is shown the top 30 of the feedback-free ranking, 10 of its relevant
  patents (found elsewhere: feeds, fairs) and 10 random ones, and reacts to each with
  ``u = 1.6 · relevance + (q − 0.5) + N(0, 0.5²)`` (relevance = grade / the query's best
  grade): u > 1.2 a positive intent (type drawn; rated with probability 0.7), u > 0.7 a
  rating with probability 0.6, u < 0 无需求 with probability 0.5, else nothing;
* a rating's three dimensions are ``round(1 + 4 · (0.6 q + 0.4 relevance) + N(0, 0.7²))``
  clipped to 1–5.

So intents follow topical relevance plus noise, and ratings mostly follow the patent's
prospect.  These are assumptions, not observations: the measured effect says the
features work as designed on feedback that behaves like this, not that real feedback
will.  The generator never reads the features' parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .._matcher import Matcher
from .beir import BeirSet

INTENTS = ("transfer", "license", "equity", "improvement", "cooperation")
PROVINCES = ("11", "31", "32", "33", "41", "42", "44", "51")
SHOWN_TOP, SHOWN_RELEVANT, SHOWN_RANDOM = 30, 10, 10


class Event(NamedTuple):
    """One shown (enterprise, patent) pair and the enterprise's reaction."""

    enterprise: str
    patent: str
    intent: str  # one of INTENTS, "no_need", or "" (no intent)
    rating: float  # mean of the three 1–5 dimensions, 0 when not rated


class Enterprise(NamedTuple):
    industry: str
    province: str


def enterprises(matcher: Matcher, data: BeirSet, seed: int) -> dict[str, Enterprise]:
    rng = np.random.default_rng([seed, 1])
    out = {}
    for qid in sorted(data.queries):
        top = matcher.predict_ipc(data.queries[qid], top=1)
        out[qid] = Enterprise(top[0].code if top else "", PROVINCES[rng.integers(len(PROVINCES))])
    return out


def simulate(
    data: BeirSet, shown_top: Mapping[str, list[str]], seed: int
) -> tuple[list[Event], dict[str, float]]:
    """Reactions of every query-enterprise to the patents it was shown; and ``q``."""
    rng = np.random.default_rng([seed, 2])
    ids = sorted(d.id for d in data.docs)
    prospect = dict(zip(ids, rng.beta(2.0, 2.0, len(ids)).tolist(), strict=True))
    events = []
    for qid in sorted(data.queries):
        rel = data.qrels.get(qid, {})
        best = max(rel.values(), default=0) or 1
        relevant = sorted(d for d, g in rel.items() if g > 0 and d in prospect)
        picked = rng.permutation(relevant)[:SHOWN_RELEVANT].tolist() if relevant else []
        randoms = [ids[i] for i in rng.integers(len(ids), size=SHOWN_RANDOM)]
        shown = dict.fromkeys([*shown_top.get(qid, [])[:SHOWN_TOP], *picked, *randoms])
        for pid in shown:
            events.append(_react(rng, qid, pid, rel.get(pid, 0) / best, prospect[pid]))
    return events, prospect


def _react(rng: np.random.Generator, qid: str, pid: str, relevance: float, q: float) -> Event:
    u = 1.6 * relevance + (q - 0.5) + rng.normal(0.0, 0.5)
    draw = rng.random()
    intent = ""
    if u > 1.2:
        intent, rated = INTENTS[rng.integers(len(INTENTS))], draw < 0.7
    elif u > 0.7:
        rated = draw < 0.6
    else:
        rated = False
        if u < 0 and draw < 0.5:
            intent = "no_need"
    rating = 0.0
    if rated:
        dims = 1 + 4 * (0.6 * q + 0.4 * relevance) + rng.normal(0.0, 0.7, 3)
        rating = float(np.clip(np.round(dims), 1, 5).mean())
    return Event(qid, pid, intent, rating)


def grade(e: Event) -> int:
    """Relevance label of a held-out reaction: intent 3 > rating ≥ 4 2 > none 1 > 无需求 0."""
    if e.intent == "no_need":
        return 0
    if e.intent:
        return 3
    return 2 if e.rating >= 4 else 1


def split(events: list[Event], seed: int, share: float = 0.5) -> tuple[list[Event], list[Event]]:
    """(features, labels): each pair is used as a feature or as a label, never both."""
    rng = np.random.default_rng([seed, 3])
    held = rng.random(len(events)) < share
    return (
        [e for e, h in zip(events, held, strict=True) if not h],
        [e for e, h in zip(events, held, strict=True) if h],
    )
