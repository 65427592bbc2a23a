"""The index change log: which matchable documents changed, written with the change itself.

A flush hook adds a row for every patent, need and enterprise the flush creates, changes
or deletes, in the same transaction, so no write path (API, import, a future one) can
leave the match index or the feed producer behind. Writes the hook cannot see call
``touch``: Core bulk inserts, and changes to a document through a related table.
"""

from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from app.changes.models import IndexChange
from app.common import bulk
from app.db import Base, utcnow
from app.enterprises.models import Enterprise
from app.needs.models import Need
from app.patents.models import Patent

# An enterprise's change is replayed on its needs (their region is the enterprise's).
KINDS: dict[type[Base], str] = {Patent: "patent", Need: "need", Enterprise: "enterprise"}


def touch(session: Session, kind: str, doc_ids: Iterable[int]) -> None:
    """Log a change of ``doc_ids`` that the flush hook does not see."""
    at = utcnow()
    rows = [{"at": at, "kind": kind, "doc_id": doc_id} for doc_id in doc_ids]
    bulk.insert_rows(session, IndexChange, rows)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    # The session's new/dirty/deleted sets and attribute histories still describe the
    # flush here, and new rows have their ids.
    changed: dict[str, set[int]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = KINDS.get(type(obj))
        if kind is None or (obj in session.dirty and not session.is_modified(obj)):
            continue
        changed.setdefault(kind, set()).add(obj.id)
    for kind, ids in changed.items():
        touch(session, kind, sorted(ids))


def install(session_class: type[Session] = Session) -> None:
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
