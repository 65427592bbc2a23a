"""Reading BEIR-layout datasets into PatentDocs, query texts and qrels."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import NamedTuple

from .._types import NeedDoc, PatentDoc
from .metrics import USEFUL

_TITLE_MAX = 50  # a first sentence longer than this is not a title (需求名称)


class BeirSet(NamedTuple):
    name: str
    docs: list[PatentDoc]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    kinds: dict[str, str] = {}  # doc id → metadata.kind ("offer", "patent")


def need_from_text(qid: str, text: str) -> NeedDoc:
    """A posted need as the service stores it: title (需求名称) and description.

    The market's need texts are the title, "。", then the description (need-dev's
    queries.jsonl); a text whose first sentence is longer than a title is all description.
    """
    title, sep, rest = text.partition("。")
    if not sep or len(title.strip()) > _TITLE_MAX:
        return NeedDoc(qid, description=text)
    return NeedDoc(qid, title=title.strip(), description=rest.strip())


def load_beir(path: str | Path, split: str = "test") -> BeirSet:
    """Load ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv`` from ``path``.

    ``metadata.ipc_subclasses`` becomes ``PatentDoc.ipc_codes``; ``text`` the abstract.
    """
    root = Path(path)
    docs, kinds = [], {}
    with open(root / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            meta = row.get("metadata") or {}
            if meta.get("kind"):
                kinds[str(row["_id"])] = str(meta["kind"])
            docs.append(
                PatentDoc(
                    str(row["_id"]),
                    title=row.get("title") or "",
                    abstract=row.get("text") or "",
                    ipc_codes=tuple(meta.get("ipc_subclasses") or ()),
                )
            )
    with open(root / "queries.jsonl", encoding="utf-8") as fh:
        queries = {str(r["_id"]): r["text"] for r in map(json.loads, fh)}
    qrels: dict[str, dict[str, int]] = {}
    with open(root / "qrels" / f"{split}.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {q: t for q, t in queries.items() if q in qrels}
    return BeirSet(root.name, docs, queries, qrels, kinds)


def load_ipc_titles(path: str | Path) -> dict[str, str]:
    """``code<TAB>title`` lines (header allowed) → dict."""
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            code, _, title = line.rstrip("\n").partition("\t")
            if code and code != "code":
                out[code] = title
    return out


class ReverseSet(NamedTuple):
    """A pooled need set read the other way: patents and offers ask for enterprises.

    ``queries`` are the corpus documents with at least one useful (grade ≥ 2) need, as
    the service queries the enterprise index with a patent (title, text, IPC);
    ``candidates`` are all the needs, as enterprise documents (``need_from_text``); the
    qrels are the same judgments, transposed (document → need → grade, zeros included).
    ``texts`` are the raw texts of both sides, for a baseline over the same words.
    """

    name: str
    queries: list[PatentDoc]
    candidates: list[NeedDoc]
    qrels: dict[str, dict[str, int]]
    texts: dict[str, str]  # query and candidate id → raw text (title + text; need text)


def transpose(data: BeirSet) -> ReverseSet:
    """The reverse (patent → enterprise) set of a pooled need set.

    Ids of needs and documents must be disjoint (they are in need-dev: D001…, A0001…).
    """
    qrels: dict[str, dict[str, int]] = {}
    for need, rel in data.qrels.items():
        for doc, grade in rel.items():
            qrels.setdefault(doc, {})[need] = grade
    asked = {d for d, rel in qrels.items() if any(g >= USEFUL for g in rel.values())}
    queries = [d for d in data.docs if d.id in asked]
    candidates = [need_from_text(q, t) for q, t in data.queries.items()]
    texts = {d.id: f"{d.title} {d.abstract}".strip() for d in queries}
    texts.update(data.queries)
    kept = {d.id: qrels[d.id] for d in queries}
    return ReverseSet(f"{data.name} (reverse)", queries, candidates, kept, texts)
