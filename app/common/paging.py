"""Offset pagination with a hard cap and a total, shared by every list endpoint."""

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_LIMIT = 100


class PageParams:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数，最多 100")] = 20,
        offset: Annotated[int, Query(ge=0, le=10_000_000, description="跳过条数")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


Paging = Annotated[PageParams, Depends()]


T = TypeVar("T")
U = TypeVar("U")
Row = TypeVar("Row")


class Page(BaseModel, Generic[T]):
    """One page of a list: every list endpoint answers ``Page[<its read schema>]``."""

    items: list[T]
    total: int
    limit: int
    offset: int

    def with_items(self, items: list[U]) -> "Page[U]":
        """The same page with its rows presented in one batch (names joined in one query)."""
        return Page(items=items, total=self.total, limit=self.limit, offset=self.offset)


def paginate(
    session: Session, stmt: Select[Row], paging: PageParams, present: Callable[[Row], T]
) -> Page[T]:
    """One page of ``stmt`` (already filtered and ordered) with the unpaged total.

    ``present`` turns each row into its read schema (``NeedRead.model_validate``, or a
    function that also hides what the principal may not see).
    """
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(paging.limit).offset(paging.offset)).all()
    return Page(
        items=[present(row) for row in rows],
        total=int(total or 0),
        limit=paging.limit,
        offset=paging.offset,
    )
