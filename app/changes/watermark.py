"""How far a reader of the change log has come, when ids commit out of order.

Change ids are allocated when a row is inserted but become visible when its transaction
commits, so a row with a smaller id can appear after a larger one was read. A reader
therefore keeps a *mark* below which it has handled everything, and remembers the ids
above it that it already handled. A row is settled, and the mark passes it, once it is
older than ``SETTLE``: by then no transaction that could still commit an earlier id is
assumed to be running. The match engine (per process) and the feed producer (persisted,
across processes) read the log this way.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from app.changes.models import IndexChange
from app.db import utcnow

SETTLE = timedelta(seconds=60)
Change = Row[int, datetime, str, int]  # id, at, kind, doc_id: a row of ``Watermark.pending``


@dataclass
class Watermark:
    mark: int = 0  # every change up to this id is handled
    _handled: set[int] = field(default_factory=set, init=False)  # handled ids above the mark

    def pending(self, kind: str | None = None) -> Select[int, datetime, str, int]:
        """The changes past the mark, in id order (``kind``: of that kind only)."""
        stmt = (
            select(IndexChange.id, IndexChange.at, IndexChange.kind, IndexChange.doc_id)
            .where(IndexChange.id > self.mark)
            .order_by(IndexChange.id)
        )
        return stmt if kind is None else stmt.where(IndexChange.kind == kind)

    def unhandled(self, rows: Sequence[Change]) -> list[Change]:
        return [row for row in rows if row.id not in self._handled]

    def handled(self, ids: Iterable[int]) -> None:
        self._handled.update(ids)

    def settle(self, rows: Sequence[Change]) -> bool:
        """Pass the handled rows older than ``SETTLE`` at the head of ``rows`` (id order)."""
        cutoff, mark = utcnow() - SETTLE, self.mark
        for row in rows:
            if row.at > cutoff or row.id not in self._handled:
                break
            mark = row.id
        return self.advance(mark)

    def advance(self, mark: int) -> bool:
        """Move the mark up to ``mark`` (another reader's, or a rebuild's); never back."""
        if mark <= self.mark:
            return False
        self.mark = mark
        self._handled = {i for i in self._handled if i > mark}
        return True

    def reset(self, mark: int) -> None:
        """Everything up to ``mark`` is handled and nothing after it (a fresh index)."""
        self.mark, self._handled = mark, set()


def latest_id(session: Session) -> int:
    """The newest change's id (0 when there is none): where a fresh reader starts."""
    return int(session.scalar(select(func.max(IndexChange.id))) or 0)
