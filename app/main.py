"""Application factory. ``uvicorn app.main:app`` serves the default settings."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy.orm import Session, sessionmaker

from app.audit.endpoints import router as audit_router
from app.auth.endpoints import router as api_keys_router
from app.auth.ratelimit import RateLimiter
from app.common import jobs, reference
from app.config import Settings, get_settings
from app.console import UPLOAD_PATH as CONSOLE_UPLOAD_PATH
from app.console import install as install_console
from app.db import begin_write, make_engine, make_sessionmaker
from app.deals.endpoints import router as deals_router
from app.enterprise_imports.endpoints import router as enterprise_imports_router
from app.enterprises.endpoints import router as enterprises_router
from app.errors import install_error_handlers
from app.feedback.endpoints import router as feedback_router
from app.feeds.endpoints import feed_url_router
from app.feeds.endpoints import router as feeds_router
from app.feeds.worker import start_in_process
from app.health.endpoints import router as health_router
from app.hooks import install as install_hooks
from app.imports.endpoints import router as imports_router
from app.institutions.endpoints import router as institutions_router
from app.licenses.endpoints import router as licenses_router
from app.matches.endpoints import router as matches_router
from app.matches.engine import MatchEngine
from app.middleware import (
    API_DOCS_STATIC,
    BodySizeLimitMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from app.migrate import current_revision, head_revision
from app.needs.endpoints import router as needs_router
from app.openapi import install as install_openapi_errors
from app.patents.endpoints import router as patents_router
from app.profiles.endpoints import router as profiles_router
from app.pushes.endpoints import router as pushes_router
from app.stats.endpoints import router as stats_router

DESCRIPTION = """
盘活 Panhuo：高校和科研机构存量专利的供需匹配服务。

- 供给侧：机构 (institutions) 与可转化专利资源库 (patents)
- 需求侧：企业 (enterprises) 与技术需求 (needs)

所有错误均为 RFC 9457 `application/problem+json`，校验错误带字段级 `errors`。

认证：`Authorization: Bearer pk_…`（API 密钥）。角色 admin / portal / institution /
enterprise / province 决定可访问的接口；超出数据范围的 id 返回 404。
"""


def create_app(
    settings: Settings | None = None, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """Build the app. Tests pass a ``session_factory`` bound to their rolled-back connection."""
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, settings.sql_echo)
        app.state.engine = engine
        app.state.sessionmaker = session_factory or make_sessionmaker(engine)
        match_engine = MatchEngine(settings.index_dir, settings.index_mmap)
        with app.state.sessionmaker() as session, session.begin():
            begin_write(session)  # reads, then writes: another worker may commit between
            at_head = current_revision(session.connection()) == head_revision()
            if at_head:
                jobs.fail_stale(session)
        # A separate, read-only transaction: holding the write lock of the one above through
        # an index build would lock out the other workers starting on SQLite. On a thread
        # of its own: /health answers and /ready says "starting" while it maps or builds.
        if at_head and session_factory is not None:  # a test's one connection: not shared
            with app.state.sessionmaker() as session, session.begin():
                match_engine.start(session)
        elif at_head:
            match_engine.start_in_background(app.state.sessionmaker)
            await asyncio.to_thread(match_engine.wait_started, settings.index_start_wait_seconds)
        else:  # /ready reports it; prestart (panhuo migrate) should have run first
            logging.getLogger("panhuo").error("database schema is not at head; run migrations")
        app.state.match_engine = match_engine
        # Not on a factory handed in by tests: its one connection cannot be shared by a thread.
        worker = start_in_process(app.state.sessionmaker, match_engine, settings, session_factory)
        yield
        if worker is not None:
            worker.stop()
        match_engine.save()
        engine.dispose()

    # Swagger UI and ReDoc assets are served from the pinned fastapi-offline package: a CDN
    # is unreachable offline and unreliable in mainland China.
    app = FastAPIOffline(
        title="Panhuo 盘活",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=API_DOCS_STATIC,
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    install_hooks()
    reference.use(settings.data_dir)
    install_error_handlers(app)
    routers = (
        health_router,
        institutions_router,
        patents_router,
        enterprises_router,
        needs_router,
        imports_router,
        enterprise_imports_router,
        matches_router,
        profiles_router,
        feeds_router,
        feed_url_router,
        pushes_router,
        feedback_router,
        licenses_router,
        deals_router,
        stats_router,
        api_keys_router,
        audit_router,
    )
    for router in routers:
        app.include_router(router)
    install_console(app)  # /console: server-rendered pages over the same services
    install_openapi_errors(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        per_path={
            "/v1/imports": settings.max_upload_bytes,
            "/v1/patents/bulk": settings.max_bulk_bytes,
            CONSOLE_UPLOAD_PATH: settings.max_upload_bytes,
        },
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app


app = create_app()
