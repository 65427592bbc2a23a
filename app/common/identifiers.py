"""Validation and normalization of Chinese patent and business identifiers.

Each function returns the canonical form or raises ``BilingualError`` (a ``ValueError``),
which pydantic turns into a field-level 422 with both halves.
"""

import re
import unicodedata
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from app.common.messages import BilingualError
from app.common.reference import industry_by_digits, industry_codes

_APP_NO = re.compile(r"^([0-9]{12}|[0-9]{8})\.?([0-9X])$")
_WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)


def ascii_digits(raw: str) -> str:
    """One spelling per identifier: NFKC folds full-width ``０-９``, ``ＣＮ`` and ``．``, and any
    other Unicode decimal digit (Arabic-Indic ``٢``, Devanagari ``२`` ...) becomes ASCII.

    ``\\d`` and ``int()`` accept those digits, so without this ``CN٢٠٩٨١٠٠٠٠٠٠٠.9`` passed the
    check digit and was stored beside ``CN209810000000.9``.
    """
    text = unicodedata.normalize("NFKC", raw)
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def application_check_digit(body: str) -> str:
    """CNIPA check digit: weighted digit sum mod 11, with 10 written as X."""
    weights = _WEIGHTS_12 if len(body) == 12 else _WEIGHTS_8
    value = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return "X" if value == 10 else str(value)


def normalize_application_number(raw: str) -> str:
    """``202121635235X``, ``CN202121635235.X``, ``ZL 2021 2163 5235.X`` → ``CN202121635235.X``."""
    text = re.sub(r"\s", "", ascii_digits(raw)).upper()
    for prefix in ("CN", "ZL"):
        text = text.removeprefix(prefix)
    match = _APP_NO.match(text)
    if not match:
        raise BilingualError(
            "申请号格式应为 CN + 12 位数字 + . + 校验位（或旧 8 位格式）",
            "application number must be CN + 12 digits + '.' + check digit "
            "(or the old 8-digit form)",
        )
    body, check = match.groups()
    expected = application_check_digit(body)
    if check != expected:
        raise BilingualError(
            f"申请号校验位错误：应为 {expected}，实为 {check}",
            f"wrong check digit: expected {expected}, got {check}",
        )
    return f"CN{body}.{check}"


_IPC = re.compile(r"^([A-H][0-9]{2}[A-Z])(?:0*([0-9]{1,4})/([0-9]{2,6}))?$")


def normalize_ipc(raw: str) -> str:
    """``G06F 16/33`` → ``G06F16/33``; subclass-only codes such as ``B64U`` are allowed."""
    text = re.sub(r"\([0-9]{4}\.[0-9]{2}\)", "", ascii_digits(raw))  # edition, e.g. (2006.01)
    text = re.sub(r"\s", "", text).upper()
    match = _IPC.match(text)
    if not match:
        raise BilingualError(
            f"IPC 分类号格式错误：{raw[:40]}；应如 G06F16/33 或 B64U",
            f"invalid IPC code {raw[:40]!r}; expected e.g. G06F16/33 or B64U",
        )
    subclass, group, subgroup = match.groups()
    return f"{subclass}{group}/{subgroup}" if group else subclass


def _current_name(entry: str) -> str | None:
    """loc.dat names look like ``[1997-]济源市`` or ``[-2010]崇文区``; keep current ones only."""
    for variant in entry.split(","):
        period = re.match(r"^\[(\d*)-(\d*)\]", variant)
        if period is None or not period.group(2):
            return variant[period.end() :] if period else variant
    return None


@lru_cache(maxsize=8192)  # ~3,200 current codes; stdnum's lookup costs ~0.2 ms
def region_name(code: str) -> str | None:
    """Name of a current GB/T 2260 division, or None when the code is unknown or abolished."""
    if not re.fullmatch(r"[0-9]{6}", code):
        return None
    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "county" not in parts[1][1]:
        return None
    return _current_name(parts[1][1]["county"])


def normalize_region(raw: str) -> str:
    code = ascii_digits(raw).strip()
    if region_name(code) is None:
        raise BilingualError(
            f"行政区划代码无效：{code[:20]} 不是现行的 GB/T 2260 六位代码",
            f"{code[:20]!r} is not a current GB/T 2260 six-digit region code",
        )
    return code


def region_prefix(code: str) -> str:
    """Province 410000 → '41', city 410100 → '4101', county → the full code; for filters."""
    for _ in range(2):
        if code.endswith("00"):
            code = code[:-2]
    return code


def normalize_uscc(raw: str) -> str:
    try:
        return str(uscc.validate(ascii_digits(raw)))
    except StdnumError as exc:
        why = _USCC_ZH.get(type(exc).__name__, "格式或校验位错误")
        raise BilingualError(
            f"统一社会信用代码无效：{raw[:30]}（{why}）",
            f"invalid unified social credit code: {exc}",
        ) from exc


_USCC_ZH = {
    "InvalidLength": "长度应为 18 位",
    "InvalidFormat": "含有不允许的字符",
    "InvalidChecksum": "校验位错误",
    "InvalidComponent": "登记管理部门或机构类别代码无效",
}


def normalize_industry_code(raw: str) -> str:
    """国民经济行业分类 (GB/T 4754-2017): ``C4210``, or the digits alone (``4210``), which
    are unique across sections; the code must be in the standard's table."""
    code = ascii_digits(raw).strip().upper()
    code = industry_by_digits().get(code, code) if code.isascii() and code.isdigit() else code
    if code not in industry_codes():
        raise BilingualError(
            f"国民经济行业分类代码无效：{raw[:20]}；应为 GB/T 4754-2017 中的代码，"
            "门类字母加 2–4 位数字（如 C4210），或只写数字（如 4210）",
            f"unknown GB/T 4754-2017 industry code {raw[:20]!r}; expected a section letter "
            "and 2-4 digits (e.g. C4210), or the digits alone (4210)",
        )
    return code
