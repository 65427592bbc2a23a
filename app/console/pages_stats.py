"""Statistics (province, portal, admin): funnel and rates, outcomes over time, distribution
by 战略性新兴产业 or IPC section, a table by province; every table exportable."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from markupsafe import Markup

from app.auth.models import Role
from app.auth.principal import Principal
from app.common import exports
from app.common.exports import CsvEncoding
from app.common.reference import sei_names
from app.common.schemas import RequestModel
from app.common.types import IpcPrefix, RegionCode
from app.console import charts
from app.console.labels import label
from app.console.render import page, parse
from app.console.routing import ConsoleRoute
from app.console.security import ConsoleAccess
from app.deps import DBSession
from app.matches.schemas import SeiCode
from app.stats import distribution, scope, service
from app.stats import export as stats_export
from app.stats.scope import StatsFilters

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Viewer = Annotated[Principal, Depends(ConsoleAccess(Role.admin, Role.portal, Role.province))]
MONTH_SERIES = [("transfers", "转让"), ("licences", "许可")]
DEAL_STAGES = ["negotiating", "signed", "registered", "implemented", "industrialized"]


class StatsQuery(RequestModel):
    """The filter form: the same filters as ``GET /v1/stats/summary``."""

    province: RegionCode | None = None
    ipc: IpcPrefix | None = None
    sei: SeiCode | None = None
    since: date | None = None
    until: date | None = None
    by: Literal["ipc", "sei"] = "ipc"
    format: Literal["csv", "xlsx"] = "csv"
    table: Literal["rates", "outcomes", "funnel", "by_month", "provinces"] = "rates"
    encoding: CsvEncoding = "utf-8"


def _query(request: Request) -> tuple[StatsQuery, StatsFilters, Any]:
    query, errors = parse(StatsQuery, dict(request.query_params))
    query = query or StatsQuery()
    filters = StatsFilters(None, query.province, query.ipc, query.sei, query.since, query.until)
    return query, filters, errors


def intents_total(funnel: dict[str, Any]) -> int:
    return sum(v for k, v in funnel["intents"].items() if k != "no_need")


def funnel_stages(funnel: dict[str, Any]) -> list[tuple[str, float]]:
    """在库 → 已推送 → 意向 → each deal stage reached (a deal counts at every stage it passed)."""
    intents = intents_total(funnel)
    deals = funnel["deals"]
    reached = [
        (label(stage, "deal_status"), sum(deals.get(s, 0) for s in DEAL_STAGES[i:]))
        for i, stage in enumerate(DEAL_STAGES)
    ]
    return [
        ("在库专利", funnel["in_pool"]),
        ("已推送", funnel["pushed"]),
        ("企业意向", intents),
        *reached,
    ]


def _charts(data: dict[str, Any], spread: list[dict[str, Any]], by: str) -> dict[str, Markup]:
    months = [{"label": m["month"], **m} for m in data["by_month"][-12:]]
    if by == "sei":
        items = [(f"{d['key']} {d['name']}", float(d["patents"])) for d in spread]
    else:
        items = [(label(d["key"], "ipc_section"), float(d["patents"])) for d in spread]
    return {
        "funnel": charts.hbars("转化漏斗", funnel_stages(data["funnel"])),
        "months": charts.columns("按月转让与许可", months, MONTH_SERIES),
        "spread": charts.hbars("专利分布", items, label_w=220),
    }


@router.get("/stats")
def stats_page(request: Request, db: DBSession, actor: Viewer) -> Response:
    query, filters, errors = _query(request)
    data = service.summary(db, actor, filters)
    spread = (
        distribution.by_sei(db, actor, filters)
        if query.by == "sei"
        else distribution.by_ipc_section(db, actor, filters)
    )
    context = {
        "query": query,
        "errors": errors,
        "data": data,
        "charts": _charts(data, spread, query.by),
        "provinces": distribution.by_province(db, actor, filters),
        "intents_total": intents_total(data["funnel"]),
        "sei_names": sei_names(),
        "export_query": request.url.query,
    }
    return page(request, "stats.html", context)


def _provinces_export(
    db: DBSession, actor: Principal, filters: StatsFilters, encoding: CsvEncoding
) -> tuple[bytes, str, str, str]:
    rows = distribution.by_province(db, actor, filters)
    table = exports.Table(
        "按省统计",
        ["省份", "代码", "在库专利", "有效", "已实施", "企业意向"],
        [
            [r["name"], r["province"], r["in_pool"], r["valid"], r["implemented"], r["intents"]]
            for r in rows
        ],
    )
    scoped = vars(scope.scoped(actor, filters))
    export = stats_export.describe(db, {"filters": scoped})
    name = f"盘活统计_按省统计_{export.scope}_{export.day()}.csv".replace("_全部", "")
    fallback = f"panhuo-stats-provinces_{export.day()}.csv"
    return exports.to_csv(export, table, encoding), exports.csv_media_type(encoding), name, fallback


@router.get("/stats/export")
def stats_export_file(request: Request, db: DBSession, actor: Viewer) -> Response:
    """The statistics export of the API (CSV per table, or one XLSX), plus the province table."""
    query, filters, _ = _query(request)
    if query.table == "provinces":
        return exports.download(*_provinces_export(db, actor, filters, query.encoding))
    return exports.download(
        *service.export(db, actor, filters, query.format, query.table, query.encoding)
    )
