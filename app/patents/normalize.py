"""Map exporter wording (incoPat, 智慧芽, CNIPA search) onto the API enums.

The order of the rules matters: ``失效-期限届满`` must become ``expired`` before the generic
``失效`` rule turns it into ``lapsed``.
"""

from app.patents.models import LegalStatus, PatentType

_LEGAL_RULES: tuple[tuple[tuple[str, ...], LegalStatus], ...] = (
    (("期限届满", "届满"), LegalStatus.expired),
    (("全部无效",), LegalStatus.invalidated),
    (("驳回",), LegalStatus.rejected),
    (("撤回",), LegalStatus.withdrawn),
    (("未缴年费", "放弃", "终止", "失效", "无效"), LegalStatus.lapsed),
    (("有权", "授权", "有效", "部分无效"), LegalStatus.valid),
    (("审中", "实质审查", "公开", "受理", "初审"), LegalStatus.pending),
)

_TYPE_RULES: tuple[tuple[str, PatentType], ...] = (
    ("实用新型", PatentType.utility_model),
    ("外观", PatentType.design),
    ("发明", PatentType.invention),
)


def parse_legal_status(raw: object) -> object:
    """Enum values pass through; Chinese exporter strings map by rule; else left for 422."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text in LegalStatus.__members__:
        return text
    for needles, status in _LEGAL_RULES:
        if any(needle in text for needle in needles):
            return status.value
    return text


def parse_patent_type(raw: object) -> object:
    """``发明公开;发明授权`` → invention, ``实用新型`` → utility_model, ``外观设计`` → design."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text in PatentType.__members__:
        return text
    for needle, patent_type in _TYPE_RULES:
        if needle in text:
            return patent_type.value
    return text
