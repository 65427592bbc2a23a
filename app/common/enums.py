"""Enumerations shared across domains. Values are stable API strings; labels are Chinese."""

from enum import StrEnum
from typing import Annotated

from app.common.labels import LABELS, accepts_labels


class TransactionMode(StrEnum):
    transfer = "transfer"  # 转让
    license = "license"  # 许可
    equity = "equity"  # 作价入股
    improvement = "improvement"  # 技术改进
    cooperation = "cooperation"  # 产学研合作


TRANSACTION_MODE_LABELS = {zh: TransactionMode(code) for code, zh in LABELS["mode"].items()}

# Request fields take "license" or "许可".
TransactionModeIn = Annotated[TransactionMode, accepts_labels(TransactionMode, "mode")]
