"""Column headers of real exports (incoPat, 智慧芽, CNIPA search, our template) → fields,
and the parsing of their cell values into what ``PatentCreate`` accepts.

Aliases are in priority order: with both 公开号 and 授权公告号 present, 公开号 wins and the
other column counts as recognized (not reported as unknown).
"""

import re
from datetime import date, datetime, timedelta
from typing import Any

from app.common.enums import TRANSACTION_MODE_LABELS

ALIASES: dict[str, tuple[str, ...]] = {
    "application_number": (
        "申请号",
        "专利号",
        "application_number",
        "applicationnumber",
        "application_no",
        "appno",
    ),
    "publication_number": (
        "公开号",
        "公开(公告)号",
        "公告号",
        "授权公告号",
        "publication_number",
        "publicationnumber",
    ),
    "patent_type": ("专利类型", "patent_type", "type"),
    "title": ("专利名称", "名称", "标题", "发明名称", "title"),
    "abstract": ("申请摘要", "摘要", "abstract"),
    "first_claim": ("主权项", "first_claim", "claim"),
    "ipc_main": ("主分类号", "ipc主分类", "ipc主分类号", "ipc_main", "main_ipc"),
    "ipc_codes": ("分类号", "ipc", "ipc分类号", "ipc_codes"),
    "applicants": ("申请人", "applicants", "applicant"),
    "patentee": ("第一权利人", "当前权利人", "专利权人", "patentee", "assignee"),
    "inventors": ("发明人", "发明(设计)人", "当前发明人", "inventors", "inventor"),
    "filing_date": ("申请日", "filing_date", "application_date"),
    "publication_date": ("公开日", "公开(公告)日", "publication_date"),
    "grant_date": ("授权公告日", "授权日", "grant_date"),
    "legal_status": ("法律状态", "当前法律状态", "legal_status"),
    "region_code": ("国省代码", "region_code", "region"),
    "value_grade": ("价值分级", "value_grade"),
    "transaction_modes": ("交易方式", "transaction_modes"),
    "asking_price": ("报价", "报价(元)", "asking_price"),
    "state_funded": ("是否财政资助", "财政资助", "state_funded"),
    "implementation_status": ("实施状态", "implementation_status"),
    "industrialization_prospect": ("产业化前景", "industrialization_prospect"),
    "pool_status": ("入池状态", "pool_status"),
    "applicant_type": ("申请人类型", "applicant_type"),  # recognized, informational only
}
LIST_FIELDS = {"ipc_codes", "applicants", "inventors", "transaction_modes", "patentee"}
DATE_FIELDS = {"filing_date", "publication_date", "grant_date"}
_CHINESE_VALUES = {
    "implementation_status": {"已实施": "implemented", "未实施": "not_implemented"},
    "pool_status": {
        "在库": "in_pool",
        "入池": "in_pool",
        "已撤回": "withdrawn",
        "撤回": "withdrawn",
    },
}
_SPLIT = re.compile(r"[;；,，]")
_EXCEL_EPOCH = date(1899, 12, 30)


def header_key(header: object) -> str:
    """Normalize a header cell: BOM, full-width brackets, quotes (专精特新“小巨人”), spaces
    and case do not matter."""
    text = str(header or "").replace("\ufeff", "").replace("（", "(").replace("）", ")")
    return re.sub(r"[\s\"'“”‘’「」]+", "", text).lower()


def map_headers(
    headers: list[object], aliases_of: dict[str, tuple[str, ...]] = ALIASES
) -> tuple[dict[str, int], list[str]]:
    """``{field: column index}`` and the headers that map to nothing (reported once)."""
    keys = [header_key(h) for h in headers]
    fields: dict[str, int] = {}
    recognized: set[int] = set()
    for field, aliases in aliases_of.items():
        for alias in aliases:
            if alias in keys:
                recognized.update(i for i, k in enumerate(keys) if k in aliases)
                fields.setdefault(field, keys.index(alias))
                break
    unknown = [str(h) for i, h in enumerate(headers) if i not in recognized and keys[i]]
    return fields, unknown


class CellError(ValueError):
    """A bad cell; ``field`` names it when the error is found after the cells were read."""

    def __init__(self, zh: str, en: str, field: str | None = None) -> None:
        super().__init__(en)
        self.zh, self.en, self.field = zh, en, field


def parse_date(value: object) -> date | None:
    """``20221202``, ``2022-12-02``, ``2022/12/2``, Excel serials and cell datetimes."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value))
    text = _scalar(value).split(" ", 1)[0]  # "2022-12-02 00:00:00" from some exports
    if text in ("", "0", "-", "--"):
        return None
    parts: tuple[str, ...] | None = None
    if text.isdigit() and len(text) == 8:
        parts = (text[:4], text[4:6], text[6:])
    elif match := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text):
        parts = match.groups()
    if parts is not None:
        try:
            return date(*(int(p) for p in parts))
        except ValueError:
            pass
    elif re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _serial(float(text))
    raise CellError(f"无法识别的日期：{text[:30]}", f"unrecognized date {text[:30]!r}")


def _serial(number: float) -> date:
    if not 1 <= number <= 2_958_465:
        raise CellError("Excel 日期序号超出范围", f"Excel date serial {number} out of range")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def split_values(value: object) -> list[str]:
    """A cell's ``a；b,c`` → its parts; a JSON array (bulk items, JSONL) is already the list."""
    if isinstance(value, list):
        if any(isinstance(v, list | dict) for v in value):
            raise CellError("列表中不能嵌套列表或对象", "list items must be plain values")
        return [text for v in value if v is not None and (text := _scalar(v))]
    return [part.strip() for part in _SPLIT.split(_scalar(value) if value else "") if part.strip()]


def _scalar(value: object) -> str:
    if isinstance(value, list | dict):  # JSON input: str() would store "['甲', '乙']"
        raise CellError("此列只接受单个值，不接受列表或对象", "expected a single value, not a list")
    return _number(value) if isinstance(value, float) else str(value).strip()


def parse_region(value: object) -> str | None:
    """国省代码 such as ``河南(41)`` or a six-digit code → a GB/T 2260 code."""
    text = _scalar(value) if value else ""
    if not text:
        return None
    six = re.search(r"\d{6}", text)
    if six:
        return six.group(0)
    two = re.search(r"\((\d{2})\)|^(\d{2})$", text.replace("（", "(").replace("）", ")"))
    if two:
        return (two.group(1) or two.group(2)) + "0000"
    raise CellError(f"无法识别的国省代码：{text[:20]}", f"unrecognized region {text[:20]!r}")


def parse_bool(value: object) -> bool | None:
    text = (_scalar(value) if value is not None else "").lower()
    if text in ("", "none"):
        return None
    if text in ("是", "true", "1", "yes", "y", "✓", "√", "✔"):
        return True
    if text in ("否", "false", "0", "no", "n", "×", "✗", "✘"):
        return False
    raise CellError(f"应为 是/否：{text[:10]}", f"expected yes/no, got {text[:10]!r}")


def cell_value(field: str, value: object) -> Any:
    """One cell → the value for ``field`` (raises CellError with a bilingual reason)."""
    if field in DATE_FIELDS:
        return parse_date(value)
    if field == "transaction_modes":
        return [TRANSACTION_MODE_LABELS.get(v, v) for v in split_values(value)]
    if field in LIST_FIELDS:
        return split_values(value)
    if field == "region_code":
        return parse_region(value)
    if field == "state_funded":
        return parse_bool(value)
    if field in _CHINESE_VALUES and str(value or "").strip() in _CHINESE_VALUES[field]:
        return _CHINESE_VALUES[field][str(value).strip()]
    if value is None:
        return None
    return _scalar(value) or None


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
