"""Counting the register tables of query terms (``matching/need_terms.tsv``,
``matching/patent_terms.tsv``).

Usage::

    python -m matching.tools.needterms DIR             # the needs: DIR's queries
    python -m matching.tools.needterms --patents DIR   # the patents of DIR's corpus

rewrites the table from the BEIR set ``DIR``; see ``matching._needterms`` for how the
tables weigh query terms.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .._analyzer import analyze
from .._needterms import MIN_DF, PATENT_MIN_DF, TABLES, NeedTerms
from .beir import BeirSet, load_beir


def count(texts: Iterable[str], min_df: int = MIN_DF) -> NeedTerms:
    """Document frequencies of the analyzer terms of ``texts`` (terms in ≥ ``min_df``)."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(set(analyze(text)))
        n += 1
    return NeedTerms(n, {t: c for t, c in sorted(df.items()) if c >= min_df})


def patent_texts(data: BeirSet, exclude: Iterable[str] = ()) -> list[str]:
    """Title and text of the corpus's patents (all documents when kinds are unknown)."""
    skip = set(exclude)
    return [
        f"{d.title}。{d.abstract}"
        for d in data.docs
        if d.id not in skip and data.kinds.get(d.id, "patent") == "patent"
    ]


def write(terms: NeedTerms, path: Path, label: str = "needs") -> None:
    body = "".join(f"{t}\t{c}\n" for t, c in terms.df.items())
    path.write_text(f"#{label}\t{terms.needs}\n{body}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.tools.needterms")
    parser.add_argument("dir", metavar="DIR")
    parser.add_argument("--patents", action="store_true", help="count the corpus's patents")
    args = parser.parse_args(argv)
    data = load_beir(args.dir)
    if args.patents:
        terms = count(patent_texts(data), PATENT_MIN_DF)
        path, label = TABLES["patent"], "patents"
    else:
        terms, path, label = count(data.queries.values()), TABLES["need"], "needs"
    write(terms, path, label)
    print(f"{path}: {len(terms.df)} terms from {terms.needs} {label}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
