"""Chinese-aware text analysis: normalization, rjieba words and character bigrams.

The analyzer is deterministic; any change to its output must bump ``ANALYZER_VERSION``,
because saved indexes store term ids produced by it (a load with another version is
refused).
"""

from __future__ import annotations

import operator
import re

import rjieba

from ._zh_tables import BOILERPLATE, STOPWORDS, TRAD_TO_SIMP

__all__ = ["ANALYZER_VERSION", "analyze", "normalize"]

ANALYZER_VERSION = "zh-2"  # zh-2: OpenCC's full 繁→简 character table

# Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space fold to ASCII;
# merged with the traditional→simplified table so one str.translate does both.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Lone surrogates (possible in str built from JSON escapes) cannot be UTF-8 encoded for
# rjieba: they separate terms like punctuation.
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0x20)
_TRANSLATE = _FOLD | _SURROGATES | TRAD_TO_SIMP
# str.translate with a dict costs ~25 µs per abstract; text that needs no change skips it.
# Full-width punctuation (in almost every Chinese text) is found by a small character
# class; a class of all ~3,300 traditional characters would make sre test each position
# against a long list, so those are looked up in a set only when that search misses.
_NEEDS_FOLD_RE = re.compile("[\uff01-\uff5e\u3000\ud800-\udfff]")
_TRADITIONAL = frozenset(map(chr, TRAD_TO_SIMP))
_BOILERPLATE = sorted(BOILERPLATE, key=len, reverse=True)
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]{2,}")
# Latin/digit tokens that may contain inner separators (li-ion, 3.7v, h01m10/05).
_LATIN_RE = re.compile(r"[0-9a-z]+(?:[.\-_/+][0-9a-z]+)*")
_INNER_SEP_RE = re.compile(r"[.\-_/+]")


def needs_translate(text: str) -> bool:
    """Whether ``text`` holds a full-width form, a lone surrogate or a traditional character."""
    return bool(_NEEDS_FOLD_RE.search(text)) or not _TRADITIONAL.isdisjoint(text)


def normalize(text: str) -> str:
    """Normalize raw text before tokenizing.

    Full-width forms become half-width, latin letters are lower-cased, common
    traditional characters become simplified and patent boilerplate (本发明, 所述, 一种,
    其特征在于, ...) is blanked out.

    Parameters
    ----------
    text : str
        Raw need or patent text.

    Returns
    -------
    str
        The normalized text; punctuation is kept (tokenizing drops it).
    """
    if needs_translate(text):
        text = text.translate(_TRANSLATE)
    text = text.lower()
    for phrase in _BOILERPLATE:
        if phrase in text:
            text = text.replace(phrase, " ")
    return text


def analyze(text: str) -> list[str]:
    """Turn text into index terms: rjieba words, latin tokens and character bigrams.

    Bigrams are the safety net for words that jieba splits differently in a need and in
    a patent (e.g. 锂电池 vs 锂 + 电池).  A bigram equal to a word is the same term, so a
    two-character word counts twice, which favours exact words slightly.

    Parameters
    ----------
    text : str
        Raw text; it is normalized first.

    Returns
    -------
    list of str
        Words first, then latin tokens, then bigrams; stop words removed; may be empty.
    """
    norm = normalize(text)
    terms = _words(norm)
    for run in _CJK_RUN_RE.findall(norm):
        # map(add, ...) builds the bigrams in C: ~4x faster than slicing in a loop.
        terms.extend(b for b in map(operator.add, run[:-1], run[1:]) if b not in STOPWORDS)
    return terms


def _words(norm: str) -> list[str]:
    """rjieba words and latin tokens of normalized text, without stop words."""
    terms = [w for w in rjieba.cut(norm) if "\u4e00" <= w[0] <= "\u9fff" and w not in STOPWORDS]
    for token in _LATIN_RE.findall(norm):
        if token not in STOPWORDS:
            terms.append(token)
        if _INNER_SEP_RE.search(token):
            terms.extend(p for p in _INNER_SEP_RE.split(token) if p and p not in STOPWORDS)
    return terms
