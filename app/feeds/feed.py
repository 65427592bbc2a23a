"""The pull feed: cursor pages, Atom, read and acknowledge marks.

The cursor is the last item id seen. Feed items are written by one producer at a time,
each in a transaction that holds the producer lock, so ids become visible in increasing
order: an item committed while a client pages always has a larger id than every item
already visible, is never skipped and never repeated, and a client polling with its last
cursor receives exactly the items that are new since.
"""

from datetime import datetime
from typing import Any, Literal
from xml.etree import ElementTree as ET

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.params import MAX_ID
from app.db import utcnow
from app.enterprises.models import Enterprise
from app.errors import Invalid, field_error
from app.feeds import tokens
from app.feeds.models import FeedItem
from app.feeds.schemas import FeedItemRead, FeedPage, FeedPatent
from app.feeds.service import enterprise
from app.institutions.models import Institution
from app.patents.models import LegalStatus, Patent

ATOM = "http://www.w3.org/2005/Atom"
Order = Literal["asc", "desc"]
_PATENT = (
    Patent.id,
    Patent.application_number,
    Patent.title,
    Patent.legal_status,
    Patent.institution_id,
    Institution.name.label("institution_name"),
)


def items_query(
    enterprise_id: int,
) -> Select[FeedItem, int, str, str, LegalStatus, int | None, str]:
    return (
        select(FeedItem, *_PATENT)
        .join(Patent, Patent.id == FeedItem.patent_id)
        .outerjoin(Institution, Institution.id == Patent.institution_id)
        .where(FeedItem.enterprise_id == enterprise_id)
    )


def present(rows: list[Any]) -> list[FeedItemRead]:
    out = []
    for row in rows:
        item: FeedItem = row[0]
        patent = FeedPatent(
            id=row.id,
            application_number=row.application_number,
            title=row.title,
            legal_status=row.legal_status,
            institution_id=row.institution_id,
            institution_name=row.institution_name,
        )
        read = FeedItemRead.model_validate({**_columns(item), "patent": patent})
        out.append(read)
    return out


def _columns(item: FeedItem) -> dict[str, Any]:
    names = set(FeedItemRead.model_fields) - {"patent"}
    return {name: getattr(item, name) for name in names}


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    # isascii: "²".isdigit() is true but int("²") fails; the bound keeps it within bigint.
    if not (cursor.isascii() and cursor.isdigit()) or int(cursor) > MAX_ID:
        raise Invalid(
            Msg("游标无效", "invalid cursor"),
            [field_error("cursor", Msg("应为上一页返回的 next_cursor", "not a feed cursor"))],
        )
    return int(cursor)


def page(
    session: Session,
    actor: Principal,
    enterprise_id: int,
    cursor: str | None,
    limit: int,
    order: Order = "asc",
    unread: bool = False,
) -> FeedPage:
    """Oldest first after ``cursor`` (``asc``, for syncing), or newest first before it."""
    enterprise(session, actor, enterprise_id, write=False)
    after = _cursor(cursor)
    stmt = items_query(enterprise_id)
    if unread:
        stmt = stmt.where(FeedItem.read_at.is_(None))
    if order == "asc":
        stmt = stmt.where(FeedItem.id > (after or 0)).order_by(FeedItem.id)
    else:
        stmt = stmt.where(FeedItem.id < after) if after else stmt
        stmt = stmt.order_by(FeedItem.id.desc())
    items = present(list(session.execute(stmt.limit(limit)).all()))
    if items:
        next_cursor: str | None = str(items[-1].id)
    else:  # nothing (yet): polling again from the same place stays correct
        next_cursor = cursor if order == "asc" else None
    return FeedPage(items=items, next_cursor=next_cursor)


def mark(
    session: Session, actor: Principal, enterprise_id: int, item_ids: list[int], field: str
) -> int:
    """Set ``read_at`` or ``acked_at`` (acknowledging also reads) on own items; unknown
    and foreign ids are ignored, the count says how many changed."""
    enterprise(session, actor, enterprise_id, write=True)
    now = utcnow()
    column = getattr(FeedItem, field)
    values: dict[str, Any] = {field: now}
    if field == "acked_at":
        values["read_at"] = func.coalesce(FeedItem.read_at, now)
    result = session.execute(
        update(FeedItem)
        .where(
            FeedItem.enterprise_id == enterprise_id,
            FeedItem.id.in_(item_ids),
            column.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def atom(
    session: Session, actor: Principal, enterprise_id: int, base_url: str, limit: int
) -> bytes:
    """The newest ``limit`` items as an Atom 1.0 feed (RFC 4287), for a Bearer key."""
    enterprise(session, actor, enterprise_id, write=False)
    self_url = f"{base_url}/v1/enterprises/{enterprise_id}/feed.atom"
    return _atom(session, enterprise_id, base_url, self_url, limit)


def atom_by_token(session: Session, token: str, base_url: str, limit: int) -> bytes:
    """The same feed at its secret URL, for feed readers (no Bearer key)."""
    enterprise_id = tokens.resolve(session, token)
    return _atom(session, enterprise_id, base_url, tokens.feed_url(base_url, token), limit)


def _atom(session: Session, enterprise_id: int, base_url: str, self_url: str, limit: int) -> bytes:
    rows = session.execute(items_query(enterprise_id).order_by(FeedItem.id.desc()).limit(limit))
    items = present(list(rows.all()))
    company = session.get(Enterprise, enterprise_id)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"urn:panhuo:enterprise:{enterprise_id}:feed")
    _text(feed, "title", f"盘活 专利推送 · {company.name if company else enterprise_id}")
    _text(feed, "updated", _stamp(items[0].created_at if items else utcnow()))
    ET.SubElement(feed, f"{{{ATOM}}}author").append(_el("name", "Panhuo 盘活"))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", f"urn:panhuo:feed-item:{item.id}")
        _text(entry, "title", item.patent.title)
        _text(entry, "updated", _stamp(item.created_at))
        _text(entry, "published", _stamp(item.created_at))
        # Readers open links in a browser: the console page, not the JSON API.
        page = f"{base_url}/console/patents/{item.patent.id}"
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=item.reason.value)
        summary = item.explanation.get("summary") or ""
        _text(entry, "summary", f"{item.patent.application_number} · {summary}")
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml


def _el(tag: str, text: str) -> ET.Element:
    element = ET.Element(f"{{{ATOM}}}{tag}")
    element.text = text
    return element


def _text(parent: ET.Element, tag: str, text: str) -> None:
    parent.append(_el(tag, text))


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")
