"""The query's own words and phrases behind the matched index terms of an explanation.

The index matches rjieba words and character bigrams.  A bigram such as 池回 (from
电池|回收) or 机巡 (无人机|巡检) means nothing to a reader, so an explanation never shows
index terms: each matched term is found in the query text and credited to the query words
it overlaps (rjieba words of the normalized query, and latin tokens).  A term spanning two
words that both matched on their own joins them into the phrase of the query
(水平 + 平连 + 连铸 → 水平连铸).  The shown text is always a slice of the query as the
user wrote it (traditional characters, full-width letters and case kept).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import NamedTuple

import numpy as np
import rjieba

from ._analyzer import _BOILERPLATE, _LATIN_RE, _TRANSLATE, needs_translate
from ._zh_tables import STOPWORDS


def aligned_normalize(text: str) -> str:
    """``analyze``'s normalization, but the same length as ``text`` (so that positions map
    back): boilerplate becomes as many spaces as it has characters."""
    if needs_translate(text):
        text = text.translate(_TRANSLATE)  # one character for one, by construction
    low = text.lower()
    if len(low) != len(text):  # e.g. İ lowers to two characters: keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for phrase in _BOILERPLATE:
        if phrase in low:
            low = low.replace(phrase, " " * len(phrase))
    return low


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


class Shown(NamedTuple):
    """A word or phrase of the query, as written, and the text score credited to it."""

    text: str
    amount: float


class QueryWords:
    """The content words of one query text (stop words left out), with their spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm = aligned_normalize(text)
        self.spans: list[tuple[int, int]] = []
        self.owner = [-1] * len(self.norm)  # character → index of its content word
        for word, a, z in rjieba.tokenize(self.norm):
            if _is_cjk(word[0]) and word not in STOPWORDS:
                self._own(a, z)
        for m in _LATIN_RE.finditer(self.norm):
            if m.group() not in STOPWORDS and self.owner[m.start()] < 0:
                self._own(m.start(), m.end())

    def _own(self, a: int, z: int) -> None:
        unit = len(self.spans)
        self.spans.append((a, z))
        self.owner[a:z] = [unit] * (z - a)

    def occurrences(self, term: str) -> list[tuple[int, ...]]:
        """For each place ``term`` occurs in the query: the content words it overlaps."""
        norm, out = self.norm, []
        if _is_cjk(term[0]):
            starts, at = [], norm.find(term)
            while at >= 0:
                starts.append(at)
                at = norm.find(term, at + 1)
        else:  # a latin token or part: whole tokens only (li in li-ion, not in lithium)
            pattern = rf"(?<![0-9a-z]){re.escape(term)}(?![0-9a-z])"
            starts = [m.start() for m in re.finditer(pattern, norm)]
        for a in starts:
            units = dict.fromkeys(u for u in self.owner[a : a + len(term)] if u >= 0)
            out.append(tuple(units))
        return out

    def credit(self, terms: Sequence[str]) -> Credit:
        """How the score of each of ``terms`` is shared among the query's words."""
        inside = np.zeros((len(terms), len(self.spans)))
        across: Across = []
        for j, term in enumerate(terms):
            found = self.occurrences(term)
            for units in found:  # each occurrence carries an equal part of the term
                if len(units) == 1:
                    inside[j, units[0]] += 1 / len(found)
                elif units:
                    across.append((j, units, 1 / len(found)))
        return Credit(self, inside, across)


Across = list[tuple[int, tuple[int, ...], float]]  # term, the words it spans, its part


class Credit:
    """Turns results' matched-term scores into scores of the query's words."""

    def __init__(
        self,
        words: QueryWords,
        inside: np.ndarray,
        across: list[tuple[int, tuple[int, ...], float]],
    ) -> None:
        self.words = words
        self.inside = inside
        self.across = across
        self.across_terms = np.asarray([j for j, _, _ in across], np.int64)

    def shown(self, values: np.ndarray) -> list[list[Shown]]:
        """Per result: words and phrases with the score credited to them, highest first.

        ``values``: results × terms given to :meth:`QueryWords.credit`, each term's score
        in each result.  Terms found in no content word (inside a stop word, or not in the
        text, e.g. from an expansion) are credited to nothing; single characters are not
        shown.
        """
        amounts = values @ self.inside  # one product for all results
        crossed = values[:, self.across_terms] > 0
        out = []
        for i in range(len(values)):
            hits = np.flatnonzero(amounts[i])
            amount = dict(zip(hits.tolist(), amounts[i, hits].tolist(), strict=True))
            parent = {u: u for u in amount}
            for n in np.flatnonzero(crossed[i]).tolist():
                j, units, part = self.across[n]
                hit = [u for u in units if u in amount]
                if len(hit) == len(units):  # all sides matched: the phrase of the query
                    for u in units[1:]:
                        parent[_root(parent, u)] = _root(parent, units[0])
                for u in hit:  # never credit a word that matched nothing on its own
                    amount[u] += float(values[i, j]) * part / len(hit)
            out.append(_merge(self.words, amount, parent))
        return out


def _root(parent: dict[int, int], u: int) -> int:
    while parent[u] != u:
        parent[u] = parent[parent[u]]
        u = parent[u]
    return u


def _merge(words: QueryWords, amount: dict[int, float], parent: dict[int, int]) -> list[Shown]:
    """Phrases from linked words, equal texts merged, texts inside a longer shown text
    folded into it, single characters dropped; highest amount first, ties by position."""
    spans = [(*words.spans[u], value) for u, value in amount.items()]
    if any(parent[u] != u for u in parent):  # most results join no words
        joined: dict[int, tuple[int, int, float]] = {}  # root → start, end, amount
        for a, z, value in spans:
            r = _root(parent, words.owner[a])
            s = joined.get(r, (a, z, 0.0))
            joined[r] = (min(s[0], a), max(s[1], z), s[2] + value)
        spans = list(joined.values())
    first: dict[str, tuple[int, int]] = {}  # normalized text → its first span
    total: dict[str, float] = {}
    for a, z, value in spans:
        key = words.norm[a:z]
        if key in total:
            total[key] += value
            first[key] = min(first[key], (a, z))
        else:
            total[key], first[key] = value, (a, z)
    # Longest first: the first text containing a key is the longest such, never folded.
    keys = sorted(total, key=len, reverse=True)
    starts = list(accumulate((len(k) + 1 for k in keys), initial=0))
    line = "\0".join(keys)
    for i, key in enumerate(keys):
        at = bisect_right(starts, line.find(key)) - 1
        if at != i:
            total[keys[at]] += total.pop(key)
    kept = sorted((k for k in total if len(k) > 1), key=lambda k: (-total[k], first[k]))
    return [Shown(words.text[slice(*first[k])], total[k]) for k in kept]
