from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app.deps import AppMatchEngine, Database
from app.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get(
    "/ready",
    response_model=None,
    responses={
        503: {
            "description": "数据库不可达、未迁移到最新或匹配索引尚未就绪 / database down, not at "
            "head, or the match index still starting (index.state starting or failed)"
        }
    },
)
def ready(database: Database, match_engine: AppMatchEngine) -> JSONResponse | dict[str, object]:
    """Readiness: the database answers, its schema is at the latest migration, and the
    match index is mapped or built (``index.state`` is ``ready``)."""
    head = head_revision()
    try:
        with database.connect() as conn:
            current = current_revision(conn)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    index = match_engine.status()
    ok = current == head and index.state == "ready"
    body: dict[str, object] = {
        "status": "ok" if ok else "unavailable",
        "database": "ok",
        "migration": current,
        "head": head,
        "index": {
            "state": index.state,
            "version": index.version,
            "patents": index.patents,
            "needs": index.needs,
            "last_refit": index.last_refit and index.last_refit.isoformat(),
        },
    }
    return body if ok else JSONResponse(body, 503)
