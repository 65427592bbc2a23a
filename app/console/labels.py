"""Chinese labels for the enum values the console shows (the API speaks English codes)."""

from typing import Any

from app.common.labels import LABELS

__all__ = ["LABELS", "label", "options"]


def label(value: Any, kind: str) -> str:
    """``{{ p.legal_status | label('legal_status') }}``; unknown values show as they are."""
    if value is None:
        return "—"
    key = getattr(value, "value", value)
    return LABELS.get(kind, {}).get(str(key), str(key))


def options(kind: str) -> list[tuple[str, str]]:
    return list(LABELS[kind].items())
