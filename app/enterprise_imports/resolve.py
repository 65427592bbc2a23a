"""Region and industry names as provincial enterprise lists write them → codes.

Regions (GB/T 2260, python-stdnum's ``cn/loc``): an address or 所在地区 is read from its
start as province, city and county names, each optional and each with or without its
suffix (``浙江杭州余杭`` = ``浙江省杭州市余杭区…`` → 330110). Industries (GB/T 4754-2017,
``data/gbt4754_2017.jsonl``): a code with or without its section letter, or a name.
What cannot be resolved raises ``Unresolved`` with the closest names (rapidfuzz).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from stdnum import numdb

from app.common.identifiers import region_name, region_prefix
from app.common.reference import industry_by_digits, industry_codes

SUGGESTIONS = 3
_ETHNIC = (  # the nationalities in autonomous divisions' names, longest first
    "柯尔克孜|乌孜别克|维吾尔|哈萨克|塔吉克|俄罗斯|鄂温克|鄂伦春|达斡尔|"
    "塔塔尔|蒙古|布依|朝鲜|土家|哈尼|傈僳|拉祜|东乡|纳西|景颇|仫佬|"
    "布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|德昂|保安|裕固|独龙|赫哲|"
    "门巴|珞巴|基诺|高山|回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|"
    "水|土|羌|怒|京"
)
_AUTONOMOUS = re.compile(f"(?:(?:{_ETHNIC})族?)*(?:自治区|自治州|自治县|自治旗)$|特别行政区$")
_AUTONOMOUS_ONLY = re.compile("(?:自治区|自治州|自治县|自治旗)$")
_SUFFIX = re.compile("(?:地区|林区|省|市|区|县|盟|旗)$")
_AFTER_SHORT = "省市区县州盟旗"  # 延边州, 浙江省: the suffix written after a short name
_SEPARATORS = re.compile(r"[\s/\\|>＞\-—–·・、,，:：]+")
_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Ta-t]?)([0-9]{2,4})(?![0-9])")


class Unresolved(ValueError):
    def __init__(self, zh: str, en: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(en)
        self.zh, self.en, self.suggestions = zh, en, suggestions


def _normalize(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def _hint(suggestions: tuple[str, ...]) -> tuple[str, str]:
    if not suggestions:
        return "", ""
    return f"；是否为：{'、'.join(suggestions)}", f"; did you mean: {', '.join(suggestions)}"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    path: str  # 浙江省杭州市余杭区
    level: int  # 1 province, 2 city, 3 county
    prefix: str  # of the codes inside it: 33, 3301, 330110

    @property
    def label(self) -> str:
        return f"{self.path}（{self.code}）"


def _level(code: str) -> int:
    return 3 - sum(code.endswith(z) for z in ("00", "0000"))


def _short(name: str) -> str | None:
    """延边 for 延边朝鲜族自治州, 内蒙古 for 内蒙古自治区, 余杭 for 余杭区."""
    for pattern in (_AUTONOMOUS, _AUTONOMOUS_ONLY, _SUFFIX):
        short = pattern.sub("", name)
        if short != name and len(short) >= 2:
            return short
    return None


Names = dict[str, list[tuple[Division, bool]]]


@lru_cache(maxsize=1)
def _divisions() -> tuple[dict[str, Division], Names, dict[str, list[int]]]:
    """Current divisions by code; every full (True) or short (False) name → divisions; the
    lengths of the names starting with each character, longest first."""
    by_code: dict[str, Division] = {}
    for _, province, _, _, children in numdb.get("cn/loc").prefixes:
        for _, rest, _, _, _ in children:
            code = province + rest
            name = region_name(code)
            if name is None or "直辖" in name or name in ("市辖区", "县"):
                continue
            parents = [by_code.get(code[:2] + "0000"), by_code.get(code[:4] + "00")]
            path = "".join(p.name for p in parents if p is not None and p.code != code) + name
            by_code[code] = Division(code, name, path, _level(code), region_prefix(code))
    names: Names = {}
    for division in by_code.values():
        names.setdefault(division.name, []).append((division, True))
        if short := _short(division.name):
            names.setdefault(short, []).append((division, False))
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[0], set()).add(len(name))
    return by_code, names, {c: sorted(ls, reverse=True) for c, ls in lengths.items()}


def is_county(code: str) -> bool:
    return _level(code) == 3


def region_label(code: str) -> str:
    """``浙江省杭州市余杭区（330110）``."""
    division = _divisions()[0].get(code)
    return division.label if division else code


def _next(text: str, within: str, level: int) -> tuple[list[Division], int] | None:
    """The longest name at the start of ``text`` of a division below ``within`` (a code
    prefix) and deeper than ``level``; full names win over short ones of the same length."""
    _, names, lengths = _divisions()
    for length in lengths.get(text[:1], ()):
        found = [
            (d, full)
            for d, full in names.get(text[:length], ())
            if d.level > level and d.code.startswith(within)
        ]
        if found:
            full_ones = [d for d, full in found if full]
            if full_ones:
                return _outermost(full_ones), length
            consumed = length + (text[length : length + 1] in list(_AFTER_SHORT))
            return _outermost([d for d, _ in found]), consumed
    return None


def _outermost(candidates: list[Division]) -> list[Division]:
    """恩施 names 恩施州 and 恩施市 inside it: the enclosing one (the next name may go deeper)."""
    for outer in candidates:
        if all(d.code.startswith(outer.prefix) for d in candidates):
            return [outer]
    return candidates


def _read(text: str, scope: str) -> tuple[Division | None, int, list[Division]]:
    """Deepest division named at the start of ``text``, characters read, and the
    candidates when the next name was ambiguous."""
    current: Division | None = None
    position = 0
    for _ in range(3):
        within, level = (current.prefix, current.level) if current else (scope, 0)
        found = _next(text[position:], within, level)
        if found is None:
            break
        candidates, length = found
        if len(candidates) > 1:
            return current, position, candidates
        current, position = candidates[0], position + length
    return current, position, []


@lru_cache(maxsize=65536)  # lists repeat their 所在地区 values
def region_code(value: str, scope: str = "", whole: bool = False) -> str:
    """GB/T 2260 code named by ``value`` (a six-digit code, 所在地区, or an address).

    ``scope``: a code prefix the names are looked up under first (a province's list names
    its cities without the province). ``whole``: the value names a region only (所在地区),
    so text left over is an unknown name rather than the street of an address.
    """
    text = _normalize(value)
    if re.fullmatch(r"[0-9]{6}", text) and region_name(text) is not None:
        return text
    division, read, candidates = _read(text, scope)
    if division is None and scope and not candidates:
        division, read, candidates = _read(text, "")
    rest = text[read:]
    if candidates:
        labels = tuple(c.label for c in candidates[:SUGGESTIONS])
        zh, en = _hint(labels)
        raise Unresolved(
            f"地区名称有歧义：{value[:40]}{zh}", f"ambiguous region {value[:40]!r}{en}", labels
        )
    if division is None or (whole and rest):
        within = region_prefix(division.code) if division else scope
        labels = _region_suggestions(rest or text, within)
        zh, en = _hint(labels)
        raise Unresolved(
            f"无法识别的地区：{value[:40]}{zh}", f"unknown region {value[:40]!r}{en}", labels
        )
    return division.code


@lru_cache(maxsize=4096)
def _region_suggestions(text: str, within: str) -> tuple[str, ...]:
    by_code, _, _ = _divisions()
    choices = {d.code: d.path for d in by_code.values() if d.code.startswith(within)}
    hits = process.extract(text[:20], choices, scorer=fuzz.WRatio, limit=SUGGESTIONS)
    return tuple(by_code[code].label for _, score, code in hits if score >= 50)


@lru_cache(maxsize=1)
def _industry_names() -> dict[str, str]:
    """Name → code; a name used at several levels (房地产业: K, K70) keeps the broadest."""
    names: dict[str, str] = {}
    for code, name in industry_codes().items():
        names.setdefault(_normalize(name), code)
    return names


def industry_code(value: str) -> str:
    """GB/T 4754-2017 code named by ``value``: ``C3841``, ``3841``, ``锂离子电池制造`` or
    ``锂离子电池制造(C3841)``; a section letter alone (``C``) is a code too."""
    text = _normalize(value)
    codes = industry_codes()
    if text.upper() in codes:
        return text.upper()
    for letter, digits in _CODE.findall(text):
        code = (letter.upper() + digits) if letter else industry_by_digits().get(digits, "")
        if code in codes:
            return code
    names = _industry_names()
    for name in (text, re.sub(r"(行业|业)$", "", text), f"{text}业"):
        if name in names:
            return names[name]
    labels = _industry_suggestions(text)
    zh, en = _hint(labels)
    raise Unresolved(
        f"无法识别的行业：{value[:40]}{zh}", f"unknown industry {value[:40]!r}{en}", labels
    )


@lru_cache(maxsize=4096)
def _industry_suggestions(text: str) -> tuple[str, ...]:
    choices = {code: _normalize(name) for code, name in industry_codes().items()}
    hits = process.extract(text[:40], choices, scorer=fuzz.WRatio, limit=SUGGESTIONS)
    names = industry_codes()
    return tuple(f"{code} {names[code]}" for _, score, code in hits if score >= 50)
