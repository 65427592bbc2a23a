"""Profile text: 经营范围 without its registration boilerplate, and the GB/T 4754 text.

A registered business scope wraps the real activities in phrases every licence carries
(一般项目：…（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）许可项目：…). Those
phrases say nothing about the enterprise and, repeated in every profile, would only add
noise to matching, so they are cut before the scope enters the profile.
"""

import re

from app.common.reference import industry_entries

# Each pattern is a whole phrase of the registration template, brackets included.
_OPEN = r"[（(【\[]?"
_CLOSE = r"[）)】\]]?"
_BOILERPLATE = [
    re.compile(p)
    for p in (
        r"经营范围[:：]",
        r"(一般|许可)(经营)?项目[:：]",
        _OPEN + r"除依法须经批准的项目外[，,]?凭营业执照依法自主开展经营活动" + _CLOSE,
        _OPEN + r"依法须经批准的项目[，,]?经相关部门批准后方?可开展经营活动" + _CLOSE,
        _OPEN + r"具体经营项目以[^；;。）)】]*为准" + _CLOSE,
        _OPEN + r"不含[^；;。）)】]*(许可|审批|前置)[^；;。）)】]*项目" + _CLOSE,
        _OPEN + r"涉及许可经营的凭许可证经营" + _CLOSE,
        _OPEN + r"以上(经营)?范围[^；;。）)】]*" + _CLOSE,
        r"[，,]?技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    )
]
# Whole items of no distinguishing value: nearly every scope lists them.
_GENERIC = frozenset(
    {"无", "货物进出口", "技术进出口", "进出口代理", "信息咨询服务", "企业管理咨询"}
)
_ITEM = re.compile(r"[；;。\n]+")


def clean_scope(scope: str | None) -> str:
    """The scope's own activities, ``；``-separated, each once, boilerplate removed."""
    if not scope:
        return ""
    text = scope
    for pattern in _BOILERPLATE:
        text = pattern.sub("；", text)
    items: list[str] = []
    for raw in _ITEM.split(text):
        item = raw.strip(" \t，,、：:（）()【】[]")
        if item and item not in _GENERIC and item not in items:
            items.append(item)
    return "；".join(items)


def industry_text(code: str | None) -> str:
    """Name and official description of a GB/T 4754 class (empty when unknown)."""
    if not code:
        return ""
    entry = industry_entries().get(code)
    if entry is None:
        return ""
    name, description = entry
    return f"{name}：{description}" if description else name
