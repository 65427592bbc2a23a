"""Enterprise profiles (企业画像) in bulk: one matchable document per enterprise.

A profile gathers, per source, what an enterprise makes and looks for: 主营产品, its
经营范围 without boilerplate, 企业简介, its GB/T 4754 class, the patents it holds or has
licensed, its open needs and the patents it answered with a positive intent. Built for
the whole directory at once (100k+ enterprises): enterprises are read in key ranges and
every source is one query per range, never one per enterprise.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, TypeVar, get_args

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.deals.models import Deal, DealPatent, DealStatus
from app.enterprises.models import Enterprise
from app.feedback.models import POSITIVE, Feedback
from app.licenses.models import OpenLicense, OpenLicenseAcceptance
from app.needs.models import Need, NeedStatus
from app.patents.models import Patent, PatentIpc
from app.profiles.schemas import Source
from app.profiles.text import clean_scope, industry_text
from matching import EmptyQueryError, Matcher, NeedDoc

BATCH = 2000
# A profile is a query too: beyond these, more titles add length, not evidence.
MAX_PATENTS = 30  # per patent source, newest first
MAX_NEEDS = 20
MAX_AREAS = 20  # most frequent IPC subclasses kept as hints
PREDICTED_AREAS = 1  # DEFAULT_HINTS of matching.tools.reverse, chosen on need-dev

# Deals from signing on give the enterprise the patent or a licence on it.
HOLDING = (
    DealStatus.signed,
    DealStatus.registered,
    DealStatus.implemented,
    DealStatus.industrialized,
)
# Sources, in the order they are written into the document.
SOURCES: tuple[Source, ...] = get_args(Source)
# Sources made of enterprise needs: confidential to the enterprise (an institution never
# reads them, not even through a profile's terms).
NEED_SOURCES = frozenset({"needs"})


@dataclass
class Profile:
    enterprise_id: int
    region: str = ""  # province prefix of the enterprise's region code
    industry_code: str = ""
    texts: dict[str, list[str]] = field(default_factory=dict)  # source → pieces of text
    ipc: dict[str, list[str]] = field(default_factory=dict)  # source → IPC codes
    keywords: list[str] = field(default_factory=list)  # of its open needs
    patents: dict[str, list[int]] = field(default_factory=dict)  # source → patent ids
    modes: set[str] = field(default_factory=set)  # wanted by its open needs

    @property
    def sources(self) -> list[str]:
        return [s for s in SOURCES if self.texts.get(s) or self.ipc.get(s)]

    def add(
        self, source: str, text: str, codes: Sequence[str] = (), patent: int | None = None
    ) -> None:
        if patent is not None:
            self.patents.setdefault(source, []).append(patent)
        if text:
            self.texts.setdefault(source, []).append(text)
        if codes:
            self.ipc.setdefault(source, []).extend(codes)

    def areas(self, without: frozenset[str] = frozenset()) -> list[str]:
        """Its IPC subclasses, most frequent first."""
        counts = Counter(c[:4] for s, cs in self.ipc.items() if s not in without for c in cs)
        return [c for c, _ in counts.most_common(MAX_AREAS)]


# Text → predicted IPC subclasses (``areas_from``), for profiles without codes of their own.
Areas = Callable[[str], Sequence[str]]


def areas_from(patents: Matcher | None) -> Areas | None:
    """The patent index's classifier as an ``Areas``: the top ``PREDICTED_AREAS``."""
    if patents is None:
        return None

    def predict(text: str) -> list[str]:
        try:
            return [e.code for e in patents.predict_ipc(text, top=PREDICTED_AREAS)]
        except EmptyQueryError:  # no term the patent index knows
            return []

    return predict


def profile_doc(
    p: Profile, without: frozenset[str] = frozenset(), areas: Areas | None = None
) -> NeedDoc:
    """The matcher's document for a profile (``without``: sources left out).

    The title is 主营产品 alone (the title field weighs double; the company name only
    adds noise). IPC hints are the enterprise's subclasses: the agreement of a query
    patent's subclasses with them is the ranking's strongest signal, so an enterprise
    with no coded source gets the subclasses ``areas`` predicts for its text."""
    parts = {s: "。".join(t) for s, t in p.texts.items() if s not in without}
    title = parts.get("main_products", "")
    body = "。".join(parts[s] for s in SOURCES if s in parts and s != "main_products")
    hints = p.areas(without)
    if not hints and areas is not None and (title or body):
        hints = list(areas(f"{title}。{body}"))
    needs = "needs" not in without
    return NeedDoc(
        id=str(p.enterprise_id),
        title=title,
        description=body,
        keywords=tuple(p.keywords) if needs else (),
        ipc_hints=tuple(hints),
        modes=frozenset(p.modes) if needs else frozenset(),
        region=p.region,
    )


def profiles_by_id(session: Session, ids: Sequence[int] | None) -> Iterator[Profile]:
    """Profiles of the given enterprises (all when ``ids`` is None), in id order."""
    chunks: Iterator[Sequence[int] | None] = (
        iter([None]) if ids is None else (ids[i : i + BATCH] for i in range(0, len(ids), BATCH))
    )
    for chunk in chunks:
        stmt = select(
            Enterprise.id,
            Enterprise.region_code,
            Enterprise.industry_code,
            Enterprise.main_products,
            Enterprise.business_scope,
            Enterprise.description,
        ).order_by(Enterprise.id)
        if chunk is not None:
            stmt = stmt.where(Enterprise.id.in_(chunk))
        result = session.execute(stmt.execution_options(yield_per=BATCH))
        for rows in result.partitions():
            yield from _build(session, rows, chunk)


_Stmt = TypeVar("_Stmt", bound=Select[*tuple[Any, ...]])


class _Span(NamedTuple):
    """Enterprises ``first``..``last`` (of ``chunk`` only, when some are rebuilt)."""

    first: int
    last: int
    chunk: Sequence[int] | None

    def where(self, stmt: _Stmt, column: InstrumentedAttribute[Any]) -> _Stmt:
        # A key range: an IN list of thousands of ids costs more to render than to run.
        stmt = stmt.where(column.between(self.first, self.last))
        return stmt.where(column.in_(self.chunk)) if self.chunk is not None else stmt


def _build(session: Session, rows: Sequence[Any], chunk: Sequence[int] | None) -> list[Profile]:
    out: dict[int, Profile] = {}
    for ent, region, industry, products, scope, description in rows:
        p = out[ent] = Profile(ent, (region or "")[:2], industry or "")
        p.add("main_products", (products or "").strip())
        p.add("business_scope", clean_scope(scope))
        p.add("description", (description or "").strip())
        p.add("industry", industry_text(industry))
    span = _Span(rows[0][0], rows[-1][0], chunk)
    patents = _patent_sources(session, span)
    codes = _ipc(session, {pid for _, _, pid, _ in patents})
    for source, ent, pid, title in patents:
        if ent in out:
            out[ent].add(source, title, codes.get(pid, []), pid)
    _add_needs(session, span, out)
    return list(out.values())


def _add_needs(session: Session, span: _Span, out: dict[int, Profile]) -> None:
    columns = (Need.title, Need.description, Need.keywords, Need.ipc_hints, Need.wanted_modes)
    for ent, title, description, keywords, hints, modes in session.execute(
        span.where(
            select(Need.enterprise_id, *columns)
            .where(Need.status == NeedStatus.open)
            .order_by(Need.enterprise_id, Need.id.desc()),
            Need.enterprise_id,
        )
    ):
        owner = out.get(ent)
        if owner is not None and len(owner.texts.get("needs", ())) < MAX_NEEDS:
            owner.add("needs", "：".join(x for x in (title, description) if x), hints)
            owner.keywords.extend(k for k in keywords if k not in owner.keywords)
            owner.modes.update(modes)


def _patent_sources(session: Session, span: _Span) -> list[tuple[str, int, int, str]]:
    """(source, enterprise, patent, title) of held, licensed and positively-answered
    patents, newest first and at most ``MAX_PATENTS`` per enterprise and source."""
    today = date.today()
    licensed = select(Deal.enterprise_id, Patent.id, Patent.title).join(
        DealPatent, DealPatent.deal_id == Deal.id
    )
    accepted = select(OpenLicenseAcceptance.enterprise_id, Patent.id, Patent.title).join(
        OpenLicense, OpenLicense.id == OpenLicenseAcceptance.open_license_id
    )
    intents = select(Feedback.enterprise_id, Patent.id, Patent.title)
    queries: list[tuple[str, InstrumentedAttribute[Any], Select[Any, int, str]]] = [
        (
            "patents_held",
            Patent.holder_enterprise_id,
            select(Patent.holder_enterprise_id, Patent.id, Patent.title),
        ),
        (
            "patents_licensed",
            Deal.enterprise_id,
            licensed.join(Patent, Patent.id == DealPatent.patent_id).where(
                Deal.status.in_(HOLDING)
            ),
        ),
        (
            "patents_licensed",  # an accepted open licence still in force
            OpenLicenseAcceptance.enterprise_id,
            accepted.join(Patent, Patent.id == OpenLicense.patent_id).where(
                OpenLicenseAcceptance.ends_on >= today
            ),
        ),
        (
            "intents",
            Feedback.enterprise_id,
            intents.join(Patent, Patent.id == Feedback.patent_id).where(
                Feedback.is_current.is_(True), Feedback.intent.in_(POSITIVE)
            ),
        ),
    ]
    out: list[tuple[str, int, int, str]] = []
    seen: set[tuple[str, int, int]] = set()
    counts: Counter[tuple[str, int]] = Counter()
    for source, owner, stmt in queries:
        rows = session.execute(span.where(stmt.order_by(Patent.id.desc()), owner))
        for ent, pid, title in rows:
            if (source, ent, pid) in seen or counts[source, ent] >= MAX_PATENTS:
                continue
            seen.add((source, ent, pid))
            counts[source, ent] += 1
            out.append((source, ent, pid, title))
    return out


def _ipc(session: Session, patent_ids: set[int]) -> dict[int, list[str]]:
    ids = sorted(patent_ids)
    codes: dict[int, list[str]] = {}
    for start in range(0, len(ids), 5000):
        stmt = select(PatentIpc.patent_id, PatentIpc.code).where(
            PatentIpc.patent_id.in_(ids[start : start + 5000])
        )
        for pid, code in session.execute(stmt.order_by(PatentIpc.patent_id, PatentIpc.position)):
            codes.setdefault(pid, []).append(code)
    return codes
