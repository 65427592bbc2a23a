"""Columns of provincial enterprise lists (企业名录) → ``EnterpriseCreate``.

Headers are matched as for patent lists (``app.imports.columns.header_key``: spaces,
brackets and quotes do not matter), first alias first. A region comes from 所在地区 or the
注册地址 (the more precise of the two), an industry from a GB/T 4754 name or code.
"""

from functools import partial
from typing import Any

from app.common.identifiers import region_prefix
from app.common.reference import industry_codes
from app.enterprise_imports.resolve import (
    Unresolved,
    industry_code,
    is_county,
    region_code,
    region_label,
)
from app.enterprises.schemas import EnterpriseCreate
from app.imports.columns import CellError, parse_bool, split_values
from app.imports.rows import ParsedRow, RowSpec

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "单位名称", "公司名称", "企业全称", "名称", "name"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "uscc"),
    "region_code": (
        "所在地区",
        "所属地区",
        "所在地",
        "地区",
        "所在区域",
        "所属区域",
        "所属地市",
        "所在市县",
        "行政区划",
        "行政区划代码",
        "region_code",
        "region",
    ),
    "address": ("注册地址", "企业地址", "地址", "住所", "注册地", "经营地址", "address"),
    "industry_code": (
        "所属行业",
        "行业",
        "行业类别",
        "行业分类",
        "国民经济行业分类",
        "行业代码",
        "industry_code",
        "industry",
    ),
    "business_scope": ("经营范围", "business_scope"),
    "main_products": ("主营产品", "主要产品", "主导产品", "main_products"),
    "description": ("企业简介", "公司简介", "简介", "企业介绍", "description"),
    "is_specialized": ("专精特新", "专精特新企业", "专精特新中小企业", "is_specialized"),
    "is_little_giant": (
        "专精特新小巨人",
        "专精特新小巨人企业",
        "小巨人",
        "小巨人企业",
        "is_little_giant",
    ),
    "is_high_tech": ("高新技术企业", "国家高新技术企业", "高企", "is_high_tech"),
    "is_tech_sme": ("科技型中小企业", "科技型企业", "is_tech_sme"),
    "is_soe": ("国有企业", "是否国有企业", "国企", "is_soe"),
    "size": ("规模", "企业规模", "size"),
    "contact_name": ("联系人", "contact_name"),
    "contact_phone": ("联系电话", "电话", "手机", "联系方式", "contact_phone"),
    "contact_email": ("电子邮箱", "邮箱", "联系邮箱", "email", "contact_email"),
    "serial": ("序号", "编号"),  # recognized, not stored
}
REQUIRED = ("name", "uscc")  # and 所在地区 or 注册地址, checked per row
FLAGS = frozenset(f for f in ALIASES if f.startswith("is_"))
_SIZES = {"大": "大型", "中": "中型", "小": "小型", "微": "微型"}
_NO_REGION = (
    "缺少所在地区或注册地址",
    "a region (所在地区) or registered address (注册地址) is required",
)


def cell_value(field: str, value: object) -> Any:
    """One cell → the value for ``field`` (raises CellError with a bilingual reason)."""
    if field in FLAGS:
        return parse_bool(value)
    text = " ".join(split_values(value)) if field == "industry_code" else _text(value)
    if field == "industry_code" and text:
        try:
            return industry_code(text)
        except Unresolved as exc:
            raise CellError(exc.zh, exc.en) from exc
    if field == "size":
        return _SIZES.get(text, text)
    return text


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        raise CellError("此列只接受单个值，不接受列表或对象", "expected a single value, not a list")
    return str(value).strip()


def _prepare(scope: str, row: ParsedRow[EnterpriseCreate], values: dict[str, Any]) -> None:
    values.pop("serial", None)
    values["region_code"] = _region(scope, values.get("region_code"), values.get("address"))
    if "industry_code" in values:
        values["industry"] = industry_codes()[values["industry_code"]]


def _region(scope: str, region: str | None, address: str | None) -> str:
    """The code 所在地区 names, or the 注册地址's when it lies inside it (more precise)."""
    code = _resolve("region_code", region, scope, whole=True) if region else None
    if address and not (code and is_county(code)):
        try:
            found = region_code(address, region_prefix(code) if code else scope)
        except Unresolved as exc:
            if code is None:
                raise CellError(exc.zh, exc.en, field="address") from exc
        else:
            if code is None or (found != code and found.startswith(region_prefix(code))):
                code = found
    if code is None:
        raise CellError(*_NO_REGION, field="region_code")
    if not code.startswith(scope):
        raise CellError(
            f"不在本省范围内：{region_label(code)}",
            f"outside your province: {region_label(code)}",
            field="region_code" if region else "address",
        )
    return code


def _resolve(field: str, value: str, scope: str, whole: bool) -> str:
    try:
        return region_code(value, scope, whole)
    except Unresolved as exc:
        raise CellError(exc.zh, exc.en, field=field) from exc


def enterprise_rows(scope: str = "") -> RowSpec[EnterpriseCreate]:
    """Rows of an enterprise list; ``scope``: the uploading province's code prefix."""
    return RowSpec(EnterpriseCreate, ALIASES, REQUIRED, cell_value, partial(_prepare, scope))
