"""Constrained string types shared by request schemas.

Every free-text input rejects NUL (PostgreSQL cannot store it) and has a length cap, so bad
input is a 422 instead of a database error.
"""

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from app.common import identifiers
from app.common.messages import BilingualError


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise BilingualError("不允许包含 NUL 字符", "NUL characters are not allowed")
    return value


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _ascii_digits(value: object) -> object:
    return identifiers.ascii_digits(value) if isinstance(value, str) else value


_STRIP = BeforeValidator(_strip)
_NO_NUL = NO_NUL = AfterValidator(_no_nul)  # NO_NUL: for inputs typed outside this module

Name = Annotated[str, _STRIP, StringConstraints(min_length=1, max_length=200), _NO_NUL]
ShortText = Annotated[str, _STRIP, StringConstraints(max_length=100), _NO_NUL]
Title = Annotated[str, _STRIP, StringConstraints(min_length=1, max_length=500), _NO_NUL]
Address = Annotated[str, _STRIP, StringConstraints(max_length=300), _NO_NUL]
LongText = Annotated[str, _STRIP, StringConstraints(max_length=20_000), _NO_NUL]
SearchText = Annotated[str, _STRIP, StringConstraints(min_length=1, max_length=200), _NO_NUL]
Keyword = Annotated[str, _STRIP, StringConstraints(min_length=1, max_length=50), _NO_NUL]
# A codec name such as gbk for ?encoding=; Python's codec lookup decides whether it exists.
Encoding = Annotated[str, _STRIP, StringConstraints(max_length=20), _NO_NUL]

ApplicationNumber = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40),
    _NO_NUL,
    AfterValidator(identifiers.normalize_application_number),
]
PublicationNumber = Annotated[
    str,
    BeforeValidator(_ascii_digits),
    _STRIP,
    StringConstraints(pattern=r"^[A-Za-z]{0,2}[0-9]{5,13}[A-Za-z]?[0-9]?$"),
    _NO_NUL,
]
IpcCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40),
    _NO_NUL,
    AfterValidator(identifiers.normalize_ipc),
]
RegionCode = Annotated[str, _STRIP, _NO_NUL, AfterValidator(identifiers.normalize_region)]
Uscc = Annotated[str, _STRIP, _NO_NUL, AfterValidator(identifiers.normalize_uscc)]
IndustryCode = Annotated[str, _STRIP, _NO_NUL, AfterValidator(identifiers.normalize_industry_code)]


def _ipc_prefix(value: str) -> str:
    code = identifiers.ascii_digits(value).replace(" ", "").upper()
    if not re.fullmatch(r"[A-H]([0-9]{1,2}([A-Z]([0-9]{1,4}(/[0-9]{0,6})?)?)?)?", code):
        raise BilingualError(
            f"IPC 前缀格式错误：{value[:40]}；应如 G06F 或 G06F16/",
            f"invalid IPC prefix {value[:40]!r}, e.g. G06F or G06F16/",
        )
    return code


IpcPrefix = Annotated[
    str, StringConstraints(min_length=1, max_length=40), _NO_NUL, AfterValidator(_ipc_prefix)
]

# Amounts in yuan: non-negative, two decimals, within Numeric(16, 2).
Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
# Need text for ad-hoc matching; the cap keeps one request's analysis bounded.
NeedText = Annotated[str, _STRIP, StringConstraints(min_length=1, max_length=5000), _NO_NUL]
