"""pydantic's validation errors in both languages.

pydantic's own messages are English only, so ``translate`` gives each error type its
Chinese wording with the same detail (the limits in the error's ``ctx``), and lists enum
values with their Chinese labels.
"""

import re
from typing import Any

from app.common import labels
from app.common.messages import BilingualError, Msg, has_cjk, split

# Keyed by pydantic's error ``type``; ``{name}`` placeholders are the error's ``ctx`` values.
PYDANTIC_ZH: dict[str, str] = {
    "missing": "必填",
    "missing_argument": "缺少必填参数",
    "extra_forbidden": "不支持的字段",
    "string_type": "应为字符串",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符，应匹配 {pattern}",
    "string_unicode": "应为有效的 Unicode 字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数超出范围",
    "int_from_float": "应为整数，不能有小数部分",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数字最多 {max_digits} 位",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分最多 {whole_digits} 位",
    "bool_type": "应为布尔值（true/false）",
    "bool_parsing": "应为布尔值（true/false、是/否）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "too_short": "至少 {min_length} 项，实为 {actual_length} 项",
    "too_long": "最多 {max_length} 项，实为 {actual_length} 项",
    "list_type": "应为列表",
    "set_type": "应为集合",
    "tuple_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "应为以下值之一：{expected}",
    "literal_error": "应为以下值之一：{expected}",
    "date_type": "应为日期（年-月-日）",
    "date_parsing": "日期格式应为 年-月-日",
    "date_from_datetime_parsing": "日期格式应为 年-月-日",
    "date_from_datetime_inexact": "日期不能带时间",
    "datetime_type": "应为日期时间（ISO 8601）",
    "datetime_parsing": "日期时间格式应为 ISO 8601",
    "datetime_from_date_parsing": "日期时间格式应为 ISO 8601",
    "timezone_aware": "日期时间须带时区",
    "timezone_naive": "日期时间不能带时区",
    "url_type": "应为网址",
    "url_parsing": "网址无效",
    "url_scheme": "网址协议应为 {expected_schemes}",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "UUID 格式无效",
    "json_invalid": "JSON 格式错误：{error}",
    "json_type": "应为 JSON 字符串",
    "bytes_type": "应为字节串",
    "none_required": "应为空值",
    "union_tag_invalid": "类型标记无效",
    "value_error": "值无效",
    "assertion_error": "值无效",
}


def translate(err: dict[str, Any]) -> Msg:
    """One pydantic error as a ``Msg``: our validators' own halves, else the table."""
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, BilingualError):
        return cause.msg
    en = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    kind = str(err.get("type", ""))
    if kind in _TEXT_LENGTH and ctx.get("field_type") == "Value":
        return _text_length(kind, ctx)
    if kind in ("value_error", "assertion_error") and has_cjk(en):
        return split(en)  # a validator that still writes one "中文 / English" string
    if kind == "enum" and (labelled := _enum_labels(str(ctx.get("expected", "")))):
        return Msg(f"应为以下值之一：{labelled.zh}", en)
    template = PYDANTIC_ZH.get(kind)
    if template is None:
        return Msg(f"输入无效：{en}", en)
    try:
        zh = template.format(**{k: _ctx(v) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        zh = template.split("：")[0].split("{")[0].rstrip("，")
    return Msg(zh, en)


# Our text types strip before checking their length, so pydantic reports a length error on a
# "Value" with "items"; for text they are characters.
_TEXT_LENGTH = {
    "too_short": ("至少", "at least", "min_length"),
    "too_long": ("最多", "at most", "max_length"),
}


def _text_length(kind: str, ctx: dict[str, Any]) -> Msg:
    zh, en, key = _TEXT_LENGTH[kind]
    limit, actual = ctx.get(key), ctx.get("actual_length")
    return Msg(
        f"{zh} {limit} 个字符，实为 {actual} 个",
        f"should have {en} {limit} characters, not {actual}",
    )


def _enum_labels(expected: str) -> Msg | None:
    """pydantic's ``'valid', 'pending' or …`` with the Chinese labels, when a label table has
    exactly these codes (enum query parameters, which take no labels)."""
    codes = set(re.findall(r"'([^']*)'", expected))
    kind = labels.kind_of(codes) if codes else None
    return labels.allowed(kind) if kind else None


def _ctx(value: Any) -> str:
    # pydantic's own "expected" lists read "'a', 'b' or 'c'"; Chinese joins with 、 and 或.
    text = str(value)
    return text.replace("' or '", "'或'").replace("', '", "'、'")
