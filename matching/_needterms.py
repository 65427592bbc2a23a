"""Register words of query texts, down-weighted by how many texts of that register use them.

Needs are written in a register of their own: a company introduction and request words
(希望, 目前, 解决, 提高, 要求, 技术, 需求 …) surround the few words that name the problem.
Those words are rare in patents and offers, so their pool idf is high and they pull in
documents that merely share the register.  A query term's weight is therefore multiplied
by its *need-side* idf, normalised to 0..1 and raised to ``MatcherConfig.need_term_gamma``::

    w(t) = clip(log((n + 1) / (df(t) + 0.5)) / log((n + 1) / 0.5), 0, 1) ** gamma

``df(t)`` is the number of needs (of ``n``) whose title or description has ``t``.  The
table (``need_terms.tsv``) is derived, not hand-written: ``python -m
matching.tools.needterms DIR`` counts the analyzer terms of the need texts of a BEIR set
(need-dev's 149 posted needs).  Only terms in at least ``MIN_DF`` needs are kept: one
need's own topic words say nothing about the register, and a term absent from the table
weighs 1.

Patents have a register too (方法, 装置, 系统, 制备, 结构 …), and when a patent asks for
enterprises (the reverse direction) those words would pull in enterprises that merely
name a method or a device.  The same weight with the *patent-side* document frequency
(``patent_terms.tsv``, ``python -m matching.tools.needterms --patents DIR``: the
patents of a corpus, terms in at least ``PATENT_MIN_DF`` of them) and
``MatcherConfig.patent_term_gamma`` (0 but for ``MatcherConfig.enterprises()``)
discounts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

MIN_DF = 2
PATENT_MIN_DF = 5  # a larger pool: rarer terms weigh about 1 anyway
Kind = Literal["need", "patent"]
TABLES: dict[Kind, Path] = {
    "need": Path(__file__).with_name("need_terms.tsv"),
    "patent": Path(__file__).with_name("patent_terms.tsv"),
}


class NeedTerms(NamedTuple):
    needs: int  # number of need texts counted
    df: dict[str, int]  # term → number of needs using it (df ≥ MIN_DF only)

    def weights(self, terms: Iterable[str], gamma: float) -> np.ndarray:
        """Query-term multipliers (float32, 1 for terms not in the table)."""
        df = np.fromiter((self.df.get(t, 0) for t in terms), np.float64)
        if not gamma or not self.needs:
            return np.ones(len(df), np.float32)
        top = np.log((self.needs + 1) / 0.5)
        w = np.clip(np.log((self.needs + 1) / (df + 0.5)) / top, 0.0, 1.0)
        out: np.ndarray = (w**gamma).astype(np.float32)
        return out


@cache
def _shipped(kind: Kind) -> NeedTerms:
    path = TABLES[kind]
    if not path.exists():
        return NeedTerms(0, {})
    lines = path.read_text(encoding="utf-8").splitlines()
    needs = int(lines[0].split("\t")[1])  # "#needs<TAB>149" (or "#patents<TAB>…")
    df = {t: int(c) for t, _, c in (line.partition("\t") for line in lines[1:] if line)}
    return NeedTerms(needs, df)


_active: dict[Kind, list[NeedTerms]] = {"need": [], "patent": []}


def table(kind: Kind = "need") -> NeedTerms:
    """The table in use: the shipped one unless :func:`override` is active."""
    active = _active[kind]
    return active[-1] if active else _shipped(kind)


@contextmanager
def override(terms: NeedTerms, kind: Kind = "need") -> Iterator[None]:
    """Use ``terms`` instead of the shipped table (cross-validation by query)."""
    _active[kind].append(terms)
    try:
        yield
    finally:
        _active[kind].pop()
