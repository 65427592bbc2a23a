"""What routes depend on: the request's session, the app's settings, match engine and rate
limiter, and the scheduler of background jobs.

The one reader of ``request.app.state`` besides ``app.main``, which fills it. One
transaction per request: ``get_session`` opens it, services only flush, and it commits
when the route returns (or rolls back when it raises).
"""

from collections.abc import Iterator
from typing import Annotated, TypeVar

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.auth.ratelimit import RateLimiter
from app.common import jobs
from app.config import Settings
from app.db import begin_write
from app.matches.engine import MatchEngine

F = TypeVar("F")


def read_only(endpoint: F) -> F:
    """Mark a route that only reads although its method is not GET (POST /v1/match)."""
    endpoint.panhuo_read_only = True  # type: ignore[attr-defined]
    return endpoint


def get_session(request: Request) -> Iterator[Session]:
    with session_factory(request)() as session, session.begin():
        # Unsafe methods write: take SQLite's write lock up front. Read-only POSTs must
        # not, or every match request would queue behind every other one.
        endpoint = request.scope.get("endpoint")
        if request.method not in ("GET", "HEAD", "OPTIONS") and not getattr(
            endpoint, "panhuo_read_only", False
        ):
            begin_write(session)
        yield session


def session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


def job_scheduler(request: Request, background: BackgroundTasks) -> jobs.Schedule:
    """Queues a job to run after the response, so after the request's transaction commits;
    the job opens its own sessions."""
    return jobs.scheduler(background.add_task, session_factory(request))


def app_settings(request: Request) -> Settings:
    # Read per request, not captured: tests swap an app's settings.
    settings: Settings = request.app.state.settings
    return settings


async def match_engine(request: Request) -> MatchEngine:  # async: no threadpool hop
    engine: MatchEngine = request.app.state.match_engine
    return engine


def rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def database(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


# scope="function": commit before the response is sent, so a failed commit is never a 200.
DBSession = Annotated[Session, Depends(get_session, scope="function")]
JobScheduler = Annotated[jobs.Schedule, Depends(job_scheduler)]
AppSettings = Annotated[Settings, Depends(app_settings)]
AppMatchEngine = Annotated[MatchEngine, Depends(match_engine)]
AppRateLimiter = Annotated[RateLimiter, Depends(rate_limiter)]
Database = Annotated[Engine, Depends(database)]
