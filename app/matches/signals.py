"""Enterprise feedback → the matcher's per-query signals (``matching.Feedback``).

The matcher is a pure library; this module reads the database and hands it plain data:

* ``ratings``: the current 产业化前景评价 of every rated patent (raters, and the mean of
  each rater's three dimensions). The matcher shrinks them toward the neutral 3.
* ``excluded``: the patents the asking enterprise answered 无需求.
* ``liked``: current positive intents (转让, 许可, 作价入股, 技术改进, 产学研合作) of
  enterprises similar to the asker — the asker itself (weight 1) and others weighted by
  ``matching.peer_weight`` from industry code (GB/T 4754), province and how similar their
  open needs are to this query. Patents similar to those get a small bounded boost.

A query without an enterprise (admin or portal keys) gets ratings only: "similar
enterprises" needs an asker.
"""

import weakref
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

import matching
from app.enterprises.models import Enterprise
from app.feedback.models import POSITIVE, Feedback, Intent
from app.feedback.repository import no_need_statement
from app.matches.engine import MatchEngine
from app.matches.matcher_documents import province
from app.needs.models import Need

NEED_PEERS = 30  # most similar open needs whose enterprises count as text peers
MAX_INTENTS = 5000  # most recent candidate-peer intents read per call


class Asker(NamedTuple):
    enterprise_id: int | None
    query: matching.NeedDoc


def gather(
    session: Session, engine: MatchEngine, askers: Sequence[Asker]
) -> list[matching.Feedback]:
    """One ``matching.Feedback`` per asker (call after ``engine.catch_up``)."""
    rated = cached_ratings(session, engine)
    ents = {a.enterprise_id for a in askers if a.enterprise_id is not None}
    refused = _no_need(session, ents)
    liked = _liked(session, engine, askers) if ents and _any_positive(session) else None
    return [
        matching.Feedback(
            ratings=rated,
            liked=liked[i] if liked else (),
            excluded=refused.get(a.enterprise_id or 0, frozenset()),
        )
        for i, a in enumerate(askers)
    ]


# Per match engine (one per app process): the ratings aggregate and the feedback table's
# max id when it was read. Feedback is append-only (a change inserts a new current row),
# so the max id moves with every change, and one primary-key lookup replaces a GROUP BY
# over every rating on each match request. (Rows go only by cascade with their patent or
# enterprise, whose documents leave the index anyway; SQLite may then reuse the deleted
# newest id, leaving one rating unseen until the next feedback.)
_Cached = tuple[int, dict[str, matching.Rating]]
_RATINGS: "weakref.WeakKeyDictionary[MatchEngine, _Cached]" = weakref.WeakKeyDictionary()


def cached_ratings(session: Session, engine: MatchEngine) -> dict[str, matching.Rating]:
    mark = int(session.scalar(select(func.max(Feedback.id))) or 0)
    hit = _RATINGS.get(engine)
    if hit is not None and hit[0] == mark:
        return hit[1]
    rated = ratings(session)
    _RATINGS[engine] = (mark, rated)
    return rated


def ratings(session: Session) -> dict[str, matching.Rating]:
    """Current prospect ratings per patent: (raters, mean of each rater's dimensions)."""
    per_rater = (
        Feedback.rating_market + Feedback.rating_maturity + Feedback.rating_difficulty
    ) / 3.0
    stmt = (
        select(Feedback.patent_id, func.count(), func.avg(per_rater))
        .where(Feedback.is_current.is_(True), Feedback.rating_market.is_not(None))
        .group_by(Feedback.patent_id)
    )
    return {
        str(pid): matching.Rating(int(n), float(mean)) for pid, n, mean in session.execute(stmt)
    }


def _no_need(session: Session, ents: set[int]) -> dict[int, frozenset[str]]:
    if not ents:
        return {}
    stmt = no_need_statement().where(Feedback.enterprise_id.in_(ents))
    out: dict[int, set[str]] = {}
    for ent, pid in session.execute(stmt):
        out.setdefault(ent, set()).add(str(pid))
    return {e: frozenset(p) for e, p in out.items()}


def _any_positive(session: Session) -> bool:
    stmt = select(Feedback.id).where(Feedback.is_current.is_(True), Feedback.intent.in_(POSITIVE))
    return session.scalar(stmt.limit(1)) is not None


class _Intent(NamedTuple):
    enterprise: int
    patent: int
    intent: str
    industry: str
    province: str


def _liked(
    session: Session, engine: MatchEngine, askers: Sequence[Asker]
) -> list[tuple[matching.PeerIntent, ...]]:
    ents = {a.enterprise_id for a in askers if a.enterprise_id is not None}
    profiles = _profiles(session, ents)
    texts = _need_peers(session, engine, askers)
    divisions = {p[0][:3] for p in profiles.values() if len(p[0]) >= 3}
    by_ent: dict[int, list[_Intent]] = {}
    for row in _intents(session, ents | {e for t in texts for e in t}, divisions):
        by_ent.setdefault(row.enterprise, []).append(row)
    out: list[tuple[matching.PeerIntent, ...]] = []
    for asker, text in zip(askers, texts, strict=True):
        me = profiles.get(asker.enterprise_id or 0)
        liked: list[matching.PeerIntent] = []
        for ent, rows in by_ent.items():
            if me is None:
                break
            weight = 1.0  # the asker's own intents: "more like what I wanted"
            if ent != asker.enterprise_id:
                industry, region = rows[0].industry, rows[0].province
                weight = matching.peer_weight(me[0], industry, me[1], region, text.get(ent, 0.0))
            if weight > 0:
                liked += [matching.PeerIntent(str(r.patent), weight, r.intent) for r in rows]
        out.append(tuple(liked))
    return out


def _profiles(session: Session, ents: set[int]) -> dict[int, tuple[str, str]]:
    """Enterprise id → (industry code, province)."""
    stmt = select(Enterprise.id, Enterprise.industry_code, Enterprise.region_code)
    rows = session.execute(stmt.where(Enterprise.id.in_(ents)))
    return {e: (industry or "", province(region)) for e, industry, region in rows}


def _intents(session: Session, ents: set[int], divisions: set[str]) -> list[_Intent]:
    """Current positive intents of the candidate peers, newest first."""
    stmt = (
        select(
            Feedback.enterprise_id,
            Feedback.patent_id,
            Feedback.intent,
            Enterprise.industry_code,
            Enterprise.region_code,
        )
        .join(Enterprise, Enterprise.id == Feedback.enterprise_id)
        .where(Feedback.is_current.is_(True), Feedback.intent.in_(POSITIVE))
        .where(
            or_(
                Feedback.enterprise_id.in_(ents),
                func.substr(Enterprise.industry_code, 1, 3).in_(divisions),
            )
        )
        .order_by(Feedback.id.desc())
        .limit(MAX_INTENTS)
    )
    return [
        _Intent(e, p, Intent(i).value, industry or "", province(region))
        for e, p, i, industry, region in session.execute(stmt)
    ]


def _need_peers(
    session: Session, engine: MatchEngine, askers: Sequence[Asker]
) -> list[dict[int, float]]:
    """Per asker: enterprise id → similarity in [0, 1] of its open needs to the query.

    The need index ranks the open needs against the query; a need's similarity is its
    score over ``text + ipc`` (what a need agreeing in words and IPC gets), capped at 1.
    """
    matcher = engine.needs
    if matcher is None:
        return [{} for _ in askers]
    found = []
    for a in askers:  # one by one: a query without indexed terms only loses its own peers
        try:
            found.append(matcher.match(a.query, k=NEED_PEERS, explain=False))
        except matching.EmptyQueryError:
            found.append([])
    need_ids = {int(m.id) for ms in found for m in ms}
    # Rows unpacked explicitly: dict(Result) treats the Result as a mapping (it has .keys()).
    stmt = select(Need.id, Need.enterprise_id).where(Need.id.in_(need_ids))
    owner = {need: ent for need, ent in session.execute(stmt)}
    scale = matcher.config.text + matcher.config.ipc
    out = []
    for ms in found:
        sims: dict[int, float] = {}
        for m in ms:
            if (ent := owner.get(int(m.id))) is not None:
                sims[ent] = max(sims.get(ent, 0.0), min(m.score / scale, 1.0))
        out.append(sims)
    return out
