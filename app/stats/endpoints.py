from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.auth.deps import Access
from app.auth.models import Role
from app.auth.principal import Principal
from app.common import exports
from app.common.exports import CsvEncoding
from app.common.paging import Paging
from app.common.params import Id, ResourceId
from app.common.types import IpcPrefix, RegionCode
from app.db import DBSession
from app.matches.schemas import SeiCode
from app.stats import profiles, screening, service
from app.stats.scope import StatsFilters

router = APIRouter(tags=["statistics 统计与筛选"])

Viewer = Annotated[
    Principal, Depends(Access(Role.admin, Role.portal, Role.province, Role.institution))
]


def stats_filters(
    institution_id: Annotated[Id | None, Query()] = None,
    province: Annotated[RegionCode | None, Query(description="省级代码，如 410000")] = None,
    ipc: Annotated[IpcPrefix | None, Query(description="IPC 部/小类前缀")] = None,
    sei: Annotated[SeiCode | None, Query(description="战略性新兴产业分类")] = None,
    since: date | None = None,
    until: date | None = None,
) -> StatsFilters:
    return StatsFilters(institution_id, province, ipc, sei, since, until)


Filters = Annotated[StatsFilters, Depends(stats_filters)]


@router.get("/v1/stats/summary")
def stats_summary(session: DBSession, actor: Viewer, filters: Filters) -> dict[str, Any]:
    """Rates (实施率, 产业化率) first, then outcomes (转让, 许可), the funnel and months."""
    return service.summary(session, actor, filters)


@router.get("/v1/stats/export", response_class=Response)
def stats_export(
    session: DBSession,
    actor: Viewer,
    filters: Filters,
    format: Literal["csv", "xlsx"] = "xlsx",
    table: Literal["rates", "outcomes", "funnel", "by_month"] = "rates",
    encoding: Annotated[
        CsvEncoding, Query(description="CSV 编码：utf-8（带 BOM）或 gb18030")
    ] = "utf-8",
) -> Response:
    """One table as CSV, or every table as sheets of one XLSX workbook, in Chinese."""
    return exports.download(*service.export(session, actor, filters, format, table, encoding))


@router.get("/v1/patents/screening/high-value")
def screening_high_value(
    session: DBSession, actor: Viewer, filters: Filters, paging: Paging
) -> dict[str, Any]:
    """Pool patents by the documented value score (see README), best first."""
    return screening.high_value(session, actor, filters, paging)


@router.get("/v1/patents/screening/sleeping")
def screening_sleeping(
    session: DBSession,
    actor: Viewer,
    filters: Filters,
    paging: Paging,
    years: Annotated[int, Query(ge=1, le=20, description="无实施、无交易的年数 N")] = 3,
) -> dict[str, Any]:
    """Valid granted patents with no implementation and no deal for N years."""
    return screening.sleeping(session, actor, filters, years, paging)


@router.get("/v1/institutions/{institution_id}/profile")
def institution_profile(
    institution_id: ResourceId, session: DBSession, actor: Viewer
) -> dict[str, Any]:
    """机构画像: pool size, IPC and industry distribution, intents, deals, rates."""
    return profiles.institution(session, actor, institution_id)
