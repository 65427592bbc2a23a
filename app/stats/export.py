"""The statistics summary as Chinese tables: one CSV per table, or one XLSX workbook.

The scope named in the title block and the file name is the one the summary was computed
for (after role scoping): a province key always exports its own province.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.common.exports import XLSX, CsvEncoding, Export, Percent, Table, csv_media_type
from app.common.exports import to_csv as _to_csv
from app.common.exports import to_xlsx as _to_xlsx
from app.common.identifiers import region_name
from app.common.labels import label_of
from app.common.reference import sei_names
from app.institutions.models import Institution

RATES = {
    "implementation_rate": "实施率",
    "industrialization_rate": "产业化率",
    "valid_pool_patents": "在库有效专利（件）",
    "implemented": "已实施专利（件）",
    "industrialized_patents": "已产业化专利（件）",
}
OUTCOMES = {
    "transfers_registered": "转让（已登记，件）",
    "licences_filed": "许可（已备案，件）",
    "equity_registered": "作价入股（已登记，件）",
    "open_licence_acceptances": "开放许可实施（件）",
    "amount_total": "合同金额合计（元）",
}
DEAL_STAGES = {
    "intent": "意向",
    "negotiating": "洽谈中",
    "signed": "已签约",
    "registered": "已登记/备案",
    "implemented": "已实施",
    "industrialized": "已产业化",
}
SHEETS = {
    "rates": "实施与产业化",
    "outcomes": "转化成果",
    "funnel": "转化漏斗",
    "by_month": "按月统计",
}
MONTH_HEADER = ["月份", "转让（件）", "许可（件）", "作价入股（件）", "金额（元）"]
FILTER_NAMES = {"ipc": "IPC", "sei": "战略性新兴产业", "since": "起始日期", "until": "截止日期"}


def tables(data: dict[str, Any]) -> dict[str, Table]:
    rates = data["rates"]
    funnel = data["funnel"]
    rate_rows = [
        [name, Percent(rates[key]) if key.endswith("_rate") else rates[key]]
        for key, name in RATES.items()
    ]
    stage_rows = [
        ["在库专利", funnel["in_pool"]],
        ["已推送", funnel["pushed"]],
        ["精准推送企业", funnel["enterprises_pushed"]],
        ["精准推送条数", funnel["items_pushed"]],
        *[[f"意向：{label_of('intent', k)}", v] for k, v in funnel["intents"].items()],
        *[[f"交易：{DEAL_STAGES.get(k, k)}", v] for k, v in funnel["deals"].items()],
    ]
    months = [
        [
            "日期不详" if m["month"] == "unknown" else m["month"],
            m["transfers"],
            m["licences"],
            m["equity"],
            m["amount"],
        ]
        for m in data["by_month"]
    ]
    return {
        "rates": Table(SHEETS["rates"], ["指标", "数值"], rate_rows),
        "outcomes": Table(
            SHEETS["outcomes"],
            ["成果", "数值"],
            [[name, data["outcomes"][key]] for key, name in OUTCOMES.items()],
        ),
        "funnel": Table(SHEETS["funnel"], ["阶段", "数量"], stage_rows),
        "by_month": Table(SHEETS["by_month"], MONTH_HEADER, months),
    }


def scope_name(session: Session, filters: dict[str, Any]) -> str:
    """Who the figures cover: an institution, a province, or everything."""
    parts = []
    if filters.get("province"):
        code = f"{str(filters['province'])[:2]}0000"
        parts.append(region_name(code) or code)
    if filters.get("institution_id"):
        name = session.scalar(
            select(Institution.name).where(Institution.id == filters["institution_id"])
        )
        parts.append(name or f"机构 {filters['institution_id']}")
    return "_".join(parts) or "全部"


def filter_lines(filters: dict[str, Any]) -> list[str]:
    lines = []
    for key, name in FILTER_NAMES.items():
        value = filters.get(key)
        if value is None:
            continue
        if key == "sei":
            value = f"{value} {sei_names().get(str(value), '')}".strip()
        lines.append(f"{name}：{value}")
    return lines


def describe(session: Session, data: dict[str, Any]) -> Export:
    filters = data["filters"]
    return Export("盘活统计", scope_name(session, filters), filter_lines(filters))


def _names(export: Export, what: str, ext: str) -> tuple[str, str]:
    name = f"盘活统计_{what}{export.scope}_{export.day()}.{ext}"
    return name.replace("_全部", "").replace("/", "-"), f"panhuo-stats_{export.day()}.{ext}"


def to_csv(
    session: Session, data: dict[str, Any], table: str, encoding: CsvEncoding
) -> tuple[bytes, str, str, str]:
    """Body, media type, file name and its ASCII fallback."""
    export = describe(session, data)
    chosen = tables(data)[table]
    name, fallback = _names(export, f"{chosen.sheet}_", "csv")
    fallback = fallback.replace("panhuo-stats", f"panhuo-stats-{table}")
    return _to_csv(export, chosen, encoding), csv_media_type(encoding), name, fallback


def to_xlsx(session: Session, data: dict[str, Any]) -> tuple[bytes, str, str, str]:
    export = describe(session, data)
    name, fallback = _names(export, "", "xlsx")
    return _to_xlsx(export, list(tables(data).values())), XLSX, name, fallback
