"""Plain data types of the public API: documents, filters and results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "Explanation",
    "FeatureContribution",
    "Feedback",
    "Filters",
    "IpcEvidence",
    "Match",
    "NeedDoc",
    "PatentDoc",
    "PeerIntent",
    "Rating",
    "TermContribution",
]

LAPSED_STATUSES = frozenset({"lapsed", "invalid", "expired", "失效", "无效", "终止", "届满"})
VALUE_GRADES = {"A": 1.0, "B": 2 / 3, "C": 1 / 3, "D": 0.0}


def _tuple(values: object) -> tuple[str, ...]:
    if isinstance(values, str):
        return (values,) if values else ()
    return tuple(str(v) for v in values or ())  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class PatentDoc:
    """A patent on offer.  Only ``id`` is required; empty fields are neutral.

    ``ipc_codes`` are full codes (``H01M10/052``) or subclasses (``H01M``).
    ``modes`` are the transaction modes offered (any strings the service uses, e.g.
    ``"transfer"``, ``"license"``); ``open_license`` marks 开放许可 patents, which count
    as offering ``"license"``.  ``legal_status`` in ``LAPSED_STATUSES`` is excluded by
    default.  ``value_grade`` is ``"A"``..``"D"`` or empty.  ``industries`` are category
    tags (e.g. 战略性新兴产业 codes) for filters; ``grant_date`` is ISO ``YYYY-MM-DD``.
    """

    id: str
    title: str = ""
    abstract: str = ""
    claim: str = ""
    ipc_codes: tuple[str, ...] = ()
    patent_type: str = ""
    region: str = ""
    institution_id: str = ""
    modes: frozenset[str] = frozenset()
    open_license: bool = False
    legal_status: str = ""
    value_grade: str = ""
    industries: tuple[str, ...] = ()
    grant_date: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "ipc_codes", _tuple(self.ipc_codes))
        object.__setattr__(self, "modes", frozenset(self.modes))
        object.__setattr__(self, "industries", _tuple(self.industries))


@dataclass(frozen=True, slots=True)
class NeedDoc:
    """An enterprise need (技术需求).  Only ``id`` is required.

    ``modes`` are the wanted transaction modes; ``regions`` the preferred provinces;
    ``region`` the enterprise's own province (counts as preferred); with
    ``cross_region=False`` patents outside those provinces are filtered out.
    """

    id: str
    title: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    ipc_hints: tuple[str, ...] = ()
    modes: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    region: str = ""
    cross_region: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "keywords", _tuple(self.keywords))
        object.__setattr__(self, "ipc_hints", _tuple(self.ipc_hints))
        object.__setattr__(self, "modes", frozenset(self.modes))
        object.__setattr__(self, "regions", frozenset(self.regions))


@dataclass(frozen=True, slots=True)
class Filters:
    """Hard filters, applied to the whole index before top-k.

    Empty fields do not filter.  ``ipc_prefixes`` match any of a document's codes by
    prefix (``"H01M"``, ``"H01M10/"``, ``"H"``); ``modes`` keeps documents offering at
    least one of them; lapsed patents are dropped unless ``include_lapsed``.
    ``industries`` keeps documents tagged with any of them; ``legal_statuses`` keeps the
    exact ``legal_status`` values listed; ``open_license_only`` keeps open-licence
    patents; ``granted_after`` (ISO date) keeps patents granted strictly after it.
    ``only_ids`` keeps those documents only (a push run's selected patents); its mask is
    cached per snapshot like the others, so reuse one ``Filters`` across queries.
    """

    ipc_prefixes: tuple[str, ...] = ()
    regions: frozenset[str] = field(default_factory=frozenset)
    patent_types: frozenset[str] = field(default_factory=frozenset)
    modes: frozenset[str] = field(default_factory=frozenset)
    institution_ids: frozenset[str] = field(default_factory=frozenset)
    exclude_ids: frozenset[str] = field(default_factory=frozenset)
    only_ids: frozenset[str] = field(default_factory=frozenset)
    include_lapsed: bool = False
    industries: frozenset[str] = field(default_factory=frozenset)
    legal_statuses: frozenset[str] = field(default_factory=frozenset)
    open_license_only: bool = False
    granted_after: str = ""


class Rating(NamedTuple):
    """Aggregated 产业化前景评价 of one patent: ``raters`` and their ``mean`` score on
    the 1–5 scale (each rater's score: the mean of their dimensions)."""

    raters: int
    mean: float


class PeerIntent(NamedTuple):
    """A positive intent (转让, 许可, …) on ``patent`` by an enterprise similar to the
    asking one; ``weight`` in [0, 1] is that similarity (1 for the asker itself) and
    ``intent`` the service's intent name, used in the Chinese explanation."""

    patent: str
    weight: float
    intent: str = ""


@dataclass(frozen=True, slots=True)
class Feedback:
    """Feedback signals for one query, as plain data gathered by the caller.

    ``ratings``: patent id → :class:`Rating` (a ranking feature, neutral when absent);
    ``liked``: positive intents of similar enterprises (patents similar to them get a
    small bounded boost); ``excluded``: patent ids never returned (e.g. 无需求).
    """

    ratings: Mapping[str, Rating] = field(default_factory=dict)
    liked: tuple[PeerIntent, ...] = ()
    excluded: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "liked", tuple(self.liked))
        object.__setattr__(self, "excluded", frozenset(str(i) for i in self.excluded))


class TermContribution(NamedTuple):
    """A word or phrase of the query (as written there) behind the text score.

    ``contribution`` is the part of the match score credited to it; ``share`` its part of
    the text evidence shown: the shares of an explanation's terms sum to 1."""

    term: str
    contribution: float
    share: float = 0.0


class IpcEvidence(NamedTuple):
    """An IPC subclass behind the IPC feature.

    ``source`` is ``"shared"`` (document and query both carry it), ``"predicted"``
    (predicted from the query text and carried by the document) or ``"hint"``.
    """

    code: str
    title: str
    source: str
    probability: float
    share: float = 0.0  # of the match score (0 from predict_ipc)


class FeatureContribution(NamedTuple):
    """One fused feature: its raw value, ``weight * value`` and its share of the score.

    Values are in [0, 1], except ``rating`` in [-1, 1] (0 = neutral prior).  The
    contributions of an explanation's features add up to the match score and their
    shares to 1 (a negative rating has a negative share)."""

    feature: str
    value: float
    contribution: float
    share: float = 0.0


class Explanation(NamedTuple):
    """Why a document matched, machine-readable plus two Chinese lines.

    ``summary_zh`` says why in one line for a business reader
    (``共同技术：连铸、结晶器；分类相近：B22D 金属铸造``); ``summary`` is the detailed
    line with probabilities and feature names.  ``ipc`` lists only the subclasses that
    carried at least 5 % of the score."""

    terms: tuple[TermContribution, ...]
    ipc: tuple[IpcEvidence, ...]
    features: tuple[FeatureContribution, ...]
    summary: str
    summary_zh: str = ""


class Match(NamedTuple):
    """One ranked result.  ``explanation`` is None when explanations were not asked."""

    id: str
    score: float
    explanation: Explanation | None
