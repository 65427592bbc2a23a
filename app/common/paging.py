"""Offset pagination with a hard cap and a total, shared by every list endpoint."""

from typing import Annotated, Any, Generic, TypeVar

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


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, stmt: Select[Any], paging: PageParams) -> dict[str, Any]:
    """One page of ``stmt`` (already filtered and ordered) with the unpaged total.

    Returns a plain dict shaped like ``Page``; the route's response model validates the ORM
    rows into read schemas.
    """
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(paging.limit).offset(paging.offset)).all()
    return {
        "items": list(rows),
        "total": int(total or 0),
        "limit": paging.limit,
        "offset": paging.offset,
    }
