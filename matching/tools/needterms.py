"""Counting the need-term table (``matching/need_terms.tsv``) from posted needs.

Usage::

    python -m matching.tools.needterms DIR

rewrites the table from the queries (the needs) of the BEIR set ``DIR``; see
``matching._needterms`` for how the table weighs query terms.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .._analyzer import analyze
from .._needterms import _TABLE, MIN_DF, NeedTerms
from .beir import load_beir


def count(texts: Iterable[str]) -> NeedTerms:
    """Need-side document frequencies of the analyzer terms of ``texts``."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(set(analyze(text)))
        n += 1
    return NeedTerms(n, {t: c for t, c in sorted(df.items()) if c >= MIN_DF})


def write(terms: NeedTerms, path: Path = _TABLE) -> None:
    body = "".join(f"{t}\t{c}\n" for t, c in terms.df.items())
    path.write_text(f"#needs\t{terms.needs}\n{body}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Rewrite the table from DIR's queries."""
    args = sys.argv[1:] if argv is None else argv
    terms = count(load_beir(args[0]).queries.values())
    write(terms)
    print(f"{_TABLE}: {len(terms.df)} terms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
