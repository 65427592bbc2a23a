"""Explanations: shared terms, IPC evidence, feature contributions and a Chinese summary."""

from __future__ import annotations

import numpy as np

from ._feedback import peer_values
from ._index import Snapshot
from ._ipc import subclasses
from ._query import Prepared
from ._sparse import row_values
from ._types import (
    Explanation,
    FeatureContribution,
    Feedback,
    IpcEvidence,
    TermContribution,
)

_FEATURE_ZH = {"mode": "交易方式匹配", "region": "地区偏好一致", "value": "价值等级加分"}
_SOURCE_ZH = {"shared": "共同", "predicted": "预测", "hint": "指定"}
_PEER_SAID = 0.2  # peer_intent value from which the summary names it
_INTENT_ZH = {
    "transfer": "转让",
    "license": "许可",
    "equity": "作价入股",
    "improvement": "技术改进",
    "cooperation": "产学研合作",
}


def explain(
    snap: Snapshot,
    prep: Prepared,
    tmax: float,
    rows: np.ndarray,
    contrib: dict[str, np.ndarray],
    feedback: Feedback | None = None,
    top_terms: int = 8,
) -> list[Explanation]:
    """One explanation per result row; ``tmax`` is the query's max BM25 over all rows."""
    text = row_values(snap.segments, snap.offsets, prep.ids, prep.w, rows)
    scale = snap.cfg.text / tmax if tmax > 0 else 0.0
    notes = _feedback_notes(snap, rows, contrib, feedback)
    out = []
    for i, row in enumerate(rows.tolist()):
        v = text[i]
        hit = np.flatnonzero(v)
        # Falling contribution; ties in query-term order.
        top = hit[np.lexsort((hit, -v[hit]))][:top_terms]
        terms = _terms(snap, prep, top, v[top] * scale)
        subs = _doc_subclasses(snap, row)
        ipc = _ipc(snap, prep, subs)
        text_total = float(v[hit].sum() * scale)
        feats = [
            FeatureContribution("text", text_total / snap.cfg.text if scale else 0.0, text_total)
        ]
        # "ipc" comes from the rerank's contributions (neutral for a document without
        # codes), so the features add up to the score.
        for name, values in contrib.items():
            weight = getattr(snap.cfg, name)
            if values[i]:
                feats.append(FeatureContribution(name, float(values[i]) / weight, float(values[i])))
        summary = _summary(terms, ipc, feats, notes[i])
        out.append(Explanation(terms, ipc, tuple(feats), summary))
    return out


def _feedback_notes(
    snap: Snapshot, rows: np.ndarray, contrib: dict[str, np.ndarray], fb: Feedback | None
) -> list[dict[str, str]]:
    """Chinese phrases of the feedback features per result row (numbers and intent)."""
    notes: list[dict[str, str]] = [{} for _ in range(len(rows))]
    if fb is None:
        return notes
    if "rating" in contrib:
        for i, row in enumerate(rows.tolist()):
            r = fb.ratings.get(snap.ids[row])
            if r is not None and contrib["rating"][i]:
                notes[i]["rating"] = f"产业化前景评价{r.mean:.1f}分（{r.raters}家企业）"
    if "peer_intent" in contrib:
        for i, source in enumerate(peer_values(snap, rows, fb.liked)[1]):
            # Named only when the patents are clearly alike; the number is always listed.
            if (
                source is not None
                and contrib["peer_intent"][i] >= _PEER_SAID * snap.cfg.peer_intent
            ):
                zh = _INTENT_ZH.get(source.intent, "合作")
                notes[i]["peer_intent"] = f"相似企业对相似专利表达过{zh}意向"
    return notes


def _terms(
    snap: Snapshot, prep: Prepared, pos: np.ndarray, vals: np.ndarray
) -> tuple[TermContribution, ...]:
    """``pos``/``vals``: a row's top postings, already in falling order."""
    term_ids = prep.ids[pos].tolist()
    return tuple(
        TermContribution(snap.bm25.vocab.term(t), round(v, 6))
        for t, v in zip(term_ids, vals.tolist(), strict=True)
    )


def _doc_subclasses(snap: Snapshot, row: int) -> list[str]:
    return subclasses(snap.columns.codes(row, snap.tables))


def _ipc(snap: Snapshot, prep: Prepared, subs: list[str]) -> tuple[IpcEvidence, ...]:
    out = []
    for s in subs:
        if s in prep.evidence:
            p, source = prep.evidence[s]
            out.append(IpcEvidence(s, snap.ipc_titles.get(s, ""), source, round(p, 6)))
    return tuple(sorted(out, key=lambda e: -e.probability))


def _summary(
    terms: tuple[TermContribution, ...],
    ipc: tuple[IpcEvidence, ...],
    feats: list[FeatureContribution],
    notes: dict[str, str],
) -> str:
    parts = []
    if terms:
        words = "、".join(dict.fromkeys(t.term for t in terms[:5]))
        parts.append(f"共同关键词：{words}")
    for e in ipc[:2]:
        title = f"（{e.title[:20]}）" if e.title else ""
        parts.append(
            f"IPC {e.code}{title}{_SOURCE_ZH.get(e.source, '')}相关，概率{e.probability:.0%}"
        )
    for f in feats:
        if f.feature == "dense" and f.contribution > 0:
            parts.append(f"语义相似度{f.value:.2f}")
        elif f.feature in notes:
            parts.append(notes[f.feature])
        elif f.feature in _FEATURE_ZH:
            parts.append(_FEATURE_ZH[f.feature])
    return "；".join(parts) if parts else "无显著匹配依据"
