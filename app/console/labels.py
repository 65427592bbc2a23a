"""Chinese labels for the enum values the console shows (the API speaks English codes)."""

from typing import Any

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
    "deal_status": {
        "intent": "意向",
        "negotiating": "洽谈",
        "signed": "签约",
        "registered": "登记/备案",
        "implemented": "实施",
        "industrialized": "产业化",
    },
    "deal_type": {
        "transfer": "转让",
        "exclusive_license": "独占许可",
        "sole_license": "排他许可",
        "ordinary_license": "普通许可",
        "equity": "作价入股",
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


def label(value: Any, kind: str) -> str:
    """``{{ p.legal_status | label('legal_status') }}``; unknown values show as they are."""
    if value is None:
        return "—"
    key = getattr(value, "value", value)
    return LABELS.get(kind, {}).get(str(key), str(key))


def options(kind: str) -> list[tuple[str, str]]:
    return list(LABELS[kind].items())
