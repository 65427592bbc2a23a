"""Batch term counting: the analyzer's terms of thousands of texts at once.

The result equals counting :func:`analyze` per field (tested), but per-character and
per-token work runs in C over a whole batch joined by NUL separators: normalization is a
code-point lookup array, rjieba cuts the joined text once, token → id goes through a
``defaultdict`` without a Python call per token, and character bigrams are integer codes
deduplicated by radix sort instead of hundreds of Python strings per document.
Indexing spends most of its time here, so this is what sets the build rate.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import compress, count

import numpy as np
import rjieba
import scipy.sparse as sp

from ._analyzer import _BOILERPLATE, _INNER_SEP_RE, _LATIN_RE, _TRANSLATE, analyze, normalize
from ._zh_tables import STOPWORDS

FieldTexts = tuple[str, ...]
Counts = tuple[list[str], np.ndarray, np.ndarray, np.ndarray]
_SEP = "\x00"
_SMALL = 16  # fewer texts than this: the plain per-text path has less overhead
_CJK_LO, _CJK_HI = 0x4E00, 0x9FFF
_LATIN_OR_SEP_RE = re.compile(_LATIN_RE.pattern + "|" + _SEP)


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Code point → normalized code point (BMP), and the code points it cannot handle.

    ``normalize`` is translate-then-lower; lower-casing is per character except for a
    few characters (final sigma, İ): texts containing them take the per-text path.
    """
    lut = np.arange(0x10000, dtype=np.uint32)
    unsafe = np.zeros(0x10000, bool)
    for cp in range(0x10000):
        mapped = _TRANSLATE.get(cp, cp)
        low = (chr(mapped) if isinstance(mapped, int) else mapped).lower()
        if len(low) == 1:
            lut[cp] = ord(low)
        else:
            unsafe[cp] = True
    unsafe[0x03A3] = True  # Σ lower-cases by context (σ or final ς)
    return lut, unsafe


_LUT, _UNSAFE = _tables()
_STOP_CODES = np.asarray(
    sorted((ord(s[0]) << 16) | ord(s[1]) for s in STOPWORDS if len(s) == 2), np.uint32
)


def count_local(docs: Sequence[FieldTexts], weights: tuple[float, ...]) -> Counts:
    """Weighted term counts of a batch with batch-local term ids (picklable result).

    Returns ``(terms, indptr, cols, vals)``: a CSR matrix (docs × local terms) whose
    entry is Σ over fields of field weight × count of the term in the field.
    """
    items = [
        (i, w, t)
        for i, fields in enumerate(docs)
        for t, w in zip(fields, weights, strict=True)
        if t and w
    ]
    if len(items) < _SMALL:
        return _count_simple(docs, weights)
    owner_doc = np.fromiter((i for i, _, _ in items), np.int64, len(items))
    owner_w = np.fromiter((w for _, w, _ in items), np.float32, len(items))
    joined = normalize_joined([t for _, _, t in items])
    # A missing key gets the next id inside the C dict code (no Python call per token).
    local: defaultdict[str, int] = defaultdict(count().__next__)
    parts = [_word_ids(joined, local), _latin_ids(joined, local), _bigram_ids(joined, local)]
    ids = np.concatenate([p[0] for p in parts])
    owner = np.concatenate([p[1] for p in parts])
    used = np.zeros(len(local), bool)
    used[ids] = True  # punctuation and stop words got an id too: drop them
    remap = np.cumsum(used) - 1
    m = sp.csr_matrix(
        (owner_w[owner], (owner_doc[owner], remap[ids])),
        shape=(len(docs), int(used.sum())),
        dtype=np.float32,
    )  # COO → CSR sums the duplicates
    terms = list(compress(local, used))
    return terms, m.indptr.astype(np.int64), m.indices.astype(np.int32), m.data


def normalize_joined(texts: Sequence[str]) -> str:
    """``"\\0".join(normalize(t) for t in texts)``, computed on the joined text.

    A NUL inside a text becomes a space (both only separate terms).
    """
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:
        joined = _SEP.join(t.replace(_SEP, " ") for t in texts)
    arr = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    if arr.max(initial=0) > 0xFFFF or _UNSAFE[arr].any():
        return _SEP.join(map(normalize, joined.split(_SEP)))
    out = _LUT[arr].tobytes().decode("utf-32-le")
    for phrase in _BOILERPLATE:  # phrases hold no separator, so none spans two texts
        if phrase in out:
            out = out.replace(phrase, " ")
    return out


def _owned(tokens: list[str], local: defaultdict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Local ids of ``tokens`` (separators included) → (ids, text index) without them."""
    ids = np.fromiter(map(local.__getitem__, tokens), np.int64, len(tokens))
    is_sep = ids == local[_SEP]
    owner = np.cumsum(is_sep)
    return ids[~is_sep], owner[~is_sep]


def _word_ids(joined: str, local: defaultdict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """rjieba words (CJK-initial, not stop words) of all texts at once.

    The separator is not a Han character, so jieba never joins words across texts.
    """
    ids, owner = _owned(rjieba.cut(joined), local)
    terms = list(local)
    is_word = np.fromiter(
        ("\u4e00" <= t[0] <= "\u9fff" and t not in STOPWORDS for t in terms), bool, len(terms)
    )
    keep = is_word[ids]
    return ids[keep], owner[keep]


def _latin_ids(joined: str, local: defaultdict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Latin/digit tokens and their parts around inner separators (li-ion → li, ion)."""
    tokens = []
    for token in _LATIN_OR_SEP_RE.findall(joined):
        if token not in STOPWORDS:
            tokens.append(token)
        if _INNER_SEP_RE.search(token):
            tokens.extend(p for p in _INNER_SEP_RE.split(token) if p and p not in STOPWORDS)
    return _owned(tokens, local)


def _bigram_ids(joined: str, local: defaultdict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Local ids of all CJK character bigrams of ``joined``, and their text index."""
    arr = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    cjk = (arr >= _CJK_LO) & (arr <= _CJK_HI)
    pos = np.flatnonzero(cjk[:-1] & cjk[1:])
    codes = (arr[pos] << 16) | arr[pos + 1]
    keep = ~np.isin(codes, _STOP_CODES)
    pos, codes = pos[keep], codes[keep]
    owner = np.cumsum(arr == ord(_SEP))[pos]  # separators before the bigram
    uniq, inv = _unique(codes)
    pairs = np.empty(2 * len(uniq), np.uint32)
    pairs[0::2], pairs[1::2] = uniq >> 16, uniq & 0xFFFF
    chars = pairs.tobytes().decode("utf-32-le")
    strings = [chars[j : j + 2] for j in range(0, len(chars), 2)]
    ids = np.fromiter(map(local.__getitem__, strings), np.int64, len(strings))
    return ids[inv], owner


def _unique(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(codes, return_inverse=True)`` for uint32 codes, ~4x faster.

    Stable argsorts of 16-bit keys are radix sorts in numpy (linear time).
    """
    low = np.argsort((codes & 0xFFFF).astype(np.uint16), kind="stable")
    order = low[np.argsort((codes[low] >> 16).astype(np.uint16), kind="stable")]
    ordered = codes[order]
    first = np.empty(len(ordered), bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inv = np.empty(len(ordered), np.int64)
    inv[order] = np.cumsum(first) - 1
    return ordered[first], inv


def _count_simple(docs: Sequence[FieldTexts], weights: tuple[float, ...]) -> Counts:
    """The reference path: :func:`analyze` and a Counter per field."""
    local: dict[str, int] = {}
    indptr: list[int] = [0]
    cols: list[int] = []
    vals: list[float] = []
    for fields in docs:
        merged: dict[str, float] = {}
        for text, w in zip(fields, weights, strict=True):
            if text and w:
                for term, c in Counter(analyze(text)).items():
                    merged[term] = merged.get(term, 0.0) + c * w
        cols.extend(local.setdefault(t, len(local)) for t in merged)
        vals.extend(merged.values())
        indptr.append(len(cols))
    return (
        list(local),
        np.asarray(indptr, np.int64),
        np.asarray(cols, np.int32),
        np.asarray(vals, np.float32),
    )
