"""Bilingual messages: a Chinese and an English half, kept apart until they are rendered.

Services and validators build a ``Msg``; the problem+json renderer joins it as
``中文 / English`` and the console shows the Chinese half alone.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Msg:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class BilingualError(ValueError):
    """A ``ValueError`` for validators: pydantic keeps the exception in ``ctx['error']``."""

    def __init__(self, zh: str, en: str) -> None:
        self.msg = Msg(zh, en)
        super().__init__(str(self.msg))


def split(text: str) -> Msg:
    """A legacy ``中文 / English`` string as a ``Msg``; text without a Chinese half stays both."""
    zh, sep, en = text.partition(" / ")
    return Msg(zh, en) if sep and has_cjk(zh) else Msg(text, text)


def as_msg(message: "Msg | str") -> Msg:
    return message if isinstance(message, Msg) else split(message)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
