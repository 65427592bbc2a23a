"""Chinese labels of the API's enum values: one table for the console and the API.

The API speaks the English codes and also accepts these labels as input (``LabeledEnum``);
its messages list allowed values with them; the console shows them.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from pydantic import BeforeValidator

from app.common.messages import BilingualError, Msg

E = TypeVar("E", bound=StrEnum)

LABELS: dict[str, dict[str, str]] = {
    "legal_status": {
        "valid": "有权",
        "pending": "审中",
        "lapsed": "失效",
        "expired": "届满",
        "rejected": "驳回",
        "withdrawn": "撤回",
        "invalidated": "无效",
        "unknown": "未知",
    },
    "pool_status": {"in_pool": "在库", "withdrawn": "已出库"},
    "enterprise_size": {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"},
    "institution_type": {
        "university": "高校",
        "research_institute": "科研机构",
        "soe": "国有企业",
        "other": "其他",
    },
    "patent_type": {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"},
    "implementation_status": {"implemented": "已实施", "not_implemented": "未实施"},
    "fee_type": {
        "one_off": "一次性支付",
        "royalty_sales": "按净销售额提成",
        "royalty_profit": "按利润提成",
        "entry_plus_royalty": "入门费加提成",
    },
    "licence_status": {"declared": "已声明", "withdrawn": "已撤回"},
    "intent": {
        "transfer": "转让",
        "license": "许可",
        "equity": "作价入股",
        "improvement": "技术改进",
        "cooperation": "产学研合作",
        "no_need": "无需求",
    },
    "mode": {
        "transfer": "转让",
        "license": "许可",
        "equity": "作价入股",
        "improvement": "技术改进",
        "cooperation": "产学研合作",
    },
    "deal_type": {
        "transfer": "转让",
        "exclusive_license": "独占许可",
        "sole_license": "排他许可",
        "ordinary_license": "普通许可",
        "equity": "作价入股",
    },
    "deal_status": {
        "intent": "意向",
        "negotiating": "洽谈",
        "signed": "签约",
        "registered": "登记/备案",
        "implemented": "实施",
        "industrialized": "产业化",
    },
    "need_status": {"open": "开放", "matched": "已匹配", "closed": "已关闭"},
    "import_state": {
        "queued": "排队中",
        "running": "导入中",
        "succeeded": "已完成",
        "failed": "失败",
    },
    "role": {
        "admin": "管理员",
        "portal": "转化运用平台",
        "institution": "高校/科研机构",
        "enterprise": "企业",
        "province": "省级知识产权局",
    },
    "ipc_source": {"shared": "共同分类", "predicted": "预测分类", "hint": "需求指定"},
    "feature": {
        "text": "文本相似",
        "ipc": "分类号",
        "dense": "语义",
        "mode": "交易方式",
        "region": "地区",
        "value": "价值等级",
        "value_grade": "价值等级",
        "rating": "企业评价",
        "peer_intent": "同类企业意向",
    },
    "ipc_section": {
        "A": "A 人类生活必需",
        "B": "B 作业；运输",
        "C": "C 化学；冶金",
        "D": "D 纺织；造纸",
        "E": "E 固定建筑物",
        "F": "F 机械工程；照明；加热；武器；爆破",
        "G": "G 物理",
        "H": "H 电学",
        "?": "未分类",
    },
}


def label_of(kind: str, value: str) -> str:
    return LABELS.get(kind, {}).get(value, value)


def kind_of(codes: set[str]) -> str | None:
    """The table whose codes are exactly ``codes`` (for pydantic's own enum errors)."""
    return next((kind for kind, table in LABELS.items() if set(table) == codes), None)


def allowed(kind: str) -> Msg:
    """``有权(valid)、审中(pending)…`` and ``'valid' (有权), …`` for messages."""
    pairs = LABELS[kind].items()
    return Msg(
        "、".join(f"{zh}（{code}）" for code, zh in pairs),
        ", ".join(f"'{code}' ({zh})" for code, zh in pairs),
    )


def accepts_labels(
    enum: type[E], kind: str, parse: Callable[[object], object] | None = None
) -> BeforeValidator:
    """For ``Annotated[Enum, accepts_labels(Enum, kind)]``: the codes and their Chinese
    labels (``小型``) are accepted; other text is a 422 listing both. ``parse`` maps looser
    wording first (exporters' ``有权-审定授权``)."""
    by_label = {zh: code for code, zh in LABELS[kind].items()}
    codes = {member.value for member in enum}

    def to_code(value: object) -> object:
        if parse is not None:
            value = parse(value)
        if not isinstance(value, str) or isinstance(value, enum):
            return value
        text = value.strip()
        text = by_label.get(text, text)
        if text not in codes:
            choices = allowed(kind)
            raise BilingualError(
                f"取值无效：{text[:40]}；应为 {choices.zh}",
                f"invalid value {text[:40]!r}; expected one of {choices.en}",
            )
        return text

    return BeforeValidator(to_code)
