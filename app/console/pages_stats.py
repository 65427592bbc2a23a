"""Statistics (province, portal, admin): funnel and rates, outcomes over time, distribution
by 战略性新兴产业 or IPC section, a table by province; every table exportable."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from markupsafe import Markup

from app.auth.models import Role
from app.auth.principal import Principal
from app.common import exports
from app.common.reference import sei_names
from app.common.schemas import RequestModel
from app.common.types import IpcPrefix, RegionCode
from app.console import charts
from app.console.labels import label
from app.console.render import page, parse
from app.console.routing import ConsoleRoute
from app.console.security import ConsoleAccess
from app.db import DBSession
from app.matches.schemas import SeiCode
from app.stats import distribution, service
from app.stats.scope import StatsFilters

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
Viewer = Annotated[Principal, Depends(ConsoleAccess(Role.admin, Role.portal, Role.province))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def _provinces_csv(rows: list[dict[str, Any]]) -> bytes:
    header = ["省份", "代码", "在库专利", "有效", "已实施", "企业意向"]
    keys = ("name", "province", "in_pool", "valid", "implemented", "intents")
    return exports.csv_bytes([header] + [[r[k] for k in keys] for r in rows])


@router.get("/stats/export")
def stats_export(request: Request, db: DBSession, actor: Viewer) -> Response:
    """The statistics export of the API (CSV per table, or one XLSX), plus the province table."""
    query, filters, _ = _query(request)
    stamp = date.today().isoformat()
    if query.table == "provinces":
        body = _provinces_csv(distribution.by_province(db, actor, filters))
        name, media = f"panhuo-provinces-{stamp}.csv", "text/csv; charset=utf-8"
    elif query.format == "csv":
        body = service.export_csv(service.summary(db, actor, filters), query.table)
        name, media = f"panhuo-{query.table}-{stamp}.csv", "text/csv; charset=utf-8"
    else:
        body = service.export_xlsx(service.summary(db, actor, filters))
        name, media = f"panhuo-stats-{stamp}.xlsx", XLSX
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=headers)
