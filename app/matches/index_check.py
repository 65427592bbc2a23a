"""The fingerprint check of a mapped start: saved rows against the database's.

A worker that maps saved files replays the change log after their mark instead of reading
the whole pool, so it is ready in seconds. Afterwards, on its start-up thread, it reads the
pool once and compares content hashes (``matching.corpus_fingerprint``). Rows changed since
the mark are left out on both sides: the replay brought those up to date. A difference
means the files describe another database (copied from another deployment, or a database
restored from a backup): the caller rebuilds the index.
"""

from collections.abc import Iterable, Mapping

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.changes.models import IndexChange
from app.matches import matcher_documents
from app.needs.models import Need
from matching import Matcher, NeedDoc, PatentDoc, corpus_fingerprint


def differing(session: Session, saved: Mapping[str, Matcher], mark: int) -> list[str]:
    """Names of the ``saved`` matchers (as loaded, before any replay) whose rows unchanged
    since ``mark`` differ from the database's."""
    stored: dict[str, Iterable[PatentDoc] | Iterable[NeedDoc]] = {
        "patents": matcher_documents.patents_by_id(session, None),
        "needs": (
            matcher_documents.need_doc(n, region)
            for n, region in matcher_documents.needs_by_id(session, None)
        ),
    }
    # Profiles are derived from enterprise rows and the patent index's predictions; they
    # are rebuilt with the others, so the patents and needs decide.
    saved = {name: matcher for name, matcher in saved.items() if name in stored}
    database = {name: _hashes(stored[name]) for name in saved}
    # Read after the rows: a row read above that changed since the mark had its change
    # row committed with it, so the change is in this list.
    changed = _changed_since(session, mark)
    bad = []
    for name, matcher in saved.items():
        skip = changed.get(name, set())
        ids, hashes = database[name]
        want = _xor(hashes[~np.isin(ids, np.fromiter(skip, np.int64, len(skip)))])
        snap = matcher.snapshot
        keep = snap.alive.copy()
        for doc_id in skip:
            row = snap.rows.get(str(doc_id))
            if row is not None:
                keep[row] = False
        if want != _xor(snap.hashes[keep]):
            bad.append(name)
    return bad


def _hashes(documents: Iterable[PatentDoc] | Iterable[NeedDoc]) -> tuple[np.ndarray, np.ndarray]:
    ids, hashes = [], []
    for d in documents:
        ids.append(int(d.id))
        hashes.append(int(corpus_fingerprint([d]), 16))  # type: ignore[arg-type]
    return np.asarray(ids, np.int64), np.asarray(hashes, np.uint64)


def _xor(hashes: np.ndarray) -> int:
    return int(np.bitwise_xor.reduce(hashes)) if len(hashes) else 0


def _changed_since(session: Session, mark: int) -> dict[str, set[int]]:
    """Ids per matcher with a change after ``mark`` (needs also through their enterprise)."""
    rows = session.execute(
        select(IndexChange.kind, IndexChange.doc_id).where(IndexChange.id > mark)
    ).all()
    by_kind: dict[str, set[int]] = {}
    for kind, doc_id in rows:
        by_kind.setdefault(kind, set()).add(doc_id)
    needs = by_kind.get("need", set())
    if enterprises := by_kind.get("enterprise"):
        needs |= set(session.scalars(select(Need.id).where(Need.enterprise_id.in_(enterprises))))
    return {"patents": by_kind.get("patent", set()), "needs": needs}
