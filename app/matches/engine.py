"""The match index inside the service, and how every worker keeps it current.

Each process holds three matchers: patents (need or profile → patents), open needs
(patent → needs) and enterprise profiles (patent → enterprises, ``app.profiles``).
Consistency across uvicorn workers comes from the ``index_changes`` outbox that the flush
hook writes in the same transaction as each patent, need or enterprise write. Before
answering a match, a worker replays the outbox rows it has not applied yet (one indexed
query when nothing changed), re-reading the changed rows from the database. A read after
a committed write therefore sees it, whichever worker serves the read.

Rows are "settled" once older than ``SETTLE_SECONDS``: ids can commit out of order, so the
newest rows are remembered individually until no earlier id can still appear.

Incremental adds grow the vocabulary (new terms are searchable at once) but keep the
fitted statistics, classifier and LSA. When a matcher has doubled since its last fit
(e.g. a pool imported into a fresh service), it is refitted from the database, so its
models never describe less than half of what it indexes.
"""

import fcntl
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from app.common.reference import ipc_titles
from app.db import utcnow
from app.matches import docs
from app.matches.models import IndexChange
from app.needs.models import Need
from app.patents.models import Patent
from app.profiles.builder import profile_doc, profiles_by_id
from matching import (
    IndexMismatchError,
    Matcher,
    NeedDoc,
    PatentDoc,
    corpus_fingerprint,
    load,
    save,
)

log = logging.getLogger("panhuo.index")
SETTLE_SECONDS = 60


@dataclass(frozen=True)
class IndexStatus:
    version: int  # highest change-log id applied
    patents: int
    needs: int
    profiles: int
    last_refit: datetime | None


class MatchEngine:
    def __init__(self, index_dir: Path | None) -> None:
        self.index_dir = index_dir
        self.patents: Matcher | None = None
        self.needs: Matcher | None = None
        self.profiles: Matcher | None = None  # enterprise profiles, by enterprise id
        self._need_owner: dict[int, int] = {}  # need id → enterprise id
        self._settled = 0
        self._recent: set[int] = set()
        self._version = 0
        self._last_refit: datetime | None = None
        self._fitted = {"patents": 0, "needs": 0, "profiles": 0}
        self._lock = threading.Lock()

    def status(self) -> IndexStatus:
        return IndexStatus(
            self._version,
            len(self.patents or ()),
            len(self.needs or ()),
            len(self.profiles or ()),
            self._last_refit,
        )

    def start(self, session: Session) -> None:
        """Load the saved index when it matches the database, else build it."""
        # Under the index-directory lock: with several workers starting together, the first
        # builds and saves, the others wait and load its files instead of fitting again.
        with self._lock, _dir_lock(self.index_dir):
            mark = _latest_change(session)
            loaded = self._load_docs(session)
            if not self._load_saved(*loaded):
                self._fit(*loaded)
                self._save_unlocked()
            self._settled = self._version = mark
            self._recent = set()

    def rebuild(self, session: Session) -> IndexStatus:
        """Refit both matchers from the database (the periodic refit) and save them."""
        with self._lock:
            mark = _latest_change(session)
            self._fit(*self._load_docs(session))
            self._settled = self._version = max(mark, self._version)
            self._recent = set()
            with _dir_lock(self.index_dir):
                self._save_unlocked()
        return self.status()

    def catch_up(self, session: Session) -> None:
        rows = session.execute(
            select(IndexChange.id, IndexChange.kind, IndexChange.doc_id, IndexChange.at)
            .where(IndexChange.id > self._settled)
            .order_by(IndexChange.id)
        ).all()
        if not rows:
            return
        with self._lock:
            fresh = [r for r in rows if r.id not in self._recent]
            if fresh:
                self._apply(session, fresh)
                self._recent.update(r.id for r in fresh)
                self._version = max(self._version, max(r.id for r in fresh))
            self._settle(rows)

    def _settle(self, rows: Sequence[Row[int, str, int, datetime]]) -> bool:
        cutoff = utcnow() - timedelta(seconds=SETTLE_SECONDS)
        moved = False
        for row in rows:
            if row.at > cutoff or row.id not in self._recent:
                break
            self._settled = row.id
            self._recent.discard(row.id)
            moved = True
        return moved

    def _apply(self, session: Session, rows: Sequence[Row[int, str, int, datetime]]) -> None:
        by_kind: dict[str, set[int]] = {"patent": set(), "need": set(), "enterprise": set()}
        for row in rows:
            by_kind.setdefault(row.kind, set()).add(row.doc_id)
        # A profile holds its enterprise's needs and held patents: those changes move it.
        profiled = by_kind["enterprise"] | self._owners(session, by_kind["need"], by_kind["patent"])
        if by_kind["enterprise"]:
            by_kind["need"] |= self._needs_of(session, by_kind["enterprise"])
        empty = (
            (by_kind["patent"] and self.patents is None)
            or (by_kind["need"] and self.needs is None)
            or (profiled and self.profiles is None)
        )
        if empty:  # nothing fitted yet: fit on everything stored
            self._fit(*self._load_docs(session))
            return
        if by_kind["patent"] and self.patents is not None:
            fresh = list(docs.patents_by_id(session, list(by_kind["patent"])))
            _sync(self.patents, by_kind["patent"], fresh)
        if by_kind["need"] and self.needs is not None:
            fresh_needs = self._need_docs(docs.needs_by_id(session, list(by_kind["need"])))
            for need_id in by_kind["need"] - {int(d.id) for d in fresh_needs}:
                self._need_owner.pop(need_id, None)
            _sync(self.needs, by_kind["need"], fresh_needs)
        if profiled and self.profiles is not None:
            fresh_profiles = [profile_doc(p) for p in profiles_by_id(session, sorted(profiled))]
            _sync(self.profiles, profiled, fresh_profiles)
        if any(len(getattr(self, n) or ()) > 2 * fitted for n, fitted in self._fitted.items()):
            self._fit(*self._load_docs(session))

    def _owners(self, session: Session, need_ids: set[int], patent_ids: set[int]) -> set[int]:
        """Enterprises owning the needs (stored or just deleted) or holding the patents."""
        owners = {self._need_owner[n] for n in need_ids if n in self._need_owner}
        for ids, owner, key in (
            (need_ids, Need.enterprise_id, Need.id),
            (patent_ids, Patent.holder_enterprise_id, Patent.id),
        ):
            ordered = sorted(ids)
            for start in range(0, len(ordered), 5000):
                chunk = ordered[start : start + 5000]
                stmt = select(owner).where(key.in_(chunk), owner.is_not(None))
                owners.update(e for e in session.scalars(stmt) if e is not None)
        return owners

    def _needs_of(self, session: Session, enterprise_ids: set[int]) -> set[int]:
        stored = session.scalars(select(Need.id).where(Need.enterprise_id.in_(enterprise_ids)))
        known = {n for n, e in self._need_owner.items() if e in enterprise_ids}
        return set(stored) | known

    def _load_docs(self, session: Session) -> tuple[list[PatentDoc], list[NeedDoc], list[NeedDoc]]:
        patent_docs = list(docs.patents_by_id(session, None))
        self._need_owner = {}
        need_docs = self._need_docs(docs.needs_by_id(session, None))
        return patent_docs, need_docs, [profile_doc(p) for p in profiles_by_id(session, None)]

    def _need_docs(self, rows: Iterable[tuple[Need, str]]) -> list[NeedDoc]:
        out = []
        for need, region in rows:
            self._need_owner[need.id] = need.enterprise_id
            out.append(docs.need_doc(need, region))
        return out

    def _fit(
        self, patent_docs: list[PatentDoc], need_docs: list[NeedDoc], profile_docs: list[NeedDoc]
    ) -> None:
        titles = ipc_titles()
        self.patents = Matcher.fit(patent_docs, ipc_titles=titles) if patent_docs else None
        self.needs = Matcher.fit(need_docs, ipc_titles=titles) if need_docs else None
        self.profiles = Matcher.fit(profile_docs, ipc_titles=titles) if profile_docs else None
        self._fitted = {
            "patents": len(patent_docs),
            "needs": len(need_docs),
            "profiles": len(profile_docs),
        }
        self._last_refit = utcnow()
        log.info(
            "match index fitted: %d patents, %d needs, %d profiles",
            len(patent_docs),
            len(need_docs),
            len(profile_docs),
        )

    def _load_saved(
        self, patent_docs: list[PatentDoc], need_docs: list[NeedDoc], profile_docs: list[NeedDoc]
    ) -> bool:
        if self.index_dir is None or not patent_docs or not need_docs or not profile_docs:
            return False
        try:
            patents = load(self.index_dir / "patents", fingerprint=corpus_fingerprint(patent_docs))
            needs = load(self.index_dir / "needs", fingerprint=corpus_fingerprint(need_docs))
            profiles = load(
                self.index_dir / "profiles", fingerprint=corpus_fingerprint(profile_docs)
            )
        except IndexMismatchError as exc:
            log.info("saved match index not used: %s", exc)
            return False
        self.patents, self.needs, self.profiles = patents, needs, profiles
        self._fitted = {
            "patents": len(patent_docs),
            "needs": len(need_docs),
            "profiles": len(profile_docs),
        }
        log.info("match index loaded from %s", self.index_dir)
        return True

    def save(self) -> None:
        with self._lock, _dir_lock(self.index_dir):
            self._save_unlocked()

    def _save_unlocked(self) -> None:
        if self.index_dir is None or self.patents is None or self.needs is None:
            return
        if self.profiles is None:
            return
        save(self.patents, self.index_dir / "patents")
        save(self.needs, self.index_dir / "needs")
        save(self.profiles, self.index_dir / "profiles")


@contextmanager
def _dir_lock(index_dir: Path | None) -> Iterator[None]:
    """An exclusive lock across processes (uvicorn workers, the CLI) on the index files."""
    if index_dir is None:
        yield
        return
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _latest_change(session: Session) -> int:
    return int(session.scalar(select(func.max(IndexChange.id))) or 0)


def _sync(matcher: Matcher, ids: set[int], fresh: Sequence[PatentDoc] | Sequence[NeedDoc]) -> None:
    """Bring ``ids`` in ``matcher`` to ``fresh`` (missing from ``fresh`` = remove)."""
    present = {d.id for d in fresh}
    gone = [str(i) for i in ids if str(i) not in present and str(i) in matcher]
    if gone:
        matcher.remove(gone)
    updated = [d for d in fresh if d.id in matcher]
    if updated:
        matcher.update(updated)
    added = [d for d in fresh if d.id not in matcher]
    if added:
        matcher.add(added)
