"""What the producer reads: changed patents and their state, active subscriptions compiled
into rules, the need index's hits for new patents, watchers, and 无需求 feedback."""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import matching
from app.common.reference import sei_categories
from app.config import Settings
from app.feedback.models import Feedback
from app.feedback.repository import no_need_statement
from app.feeds import rules
from app.feeds.models import PatentState, Subscription, WatchEntry
from app.licenses.models import DeclarationStatus, OpenLicense
from app.matches import docs
from app.matches.engine import MatchEngine
from app.matches.service import explanation
from app.needs.models import Need, NeedStatus
from app.patents.models import LegalStatus, Patent, PoolStatus

Loaded = tuple[Patent, bool]  # a patent and whether it has a declared open licence
_FIELDS = (
    "法律状态 legal_status",
    "入库状态 pool_status",
    "交易方式 modes",
    "开放许可 open_license",
)


def load_patents(session: Session, ids: Sequence[int]) -> list[Loaded]:
    patents = session.scalars(
        select(Patent).where(Patent.id.in_(ids)).options(selectinload(Patent.ipc_entries))
    ).all()
    declared = set(
        session.scalars(
            select(OpenLicense.patent_id).where(
                OpenLicense.patent_id.in_(ids), OpenLicense.status == DeclarationStatus.declared
            )
        )
    )
    return [(p, p.id in declared) for p in patents]


def patent_state(patent: Patent, open_license: bool) -> PatentState:
    """Pushable = in the pool and valid; the signature is what watchers are told about."""
    pushable = patent.pool_status is PoolStatus.in_pool and patent.legal_status is LegalStatus.valid
    signature = "|".join(
        (
            patent.legal_status.value,
            patent.pool_status.value,
            ",".join(sorted(patent.transaction_modes)),
            "declared" if open_license else "none",
        )
    )
    return PatentState(patent_id=patent.id, pushable=pushable, signature=signature)


def facts(patent: Patent, open_license: bool) -> rules.Facts:
    text = " ".join(t for t in (patent.title, patent.abstract, patent.first_claim) if t)
    return rules.Facts(
        id=patent.id,
        text=text.lower(),
        ipc=tuple(patent.ipc_codes),
        sei=frozenset(sei_categories(patent.ipc_codes)),
        institution_id=patent.institution_id,
        province=docs.province(patent.region_code),
        modes=frozenset(patent.transaction_modes),
        open_license=open_license,
    )


def compile_rules(session: Session) -> list[rules.Rule]:
    """Every active subscription as a rule; the enterprise's open needs resolved."""
    subs = session.scalars(select(Subscription).where(Subscription.active.is_(True))).all()
    open_needs: dict[int, set[int]] = defaultdict(set)
    titles: dict[int, str] = {}
    if any(s.all_needs or s.need_ids for s in subs):
        stmt = select(Need.id, Need.enterprise_id, Need.title).where(Need.status == NeedStatus.open)
        for need_id, enterprise_id, title in session.execute(stmt):
            open_needs[enterprise_id].add(need_id)
            titles[need_id] = title
    compiled = []
    for s in subs:
        own = open_needs.get(s.enterprise_id, set())
        followed = frozenset(own if s.all_needs else own & set(s.need_ids))
        compiled.append(
            rules.Rule(
                id=s.id,
                enterprise_id=s.enterprise_id,
                follows_needs=s.all_needs or bool(s.need_ids),
                needs=followed,
                keywords=tuple(k.lower() for k in s.keywords),
                ipc=tuple(s.ipc_prefixes),
                sei=frozenset(s.sei),
                institutions=frozenset(s.institution_ids),
                provinces=frozenset(docs.province(r) for r in s.regions),
                modes=frozenset(s.modes),
                open_license_only=s.open_license_only,
                min_score=s.min_score,
                need_titles={n: titles[n] for n in followed},
            )
        )
    return compiled


Notes = dict[int, dict[int, matching.Explanation | None]]  # patent → need → explanation


def need_hits(
    matcher: matching.Matcher | None,
    k: int,
    loaded: list[Loaded],
    patents: list[rules.Facts],
    index: rules.RuleIndex,
) -> tuple[dict[int, rules.NeedHits], Notes]:
    """For each patent, the subscribed needs among its ``k`` best-matching open needs, and
    the matcher's explanations of the pairs a subscription accepts (explaining all k hits
    of every patent cost more than ranking them; JSON is built later, for pushed pairs)."""
    if matcher is None or not index.by_need or not loaded:
        return {}, {}
    queries = [docs.patent_doc(p, o) for p, o in loaded]

    def pushable(position: int, need_id: str, score: float) -> bool:
        return rules.accepts_need(index, patents[position], int(need_id), score)

    try:
        found = matcher.match_many(queries, k=k, explain=pushable)
    except matching.EmptyQueryError:  # a patent with no known term: match one at a time
        found = [_match_one(matcher, q, k) for q in queries]
    hits: dict[int, rules.NeedHits] = {}
    notes: Notes = {}
    for (patent, _), matches in zip(loaded, found, strict=True):
        for m in matches:
            if int(m.id) in index.by_need:
                hits.setdefault(patent.id, {})[int(m.id)] = (m.score, {})
                notes.setdefault(patent.id, {})[int(m.id)] = m.explanation
    return hits, notes


def _match_one(
    matcher: matching.Matcher, query: matching.PatentDoc, k: int
) -> list[matching.Match]:
    try:
        return matcher.match(query, k=k)
    except matching.EmptyQueryError:
        return []


def _explain(drafts: list[rules.Draft], notes: Notes) -> None:
    for d in drafts:
        need_id = d.explanation.get("need_id")
        if need_id is not None:
            note = explanation(notes[d.patent_id].get(need_id))
            d.explanation["match"] = note
            d.explanation["summary"] = rules.summary(d.explanation)


def match_new(
    engine: MatchEngine | None,
    settings: Settings,
    loaded: list[Loaded],
    compiled: list[rules.Rule],
) -> list[rules.Draft]:
    if not compiled:
        return []
    patents = [facts(p, o) for p, o in loaded]
    index = rules.index(compiled, patents)
    matcher = engine.needs if engine is not None else None
    hits, notes = need_hits(matcher, settings.feed_need_k, loaded, patents, index)
    drafts = rules.match(index, patents, hits)
    _explain(drafts, notes)
    return drafts


def watch_drafts(
    session: Session, changed: list[tuple[Patent, str, str]]
) -> list[tuple[rules.Draft, str]]:
    """One draft per watcher of each changed patent, keyed by the patent's new state."""
    by_patent = {p.id: (p, old, new) for p, old, new in changed}
    watchers = session.execute(
        select(WatchEntry.enterprise_id, WatchEntry.patent_id).where(
            WatchEntry.patent_id.in_(by_patent)
        )
    ).all()
    out = []
    for enterprise_id, patent_id in watchers:
        _, old, new = by_patent[patent_id]
        diffs = {
            label: [a, b]
            for label, a, b in zip(_FIELDS, old.split("|"), new.split("|"), strict=True)
            if a != b
        }
        summary = "；".join(
            f"{label.split()[0]}：{a or '无'} → {b or '无'}" for label, (a, b) in diffs.items()
        )
        note = {"summary": summary, "changes": {k.split()[1]: v for k, v in diffs.items()}}
        out.append((rules.Draft(enterprise_id, patent_id, 0, 1.0, note), new))
    return out


def no_need_pairs(session: Session, patent_ids: set[int]) -> set[tuple[int, int]]:
    """(enterprise, patent) pairs answered 无需求: never pushed to that enterprise again."""
    if not patent_ids:
        return set()
    stmt = no_need_statement().where(Feedback.patent_id.in_(patent_ids))
    return {(e, p) for e, p in session.execute(stmt)}
