"""Applicant / patentee names → institutions, with rapidfuzz.

清华大学, 清华大学（深圳） and 清华大学深圳国际研究生院 all resolve to 清华大学 when only it is
registered. Exact and near-exact names attach; ambiguous ones are reported for review and
never guessed.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

NEAR = 95  # ratio for a near-exact name (typos, punctuation)
REVIEW = 80  # below NEAR but at least this: ambiguous, reported for review


@dataclass(frozen=True)
class Resolution:
    institution_id: int | None
    status: str  # exact / near / ambiguous / none
    name: str = ""
    candidates: tuple[str, ...] = field(default=())


def normalize(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def _stem(name: str) -> str:
    return re.sub(r"\(.*?\)", "", name)


class InstitutionResolver:
    def __init__(self, institutions: list[tuple[int, str]]) -> None:
        self._by_name: dict[str, int] = {}
        self._display: dict[str, str] = {}
        for institution_id, name in institutions:
            self._by_name.setdefault(normalize(name), institution_id)
            self._display.setdefault(normalize(name), name)
        self._names = list(self._by_name)
        self._seen: dict[tuple[str, ...], Resolution] = {}  # a file repeats its applicants

    def resolve(self, names: list[str]) -> Resolution:
        """The first name (patentee first, then applicants) that resolves decides."""
        key = tuple(names)
        if key not in self._seen:
            if len(self._seen) > 100_000:
                self._seen.clear()
            self._seen[key] = self._resolve(names)
        return self._seen[key]

    def _resolve(self, names: list[str]) -> Resolution:
        review: Resolution | None = None
        for raw in names:
            found = self._one(raw)
            if found.status in ("exact", "near"):
                return found
            review = review or (found if found.status == "ambiguous" else None)
        return review or Resolution(None, "none", names[0] if names else "")

    def _one(self, raw: str) -> Resolution:
        name = normalize(raw)
        if name in self._by_name:
            return Resolution(self._by_name[name], "exact", raw)
        stem = _stem(name)
        if stem in self._by_name:
            return Resolution(self._by_name[stem], "near", raw)
        prefixes = [n for n in self._names if len(n) >= 4 and stem.startswith(n)]
        if prefixes:
            longest = max(len(n) for n in prefixes)
            best = [n for n in prefixes if len(n) == longest]
            if len(best) == 1:
                return Resolution(self._by_name[best[0]], "near", raw)
        return self._fuzzy(raw, name)

    def _fuzzy(self, raw: str, name: str) -> Resolution:
        hits = process.extract(name, self._names, scorer=fuzz.ratio, limit=3)
        if not hits or hits[0][1] < REVIEW:
            return Resolution(None, "none", raw)
        best, score = hits[0][0], hits[0][1]
        runner_up = hits[1][1] if len(hits) > 1 else 0
        if score >= NEAR and runner_up < score - 3:
            return Resolution(self._by_name[best], "near", raw)
        candidates = tuple(self._display[h[0]] for h in hits if h[1] >= REVIEW)
        return Resolution(None, "ambiguous", raw, candidates)
