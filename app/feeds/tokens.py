"""Secret Atom feed URLs (``/v1/feeds/{token}.atom``) for feed readers.

Feed readers cannot send a Bearer key, so the URL itself is the credential: 32 random
bytes, shown once when created. Only the SHA-256 is stored (as for API keys), so a leaked
database does not leak working URLs; rotating replaces it and revoking deletes it. A URL
grants reading one enterprise's Atom feed and nothing else.
"""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.service import hash_key
from app.common.messages import Msg
from app.db import utcnow
from app.errors import NotFound
from app.feeds.models import FeedToken
from app.feeds.schemas import FeedTokenCreated
from app.feeds.service import enterprise

PREFIX = "pf_"


def feed_url(base_url: str, token: str) -> str:
    return f"{base_url}/v1/feeds/{token}.atom"


def rotate(
    session: Session, actor: Principal, enterprise_id: int, base_url: str
) -> FeedTokenCreated:
    """Create the enterprise's feed URL, or replace it (the old URL stops working)."""
    enterprise(session, actor, enterprise_id, write=True)
    token = PREFIX + secrets.token_urlsafe(32)
    row = _find(session, enterprise_id)
    if row is None:
        row = FeedToken(enterprise_id=enterprise_id)
        session.add(row)
    row.token_hash, row.created_at = hash_key(token), utcnow()
    session.flush()
    return FeedTokenCreated(
        enterprise_id=enterprise_id,
        token=token,
        url=feed_url(base_url, token),
        created_at=row.created_at,
    )


def revoke(session: Session, actor: Principal, enterprise_id: int) -> None:
    """Idempotent: revoking a feed URL that does not exist changes nothing."""
    enterprise(session, actor, enterprise_id, write=True)
    row = _find(session, enterprise_id)
    if row is not None:
        session.delete(row)
        session.flush()


def resolve(session: Session, token: str) -> int:
    """The enterprise whose feed ``token`` opens; 404 for unknown and revoked tokens."""
    row = session.scalar(select(FeedToken).where(FeedToken.token_hash == hash_key(token)))
    if row is None:
        raise NotFound(Msg("订阅源地址无效或已撤销", "unknown or revoked feed URL"))
    return row.enterprise_id


def _find(session: Session, enterprise_id: int) -> FeedToken | None:
    return session.scalar(select(FeedToken).where(FeedToken.enterprise_id == enterprise_id))
