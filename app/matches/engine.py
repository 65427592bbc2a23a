"""The match index inside the service, and how every worker keeps it current.

Each process holds named matchers (``MATCHERS``): patents (need or profile → patents),
open needs (patent → needs) and enterprise profiles (patent → enterprises,
``app.profiles``). Their saved arrays are files every worker maps read-only
(``matching.load(mmap=True)``): the pages are shared through the OS page cache; each
worker holds privately only its incremental segments and small tables (ids, vocabulary).

Consistency across uvicorn workers and hosts comes from the change log (``app.changes``),
written in the same transaction as each patent, need or enterprise write.
Before answering a match, a worker replays the change rows it has not applied yet (one
indexed query when nothing changed), re-reading the changed rows from the database. A read
after a committed write therefore sees it, whichever worker or host serves the read. A
saved index records the change id it reflects (its ``mark``): a worker that maps it
replays the changes after the mark, so a saved index never goes stale, only behind.

Ids can commit out of order: the ``Watermark`` remembers the newest changes individually
until no earlier one can appear.

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
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.changes.watermark import Change, Watermark, latest_id
from app.common.messages import Msg
from app.common.reference import ipc_titles
from app.db import utcnow
from app.errors import DomainError
from app.matches import index_check, matcher_documents
from app.needs.models import Need
from app.patents.models import Patent
from app.profiles.builder import areas_from, profile_doc, profiles_by_id
from matching import (
    IndexMismatchError,
    Matcher,
    MatcherConfig,
    NeedDoc,
    PatentDoc,
    load,
    save,
    saved_label,
)

log = logging.getLogger("panhuo.index")
MATCHERS = ("patents", "needs", "profiles")  # every matcher the engine holds, saves, maps
# Enterprise documents queried by patents: chosen on need-dev read in reverse.
PROFILE_CONFIG = MatcherConfig.enterprises()


class IndexNotReady(DomainError):
    status = 503
    title = "Service unavailable"

    def __init__(self) -> None:
        super().__init__(
            Msg("匹配索引正在建立，请稍后重试", "the match index is being built; retry shortly"),
            headers={"Retry-After": "10"},
        )


@dataclass(frozen=True)
class IndexStatus:
    version: int  # highest change-log id applied
    patents: int
    needs: int
    profiles: int
    last_refit: datetime | None
    state: str = "ready"  # starting → ready, or failed


class MatchEngine:
    def __init__(self, index_dir: Path | None, mmap: bool = True) -> None:
        self.index_dir = index_dir
        self.mmap = mmap
        self.patents: Matcher | None = None
        self.needs: Matcher | None = None
        self.profiles: Matcher | None = None  # enterprise profiles, by enterprise id
        self._need_owner: dict[int, int] = {}  # need id → enterprise id
        self._watermark = Watermark()
        self._version = 0
        self._last_refit: datetime | None = None
        self._fitted = dict.fromkeys(MATCHERS, 0)
        self._lock = threading.Lock()
        self._state = "starting"
        self._started = threading.Event()  # ready or failed
        # The matchers as mapped and their mark, until checked against the database.
        self._unverified: tuple[dict[str, Matcher], int] | None = None

    @property
    def ready(self) -> bool:
        return self._state == "ready"

    def status(self) -> IndexStatus:
        return IndexStatus(
            self._version,
            len(self.patents or ()),
            len(self.needs or ()),
            len(self.profiles or ()),
            self._last_refit,
            self._state,
        )

    def start(self, session: Session) -> None:
        """Map the saved index and replay the changes after its mark, else build it."""
        # Under the index-directory lock: with several workers starting together, the first
        # builds and saves, the others wait and map its files instead of fitting again.
        with self._lock, _dir_lock(self.index_dir):
            if not self._load_saved(session):
                mark = latest_id(session)
                self._refit(session)
                self._watermark.reset(mark)
                self._version = mark
                if self._save_unlocked(replace=True):  # what was on disk could not be used
                    self._remap()
        self._state = "ready"

    def start_in_background(self, factory: sessionmaker[Session]) -> threading.Thread:
        """``start`` on a thread: the service answers /health (and /ready: not ready) while
        the index is mapped or built."""

        def run() -> None:
            try:
                with factory() as session, session.begin():
                    self.start(session)
            except Exception:
                self._state = "failed"
                log.exception("match index start failed")
                return
            finally:
                self._started.set()
            try:
                with factory() as session, session.begin():
                    self.verify(session)
            except Exception:
                log.exception("checking the mapped match index failed")

        thread = threading.Thread(target=run, name="panhuo-index-start", daemon=True)
        thread.start()
        return thread

    def wait_started(self, timeout: float) -> bool:
        return self._started.wait(timeout)

    def verify(self, session: Session) -> bool:
        """The fingerprint check of a mapped start (``index_check``); rebuilds on a
        mismatch. Whether the mapped files matched (True when nothing was mapped)."""
        unverified, self._unverified = self._unverified, None
        if unverified is None:
            return True
        bad = index_check.differing(session, *unverified)
        if bad:
            log.warning("saved %s index differs from the database: rebuilding", bad)
            self.rebuild(session)
        return not bad

    def rebuild(self, session: Session) -> IndexStatus:
        """Refit every matcher from the database aside, swap them in, save them.

        Reads go on against the current matchers during the fit; changes written
        meanwhile are after ``mark`` and are replayed onto the new ones."""
        mark = latest_id(session)
        built, owners = self._build(session)
        with self._lock:
            self._install(built, owners)
            self._watermark.reset(mark)
            self._version = mark
        with self._lock, _dir_lock(self.index_dir):
            if self._save_unlocked(replace=True):
                self._remap()
        return self.status()

    def catch_up(self, session: Session) -> None:
        if not self.ready:
            raise IndexNotReady()
        rows = session.execute(self._watermark.pending()).all()
        if not rows:
            return
        with self._lock:
            self._replay(session, rows)

    def _replay(self, session: Session, rows: Sequence[Change]) -> None:
        fresh = self._watermark.unhandled(rows)
        if fresh:
            self._apply(session, fresh)
            self._watermark.handled(r.id for r in fresh)
            self._version = max(self._version, max(r.id for r in fresh))
        self._watermark.settle(rows)

    def _apply(self, session: Session, rows: Sequence[Change]) -> None:
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
            self._refit(session)
            return
        if by_kind["patent"] and self.patents is not None:
            fresh = list(matcher_documents.patents_by_id(session, list(by_kind["patent"])))
            _sync(self.patents, by_kind["patent"], fresh)
        if by_kind["need"] and self.needs is not None:
            fresh_needs = self._need_docs(
                matcher_documents.needs_by_id(session, list(by_kind["need"]))
            )
            for need_id in by_kind["need"] - {int(d.id) for d in fresh_needs}:
                self._need_owner.pop(need_id, None)
            _sync(self.needs, by_kind["need"], fresh_needs)
        if profiled and self.profiles is not None:
            areas = areas_from(self.patents)
            fresh_profiles = [
                profile_doc(p, areas=areas) for p in profiles_by_id(session, sorted(profiled))
            ]
            _sync(self.profiles, profiled, fresh_profiles)
        if any(len(getattr(self, n) or ()) > 2 * fitted for n, fitted in self._fitted.items()):
            self._refit(session)

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

    def _build(self, session: Session) -> tuple[dict[str, Matcher | None], dict[int, int]]:
        """Every matcher fitted on the documents as stored, and the owner of each need."""
        owners: dict[int, int] = {}
        need_docs = []
        for need, region in matcher_documents.needs_by_id(session, None):
            owners[need.id] = need.enterprise_id
            need_docs.append(matcher_documents.need_doc(need, region))
        patents = _fit(list(matcher_documents.patents_by_id(session, None)))
        # After the patents: a profile without IPC codes gets the areas they predict.
        areas = areas_from(patents)
        profile_docs = [profile_doc(p, areas=areas) for p in profiles_by_id(session, None)]
        built = {
            "patents": patents,
            "needs": _fit(need_docs),
            "profiles": _fit(profile_docs, PROFILE_CONFIG),
        }
        return built, owners

    def _need_docs(self, rows: Iterable[tuple[Need, str]]) -> list[NeedDoc]:
        out = []
        for need, region in rows:
            self._need_owner[need.id] = need.enterprise_id
            out.append(matcher_documents.need_doc(need, region))
        return out

    def _refit(self, session: Session) -> None:
        self._install(*self._build(session))

    def _install(self, matchers: dict[str, Matcher | None], owners: dict[int, int]) -> None:
        for name in MATCHERS:
            setattr(self, name, matchers[name])
        self._need_owner = owners
        sizes = {name: len(matcher or ()) for name, matcher in matchers.items()}
        self._fitted = sizes
        self._last_refit = utcnow()
        log.info("match index fitted: %s", sizes)

    def _load_saved(self, session: Session) -> bool:
        """Map every saved matcher and replay the changes after the oldest mark."""
        if self.index_dir is None:
            return False
        index_dir = self.index_dir
        marks = [saved_label(index_dir / name).get("mark") for name in MATCHERS]
        if not all(isinstance(m, int) for m in marks):
            return False
        try:
            loaded = {n: load(index_dir / n, mmap=self.mmap) for n in MATCHERS}
        except IndexMismatchError as exc:
            log.warning("saved match index not used (rebuilding): %s", exc)
            return False
        for name, matcher in loaded.items():
            setattr(self, name, matcher)
        mark = min(int(m) for m in marks if m is not None)
        self._unverified = ({n: Matcher(m.snapshot) for n, m in loaded.items()}, mark)
        owners = session.execute(select(Need.id, Need.enterprise_id))
        self._need_owner = {need_id: owner for need_id, owner in owners}
        self._fitted = {n: len(m) for n, m in loaded.items()}
        self._watermark.reset(mark)
        self._version = mark
        rows = session.execute(self._watermark.pending()).all()
        self._replay(session, rows)
        log.info("match index mapped from %s at change %d (+%d)", index_dir, mark, len(rows))
        return True

    def save(self) -> None:
        with self._lock, _dir_lock(self.index_dir):
            self._save_unlocked()

    def _save_unlocked(self, replace: bool = False) -> bool:
        """Save every matcher with the mark of the changes it reflects; a failed save
        (full disk) is logged and leaves the previous files in use. Unless ``replace``,
        nothing is written when the files on disk are as recent (this worker's own, or
        another worker's). Whether a new version was written."""
        if self.index_dir is None or any(getattr(self, n) is None for n in MATCHERS):
            return False
        on_disk = [saved_label(self.index_dir / n).get("mark", -1) for n in MATCHERS]
        if not replace and all(isinstance(m, int) and m >= self._watermark.mark for m in on_disk):
            return False
        try:
            for name in MATCHERS:
                save(
                    getattr(self, name), self.index_dir / name, label={"mark": self._watermark.mark}
                )
        except OSError:
            log.exception("saving the match index failed; the previous files stay in use")
            return False
        return True

    def _remap(self) -> None:
        """Swap the matchers just built and saved for the mapped files: the builder's
        private arrays are freed and it shares the pages of the other workers."""
        if not self.mmap or self.index_dir is None:
            return
        for name in MATCHERS:
            built = getattr(self, name)
            try:
                mapped = load(self.index_dir / name, fingerprint=built.fingerprint)
            except IndexMismatchError as exc:  # kept in memory; the next start maps them
                log.warning("saved %s index not mapped: %s", name, exc)
                continue
            setattr(self, name, mapped)


def _fit(
    documents: list[PatentDoc] | list[NeedDoc], config: MatcherConfig | None = None
) -> Matcher | None:
    if not documents:
        return None
    return Matcher.fit(documents, ipc_titles=ipc_titles(), config=config)


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
