"""Reverse matching: a batch of new patents against every active subscription at once.

Subscriptions are compiled into inverted indexes keyed by their most selective criterion
(the needs they follow, keyword bigrams, IPC subclass, SEI category, institution,
province, mode), so a patent only meets the subscriptions that can possibly want it,
never all of them. Each candidate then checks every criterion it sets.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from app.common.reference import sei_names

# (need id → (score, matcher explanation)) for one patent, from the need index.
NeedHits = dict[int, tuple[float, dict[str, Any]]]
_MODE_NAMES = {
    "transfer": "转让",
    "license": "许可",
    "equity": "作价入股",
    "improvement": "技术改进",
    "cooperation": "产学研合作",
}


@dataclass(frozen=True)
class Facts:
    """What subscriptions can test about a patent."""

    id: int
    text: str  # title, abstract and first claim, lower-cased
    ipc: tuple[str, ...]
    sei: frozenset[str]
    institution_id: int | None
    province: str
    modes: frozenset[str]
    open_license: bool

    @cached_property
    def grams(self) -> set[str]:  # for the gram counts and the candidate lookup: once
        return _grams(self.text)


@dataclass(frozen=True)
class Rule:
    """One active subscription, compiled."""

    id: int
    enterprise_id: int
    follows_needs: bool
    needs: frozenset[int]  # resolved: all_needs expands to the enterprise's open needs
    keywords: tuple[str, ...]  # lower-cased
    ipc: tuple[str, ...]
    sei: frozenset[str]
    institutions: frozenset[int]
    provinces: frozenset[str]
    modes: frozenset[str]
    open_license_only: bool
    min_score: float
    # Feed items name the need they matched by its title (left out of equality and hash).
    need_titles: Mapping[int, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Draft:
    enterprise_id: int
    patent_id: int
    subscription_id: int
    score: float
    explanation: dict[str, Any]


def _grams(text: str) -> set[str]:
    return set(text) | {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass
class RuleIndex:
    rules: list[Rule]
    # How many of the patents being matched contain each bigram: a keyword is indexed by
    # its rarest bigram, so common ones (一种, 装置) do not make every patent a candidate.
    gram_counts: Counter[str] = field(default_factory=Counter)
    by_need: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    anchored: dict[tuple[str, Any], list[int]] = field(default_factory=lambda: defaultdict(list))
    everything: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for n, rule in enumerate(self.rules):
            if rule.follows_needs:
                for need in rule.needs:
                    self.by_need[need].append(n)
            else:
                keys = _anchor(rule, self.gram_counts)
                for key in keys:
                    self.anchored[key].append(n)
                if not keys:
                    self.everything.append(n)

    def candidates(self, facts: Facts) -> set[int]:
        keys: list[tuple[str, Any]] = [("kw", g) for g in facts.grams]
        keys += [(kind, code[:size]) for code in facts.ipc for kind, size in _IPC_KEYS]
        keys += [("ipcg", code.split("/")[0] + "/") for code in facts.ipc if "/" in code]
        keys += [("sei", s) for s in facts.sei] + [("mode", m) for m in facts.modes]
        keys += [("inst", facts.institution_id), ("prov", facts.province)]
        if facts.open_license:
            keys.append(("open", True))
        found = set(self.everything)
        for key in keys:
            found.update(self.anchored.get(key, ()))
        return found


_IPC_KEYS = (("ipc1", 1), ("ipc3", 3), ("ipc4", 4))


def _anchor(rule: Rule, gram_counts: Counter[str]) -> list[tuple[str, Any]]:
    """Index keys of the first criterion the rule sets; a patent must hit one of them."""
    if rule.keywords:
        return [
            ("kw", min(_grams(k) - set(k) or set(k), key=gram_counts.__getitem__))
            for k in rule.keywords
        ]
    if rule.ipc:
        return [_ipc_key(p) for p in rule.ipc]
    for kind, values in (
        ("sei", rule.sei),
        ("inst", rule.institutions),
        ("prov", rule.provinces),
        ("mode", rule.modes),
    ):
        if values:
            return [(kind, v) for v in values]
    return [("open", True)] if rule.open_license_only else []


def _ipc_key(prefix: str) -> tuple[str, str]:
    # Index by the longest of section (G), class (G06), subclass (G06F) and main group
    # (G06F16/) the prefix covers; a patent offers all four of each of its codes.
    if "/" in prefix:
        return "ipcg", prefix.split("/")[0] + "/"
    size = 4 if len(prefix) >= 4 else 3 if len(prefix) == 3 else 1
    return f"ipc{size}", prefix[:size]


def _refused(rule: Rule, facts: Facts) -> bool:
    """The set-membership criteria, checked first: most candidates fail one of them."""
    return bool(
        (rule.provinces and facts.province not in rule.provinces)
        or (rule.institutions and facts.institution_id not in rule.institutions)
        or (rule.open_license_only and not facts.open_license)
        or (rule.modes and rule.modes.isdisjoint(facts.modes))
        or (rule.sei and rule.sei.isdisjoint(facts.sei))
    )


class Held(NamedTuple):
    score: float
    need_id: int | None
    matched: dict[str, Any] | None  # the matcher's explanation, for need subscriptions
    keywords: list[str]
    ipc: list[str]


def holds(rule: Rule, facts: Facts, hits: NeedHits) -> Held | None:
    """The score and what matched when every criterion of ``rule`` holds for the patent."""
    if _refused(rule, facts):
        return None
    ipc = [c for c in facts.ipc if c.startswith(rule.ipc)] if rule.ipc else []
    if rule.ipc and not ipc:
        return None
    need_id, score, matched = None, 1.0, None
    if rule.follows_needs:
        best = max((n for n in rule.needs if n in hits), key=lambda n: hits[n][0], default=None)
        if best is None:
            return None
        need_id, (score, matched) = best, hits[best]
    found = [k for k in rule.keywords if k in facts.text]
    if rule.keywords and not found:
        return None
    if rule.keywords and not rule.follows_needs:
        score = len(found) / len(rule.keywords)
    return None if score < rule.min_score else Held(score, need_id, matched, found, ipc)


def evidence(rule: Rule, facts: Facts, held: Held) -> dict[str, Any]:
    """The explanation stored with a feed item (built only for the pairs pushed)."""
    out: dict[str, Any] = {"need_id": held.need_id, "keywords": held.keywords, "ipc": held.ipc}
    if held.need_id is not None:
        out["need_title"] = rule.need_titles.get(held.need_id)
    out.update(sei=sorted(rule.sei & facts.sei), modes=sorted(rule.modes & facts.modes))
    out["match"] = held.matched
    out["summary"] = summary(out)
    return out


def accepts_need(index: RuleIndex, facts: Facts, need_id: int, score: float) -> bool:
    """Whether a subscription following ``need_id`` takes the patent at ``score``: the
    pairs that may be pushed, and so the only ones the matcher needs to explain."""
    hits: NeedHits = {need_id: (score, {})}
    return any(holds(index.rules[n], facts, hits) for n in index.by_need.get(need_id, ()))


def summary(e: dict[str, Any]) -> str:
    parts = []
    if e["need_id"] is not None:
        said = (e["match"] or {}).get("summary") or "技术相近"
        title = e.get("need_title")
        parts.append(
            f"匹配需求「{title}」：{said}" if title else f"匹配需求 #{e['need_id']}：{said}"
        )
    if e["keywords"]:
        parts.append("关键词：" + "、".join(e["keywords"]))
    if e["ipc"]:
        parts.append("IPC：" + "、".join(e["ipc"]))
    if e["sei"]:
        names = sei_names()
        parts.append("战略性新兴产业：" + "、".join(f"{s} {names.get(s, '')}" for s in e["sei"]))
    if e["modes"]:
        parts.append("交易方式：" + "、".join(_MODE_NAMES.get(m, m) for m in e["modes"]))
    return "；".join(parts) or "符合订阅条件"


def index(rules: list[Rule], patents: list[Facts]) -> RuleIndex:
    counts: Counter[str] = Counter()
    for facts in patents:
        counts.update(facts.grams)
    return RuleIndex(rules, counts)


def match(index: RuleIndex, patents: Iterable[Facts], hits: dict[int, NeedHits]) -> list[Draft]:
    """The best subscription of each (enterprise, patent) pair that matches."""
    best: dict[tuple[int, int], tuple[Rule, Facts, Held]] = {}
    for facts in patents:
        patent_hits = hits.get(facts.id, {})
        found = index.candidates(facts)
        for need in patent_hits:
            found.update(index.by_need.get(need, ()))
        for n in found:
            rule = index.rules[n]
            held = holds(rule, facts, patent_hits)
            if held is None:
                continue
            key = (facts.id, rule.enterprise_id)  # items in patent order
            if key not in best or held.score > best[key][2].score:
                best[key] = (rule, facts, held)
    return [
        Draft(rule.enterprise_id, facts.id, rule.id, held.score, evidence(rule, facts, held))
        for _, (rule, facts, held) in sorted(best.items())
    ]
