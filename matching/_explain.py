"""Explanations: the query's words behind the match, contributing IPC classes, feature
shares and two Chinese summaries (one line for a business reader, one detailed)."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ._feedback import peer_values
from ._index import Snapshot
from ._ipc import clean_title, subclasses
from ._phrases import QueryWords, Shown
from ._query import Prepared
from ._sparse import row_values
from ._types import (
    Explanation,
    FeatureContribution,
    Feedback,
    IpcEvidence,
    TermContribution,
)
from ._zh_tables import STOPWORDS

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
# An IPC subclass is shown from this share of the match score: a predicted class with a
# few per cent probability is noise to a reader (G07C 投票或彩票设备 on a drone need).
_IPC_SHOWN = 0.05
# The IPC part is the score left after text and second-stage features (the first stage is
# text + IPC); below this it is float32 rounding, not evidence.
_NOISE = 1e-4
_ZH_TERMS = 4  # words named in the one-line summary
# Words of request and report prose that name no technology: listed among the terms (they
# did score) but not called 共同技术 in the one-line summary.
# fmt: off
_GENERIC_ZH = frozenset({
    "提高", "提升", "降低", "增加", "减少", "改善", "解决", "实现", "满足", "保证", "需要",
    "希望", "要求", "目前", "现在", "随着", "由于", "因此", "但是", "或者", "可能", "这个",
    "这种", "问题", "情况", "重要", "意义", "大量", "具体", "广泛", "进一步", "研发", "开发",
    "研究", "设计", "分析", "应用", "运用", "开展", "发展", "发展趋势", "结果", "手段", "方式",
    "方法", "方案", "效果", "过程", "产品", "生产", "项目", "市场", "企业", "公司", "合作",
    "技术", "工作", "领域", "行业", "传统", "主流", "具备", "特性", "一定", "相关", "使用",
    "存在", "主要", "我国", "国内", "国外", "成本", "质量", "系统", "装置", "设备",
})
# fmt: on
_ZH_CODES = 2
_ZH_SHORT = 12  # characters of an IPC title in the one-line summary
_TITLE_CUT_RE = re.compile(r"[；;，,]")
_TITLE_REF_RE = re.compile(r"〔[^〕]*〕|\[[^\]]*\]|\s+")


def explain(
    snap: Snapshot,
    prep: Prepared,
    tmax: float,
    rows: np.ndarray,
    scores: np.ndarray,
    contrib: dict[str, np.ndarray],
    feedback: Feedback | None = None,
    top_terms: int = 8,
) -> list[Explanation]:
    """One explanation per result row; ``tmax`` is the query's max BM25 over all rows and
    ``scores`` the rows' final scores."""
    text = row_values(snap.segments, snap.offsets, prep.ids, prep.w, rows)
    scale = snap.cfg.text / tmax if tmax > 0 else 0.0
    notes = _feedback_notes(snap, rows, contrib, feedback)
    # Only the terms some explained row matched are looked up in the query text.
    cols = np.flatnonzero(text.any(axis=0))
    vocab = snap.bm25.vocab
    credit = QueryWords(prep.text).credit([vocab.term(t) for t in prep.ids[cols].tolist()])
    shown = credit.shown(text[:, cols])
    out = []
    for i, row in enumerate(rows.tolist()):
        terms = _terms(shown[i], scale, top_terms)
        text_total = float(text[i].sum(dtype=np.float64)) * scale
        extra = {name: float(values[i]) for name, values in contrib.items() if values[i]}
        subs = [s for s in subclasses(snap.columns.codes(row, snap.tables)) if s in prep.evidence]
        rest = float(scores[i]) - text_total - sum(extra.values())
        ipc_total = extra.pop("ipc", 0.0) + _first_stage_ipc(rest)
        feats = _features(snap, text_total, ipc_total, extra)
        ipc = _ipc(snap, prep, subs, ipc_total, sum(f.contribution for f in feats))
        out.append(
            Explanation(
                terms,
                ipc,
                feats,
                _summary(terms, ipc, feats, notes[i]),
                _summary_zh(terms, ipc, feats, notes[i]),
            )
        )
    return out


def _terms(shown: list[Shown], scale: float, top: int) -> tuple[TermContribution, ...]:
    """The ``top`` words and phrases; shares are of the shown words' total."""
    shown = shown[:top]
    total = sum(s.amount for s in shown)
    return tuple(
        TermContribution(s.text, round(s.amount * scale, 6), s.amount / total) for s in shown
    )


def _first_stage_ipc(rest: float) -> float:
    """The IPC part the first stage gave: what text and the second stage leave of the score.

    Read off the score rather than recomputed from ``p(s|query)``, so that however the
    first stage weighs, damps or gates its IPC term, the features add up to the score as
    it was computed.  An IPC feature of the second stage (``contrib["ipc"]``) is added to
    it by the caller."""
    return rest if rest > _NOISE else 0.0


def _features(
    snap: Snapshot, text_total: float, ipc_total: float, extra: dict[str, float]
) -> tuple[FeatureContribution, ...]:
    """Each feature's value, contribution and share; the shares sum to 1."""
    raw = [("text", text_total / snap.cfg.text if snap.cfg.text else 0.0, text_total)]
    if ipc_total:
        raw.append(("ipc", ipc_total / snap.cfg.ipc, ipc_total))
    raw.extend((name, c / getattr(snap.cfg, name), c) for name, c in extra.items())
    total = sum(c for _, _, c in raw)
    if total <= 0:  # only when a negative rating outweighs everything: shares of size
        total = sum(abs(c) for _, _, c in raw) or 1.0
    return tuple(FeatureContribution(name, float(v), float(c), c / total) for name, v, c in raw)


def _ipc(
    snap: Snapshot, prep: Prepared, subs: list[str], ipc_total: float, score: float
) -> tuple[IpcEvidence, ...]:
    """The document's subclasses that carried at least ``_IPC_SHOWN`` of the score; the
    IPC part is split among them in proportion to ``p(s|query)``."""
    mass = sum(prep.evidence[s][0] for s in subs)
    if not ipc_total or mass <= 0 or score <= 0:
        return ()
    out = []
    for s in subs:
        p, source = prep.evidence[s]
        share = ipc_total * p / mass / score
        if share >= _IPC_SHOWN:
            title = snap.ipc_titles.get(s, "")
            out.append(IpcEvidence(s, title, source, round(p, 6), share))
    return tuple(sorted(out, key=lambda e: -e.share))


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


def _summary(
    terms: tuple[TermContribution, ...],
    ipc: tuple[IpcEvidence, ...],
    feats: tuple[FeatureContribution, ...],
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


def _summary_zh(
    terms: tuple[TermContribution, ...],
    ipc: tuple[IpcEvidence, ...],
    feats: tuple[FeatureContribution, ...],
    notes: dict[str, str],
) -> str:
    """Why, in one line: the shared words, the contributing classes, the other reasons."""
    parts = []
    named = [t.term for t in terms if not _generic(t.term)][:_ZH_TERMS]
    if named:
        parts.append("共同技术：" + "、".join(named))
    if ipc:
        codes = (f"{e.code} {_short_title(e.title)}".strip() for e in ipc[:_ZH_CODES])
        parts.append("分类相近：" + "、".join(codes))
    names = {f.feature for f in feats if f.contribution > 0}
    for name in ("mode", "region", "rating", "peer_intent"):
        if name in notes:
            parts.append(notes[name])
        elif name in names and name in _FEATURE_ZH:
            parts.append(_FEATURE_ZH[name])
    if not parts:
        parts.append("语义相近" if "dense" in names else "无显著匹配依据")
    return "；".join(parts)


@lru_cache(maxsize=1 << 14)  # the same words come back in every result of a need
def _generic(term: str) -> bool:
    """A word of ``_GENERIC_ZH``, or a phrase made of nothing else (解决问题, 提高效果)."""
    ends = {0}  # positions up to which ``term`` is generic words only
    for i in range(1, len(term) + 1):
        if any(term[j:i] in _GENERIC_ZH or term[j:i] in STOPWORDS for j in ends):
            ends.add(i)
    return len(term) in ends


def _short_title(title: str) -> str:
    """The head of an IPC title: 金属铸造；用相同工艺… → 金属铸造."""
    head = _TITLE_REF_RE.sub("", _TITLE_CUT_RE.split(clean_title(title))[0])
    return head if len(head) <= _ZH_SHORT else head[:_ZH_SHORT] + "…"
