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
    responses={503: {"description": "数据库不可达或未迁移到最新 / database down or not at head"}},
)
def ready(database: Database, match_engine: AppMatchEngine) -> JSONResponse | dict[str, object]:
    """Readiness: the database answers and its schema is at the latest migration."""
    head = head_revision()
    try:
        with database.connect() as conn:
            current = current_revision(conn)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    index = match_engine.status()
    body: dict[str, object] = {
        "status": "ok" if current == head else "unavailable",
        "database": "ok",
        "migration": current,
        "head": head,
        "index": {
            "version": index.version,
            "patents": index.patents,
            "needs": index.needs,
            "last_refit": index.last_refit and index.last_refit.isoformat(),
        },
    }
    return body if current == head else JSONResponse(body, 503)
