"""Enumerations shared across domains. Values are stable API strings; labels are Chinese."""

from enum import StrEnum


class TransactionMode(StrEnum):
    transfer = "transfer"  # 转让
    license = "license"  # 许可
    equity = "equity"  # 作价入股
    improvement = "improvement"  # 技术改进
    cooperation = "cooperation"  # 产学研合作


TRANSACTION_MODE_LABELS = {
    "转让": TransactionMode.transfer,
    "许可": TransactionMode.license,
    "作价入股": TransactionMode.equity,
    "技术改进": TransactionMode.improvement,
    "产学研合作": TransactionMode.cooperation,
}
