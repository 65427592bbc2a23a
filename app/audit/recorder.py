"""Record every write in the same transaction, from the ORM flush.

Hooking the flush rather than each service means a new endpoint cannot forget to audit:
every mapped class declares ``__audit_resource__`` (a test enforces it), or ``None`` for
rows that belong to a parent (``patent_ipc``) or are the log itself.
"""

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.audit.models import AuditEntry
from app.auth.principal import SYSTEM, Principal
from app.common import bulk
from app.db import utcnow

ACTOR_KEY = "actor"


def _changed_fields(obj: Any) -> list[str]:
    state = inspect(obj)
    return sorted(
        attr.key
        for attr in state.attrs
        if attr.history.has_changes() and attr.key not in ("updated_at", "created_at")
    )


def _entries(session: Session) -> list[dict[str, Any]]:
    actor: Principal = session.info.get(ACTOR_KEY, SYSTEM)
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            resource = getattr(obj, "__audit_resource__", None)
            if resource is None:
                continue
            fields = _changed_fields(obj) if action == "update" else []
            if action == "update" and not fields:
                continue
            rows.append({"resource_type": resource, "action": action, "fields": fields, "obj": obj})
    return [
        {
            "at": utcnow(),
            "key_id": actor.key_id,
            "role": actor.role.value,
            "request_id": actor.request_id,
            **row,
        }
        for row in rows
    ]


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    # Field histories are only readable before the flush resets them.
    session.info.setdefault("_audit_pending", []).extend(_entries(session))


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    pending = session.info.pop("_audit_pending", [])
    if not pending:
        return
    values = []
    for row in pending:
        obj = row.pop("obj")
        # New rows get their key during the flush, before their identity is registered.
        key = inspect(obj).mapper.primary_key_from_instance(obj)
        row["resource_id"] = ",".join(str(v) for v in key)
        values.append(row)
    _write(session, values)


def record_created(session: Session, resource_type: str, ids: list[int]) -> None:
    """Audit rows for rows inserted in bulk with Core, which bypasses the flush hook."""
    actor: Principal = session.info.get(ACTOR_KEY, SYSTEM)
    at = utcnow()
    _write(
        session,
        [
            {
                "at": at,
                "key_id": actor.key_id,
                "role": actor.role.value,
                "request_id": actor.request_id,
                "resource_type": resource_type,
                "action": "create",
                "fields": [],
                "resource_id": str(i),
            }
            for i in ids
        ],
    )


def _write(session: Session, values: list[dict[str, Any]]) -> None:
    # Core insert (COPY on PostgreSQL) on the session's own connection: no ORM objects are
    # added mid-flush, and an import's thousands of rows skip building huge INSERTs.
    bulk.insert_rows(session, AuditEntry, values)


def install(session_class: type[Session] = Session) -> None:
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)
