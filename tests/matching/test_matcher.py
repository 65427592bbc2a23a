from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import IPC_TITLES, TOY

import matching
from matching import (
    DuplicateDocumentError,
    EmptyQueryError,
    Filters,
    IndexMismatchError,
    LsaEncoder,
    Matcher,
    NeedDoc,
    PatentDoc,
    UnknownDocumentError,
)
from matching._query import prepare
from matching._scoring import dense_rows


def ids(results: list[matching.Match]) -> list[str]:
    return [r.id for r in results]


def test_toy_exact_rankings(toy: Matcher, need: NeedDoc) -> None:
    assert ids(toy.match(need)) == ["p1", "p2", "p4"]  # p5 (锂电池) is lapsed
    assert ids(toy.match("风力发电")) == ["p3"]
    assert ids(toy.match("太阳能 机器人")) == ["p4"]
    assert ids(toy.match("锂电池", filters=Filters(include_lapsed=True)))[:3] == ["p1", "p5", "p2"]


def test_scores_descend_and_ties_break_on_id() -> None:
    docs = [PatentDoc(i, title="锂电池") for i in ("b", "a", "c")]
    res = Matcher.fit(docs).match("锂电池")
    assert ids(res) == ["a", "b", "c"]
    assert res[0].score == res[1].score == res[2].score


def test_identical_documents_fit_no_lsa_and_warn_nothing() -> None:
    """All rows alike: an SVD would divide by a zero variance (a RuntimeWarning) and
    its components would be arbitrary; the dense channel is left out instead."""
    docs = [PatentDoc(str(i), title="锂电池 回收", abstract="正极材料 回收") for i in range(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        matcher = Matcher.fit(docs)
    assert matcher.snapshot.encoder is None
    assert ids(matcher.match("锂电池")) == ["0", "1", "2", "3", "4"]
    assert LsaEncoder.fit(sp.csr_matrix(np.eye(4, dtype=np.float32)), 2, 10) is not None


def test_dense_agrees_with_naive_cosine(toy: Matcher) -> None:
    snap = toy.snapshot
    prep = prepare(snap, "锂电池 回收")
    lsa = snap.encoder
    assert isinstance(lsa, LsaEncoder)
    values = prep.w * snap.bm25.idf[prep.ids]
    q = np.zeros(snap.bm25.n_terms)
    q[prep.ids] = values
    docs = np.vstack([s.toarray() for s in snap.segments])
    comp = np.zeros((lsa.dim, docs.shape[1]))
    comp[:, lsa.columns] = lsa.components

    def naive(v: np.ndarray) -> np.ndarray:
        z = comp @ (v / np.linalg.norm(v))
        return z / np.linalg.norm(z)

    rows = np.arange(len(TOY))
    fast = dense_rows(snap, rows) @ lsa.encode_terms(prep.ids, values)  # the query path
    slow = np.array([naive(d) @ naive(q) for d in docs])
    np.testing.assert_allclose(fast, slow, atol=1e-4)


def test_filters_apply_before_top_k(toy: Matcher, need: NeedDoc) -> None:
    assert ids(toy.match(need, filters=Filters(regions=frozenset({"浙江"})))) == ["p2"]
    assert ids(toy.match("电池", filters=Filters(ipc_prefixes=("H02S",)))) == ["p4"]
    assert ids(toy.match("电池", filters=Filters(ipc_prefixes=("H01M10/",)))) == ["p2"]
    assert ids(toy.match("锂电池", filters=Filters(modes=frozenset({"license"})))) == ["p2"]
    assert ids(toy.match("电池", filters=Filters(institution_ids=frozenset({"u3"})))) == ["p4"]
    assert ids(toy.match("叶片", filters=Filters(patent_types=frozenset({"invention"})))) == []
    assert "p1" not in ids(toy.match(need, filters=Filters(exclude_ids=frozenset({"p1"}))))
    strict = NeedDoc("n2", title="锂电池", regions=frozenset({"浙江"}), cross_region=False)
    assert ids(toy.match(strict)) == ["p2"]


def test_explanations_present_and_correct(toy: Matcher, need: NeedDoc) -> None:
    top = toy.match(need)[0]
    ex = top.explanation
    assert ex is not None
    # 锂电池 + the bigram 池正 + 正极: the need's own phrase, not its pieces.
    assert ex.terms[0].term == "锂电池正极"
    assert all(t.contribution > 0 for t in ex.terms)
    assert ex.ipc[0].code == "H01M" and ex.ipc[0].title == IPC_TITLES["H01M"]
    assert ex.ipc[0].source == "predicted"
    feats = {f.feature: f for f in ex.features}
    assert {"text", "ipc", "mode", "region", "value"} <= set(feats)
    assert sum(f.contribution for f in ex.features) == pytest.approx(top.score, rel=1e-5)
    assert "共同关键词" in ex.summary and "交易方式匹配" in ex.summary
    assert ex.summary_zh.startswith("共同技术：锂电池正极") and "交易方式匹配" in ex.summary_zh
    assert toy.match(need, explain=False)[0].explanation is None


def test_ipc_hints_and_prediction(toy: Matcher) -> None:
    assert toy.predict_ipc("锂电池电解液")[0].code == "H01M"
    hinted = NeedDoc("n3", title="清洗", ipc_hints=("H02S",))
    res = toy.match(hinted)
    explanation = res[0].explanation
    assert explanation is not None
    assert res[0].id == "p4" and any(e.source == "hint" for e in explanation.ipc)


def test_empty_query_raises(toy: Matcher) -> None:
    with pytest.raises(EmptyQueryError):
        toy.match("的了和")


def test_batch_equals_single(toy: Matcher, need: NeedDoc) -> None:
    queries: list[NeedDoc | str] = [need, "风力发电", "太阳能 机器人", "锂电池 回收"]
    batch = toy.match_many(queries, k=5)
    for q, res in zip(queries, batch, strict=True):
        single = toy.match(q, k=5, explain=False)
        assert ids(res) == ids(single)
        np.testing.assert_allclose([r.score for r in res], [r.score for r in single], rtol=1e-5)


def test_batch_explains_only_what_the_predicate_accepts(toy: Matcher, need: NeedDoc) -> None:
    queries: list[NeedDoc | str] = [need, "锂电池 回收"]
    full = toy.match_many(queries, k=5, explain=True)
    some = toy.match_many(queries, k=5, explain=lambda q, i, s: q == 0 and i == full[0][1].id)
    assert [ids(r) for r in some] == [ids(r) for r in full]
    assert some[0][1].explanation == full[0][1].explanation is not None
    explained = [(q, m.id) for q, res in enumerate(some) for m in res if m.explanation]
    assert explained == [(0, full[0][1].id)]


def test_patent_to_needs_direction() -> None:
    needs = [
        NeedDoc(
            "n1", title="锂电池正极材料需求", modes=frozenset({"transfer"}), ipc_hints=("H01M",)
        ),
        NeedDoc("n2", title="风电叶片降噪", region="江苏"),
        NeedDoc("n3", title="锂电池", region="广东", cross_region=False),
    ]
    index = Matcher.fit(needs)
    res = index.match(TOY[0])  # a Jiangsu transfer patent on lithium cathodes
    assert ids(res)[0] == "n1" and "n3" not in ids(res)
    explanation = res[0].explanation
    assert explanation is not None
    assert any(f.feature == "mode" for f in explanation.features)


def test_incremental_equals_reindex_with_same_models() -> None:
    inc = Matcher.fit(TOY[:4], ipc_titles=IPC_TITLES)
    inc.add(TOY[4:])  # brings terms the fit never saw (废旧, 回收, 无人机, …)
    inc.remove(["p2"])
    inc.update([PatentDoc("p3", title="风力发电机叶片降噪", ipc_codes=("F03D1/06",))])
    final = [TOY[0], TOY[3], TOY[4], TOY[5],
             PatentDoc("p3", title="风力发电机叶片降噪", ipc_codes=("F03D1/06",))]  # fmt: skip
    assert inc.snapshot.bm25.n_terms > Matcher.fit(TOY[:4]).snapshot.bm25.n_terms
    # A reindex with the incremental index's (grown) models: same postings, no tombstones.
    fresh = Matcher(inc.snapshot)
    fresh.refit(final, models=False)
    assert len(fresh.snapshot.ids) == len(final) < len(inc.snapshot.ids)
    assert inc.fingerprint == fresh.fingerprint == matching.corpus_fingerprint(final)
    for q in ["锂电池", "风力 叶片", "电池 清洗", "锂电池 降噪", "无人机 回收"]:
        a, b = inc.match(q, explain=False), fresh.match(q, explain=False)
        assert ids(a) == ids(b)
        np.testing.assert_allclose([r.score for r in a], [r.score for r in b], rtol=1e-6)
    inc.refit(final)  # periodic refit == a fresh fit on the same documents
    again = Matcher.fit(final, ipc_titles=IPC_TITLES)
    assert ids(inc.match("锂电池")) == ids(again.match("锂电池"))


def test_add_grows_the_vocabulary(tmp_path) -> None:
    m = Matcher.fit(TOY)
    with pytest.raises(EmptyQueryError):
        m.match("石墨烯")
    old = m.snapshot
    m.add([PatentDoc("g1", title="石墨烯散热膜", abstract="石墨烯散热膜用于手机散热。")])
    assert ids(m.match("石墨烯"))[0] == "g1"
    assert ids(m.match("石墨烯散热膜"))[0] == "g1"
    explanation = m.match("石墨烯")[0].explanation
    assert explanation is not None and [t.term for t in explanation.terms] == ["石墨烯"]
    with pytest.raises(EmptyQueryError):  # the old snapshot keeps its own vocabulary
        Matcher(old).match("石墨烯")
    m.update([PatentDoc("p6", title="无人机石墨烯电池", abstract="石墨烯电极。")])
    assert set(ids(m.match("石墨烯"))[:2]) == {"g1", "p6"}
    assert ids(m.match_many(["石墨烯", "锂电池"])[0]) == ids(m.match("石墨烯"))
    matching.save(m, tmp_path / "idx")
    loaded = matching.load(tmp_path / "idx", fingerprint=m.fingerprint)
    assert loaded.match("石墨烯 散热") == m.match("石墨烯 散热")
    assert loaded.snapshot.bm25.n_terms == m.snapshot.bm25.n_terms


def test_own_id_excluded_only_within_one_kind(toy: Matcher) -> None:
    assert "p1" not in ids(toy.match(TOY[0]))  # a patent's similar patents: not itself
    need = NeedDoc("p1", title="锂电池正极材料")  # another id space that reuses "p1"
    assert ids(toy.match(need))[0] == "p1"
    needs = Matcher.fit([NeedDoc("p1", title="锂电池正极"), NeedDoc("n2", title="锂电池")])
    assert "p1" in ids(needs.match(TOY[0]))
    assert ids(needs.match(NeedDoc("p1", title="锂电池"))) == ["n2"]


def test_lifecycle_errors(toy: Matcher) -> None:
    m = Matcher.fit(TOY)
    with pytest.raises(DuplicateDocumentError):
        m.add([TOY[0]])
    with pytest.raises(UnknownDocumentError):
        m.remove(["nope"])
    with pytest.raises(matching.NotFittedError):
        Matcher().match("x")


def test_save_load_roundtrip_and_refusals(toy: Matcher, need: NeedDoc, tmp_path) -> None:
    matching.save(toy, tmp_path / "idx")
    loaded = matching.load(tmp_path / "idx", fingerprint=matching.corpus_fingerprint(TOY))
    assert toy.match(need) == loaded.match(need)
    with pytest.raises(IndexMismatchError, match="fingerprint"):
        matching.load(tmp_path / "idx", fingerprint="0" * 16)
    version = (tmp_path / "idx" / "CURRENT").read_text(encoding="utf-8")
    meta_path = tmp_path / "idx" / version / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["analyzer_version"] = "zh-0"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="analyzer_version"):
        matching.load(tmp_path / "idx")
    with pytest.raises(IndexMismatchError):
        matching.load(tmp_path / "missing")


def test_concurrent_reads_during_writes() -> None:
    m = Matcher.fit(TOY)
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                res = m.match("锂电池", explain=True)
                assert res and res[0].id in {"p1", "p2", "x0"} | {f"x{i}" for i in range(50)}
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(50):
        m.add([PatentDoc(f"x{i}", title=f"锂电池改进{i}", ipc_codes=("H01M",))])
        if i % 10 == 9:
            m.remove([f"x{i}"])
    m.refit(TOY)
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert len(m) == len(TOY)


def test_fingerprint_is_the_same_in_every_process() -> None:
    """Sets repr in hash-seed order; the fingerprint must not (else a restarted service
    never reuses its saved index)."""
    code = (
        "from matching import NeedDoc, PatentDoc, corpus_fingerprint\n"
        "p = PatentDoc('1', title='t', modes={'license', 'transfer', 'equity'})\n"
        "n = NeedDoc('2', title='n', modes={'license', 'transfer'},"
        " regions={'浙江', '江苏', '上海'})\n"
        "print(corpus_fingerprint([p]), corpus_fingerprint([n]))\n"
    )
    root = Path(__file__).resolve().parents[2]
    prints = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(prints) == 1


def test_match_many_gives_an_unknown_query_an_empty_ranking(toy: Matcher) -> None:
    # One need without a known term must not abort the batch; match() still raises.
    res = toy.match_many(["锂电池", "的了和", "风力发电"], k=2)
    assert [len(r) > 0 for r in res] == [True, False, True]
    assert res[0] == toy.match("锂电池", k=2, explain=False)
