"""The feedback replay mode: deterministic generator, no leakage, all variants reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TOY

from matching.tools.beir import BeirSet
from matching.tools.evaluate import main
from matching.tools.feedback_eval import run_feedback
from matching.tools.feedback_sim import Event, grade, simulate, split

DATA = BeirSet(
    "toy",
    list(TOY),
    {"q1": "锂电池", "q2": "锂电池 回收", "q3": "风力发电 叶片", "q4": "无人机 喷洒"},
    {"q1": {"p1": 2, "p2": 1}, "q2": {"p5": 2, "p1": 1}, "q3": {"p3": 2}, "q4": {"p6": 2}},
)


def test_grades_follow_intent_rating_none_no_need() -> None:
    assert grade(Event("e", "p", "license", 0.0)) == 3
    assert grade(Event("e", "p", "", 4.0)) == 2
    assert grade(Event("e", "p", "", 3.7)) == 1
    assert grade(Event("e", "p", "", 0.0)) == 1
    assert grade(Event("e", "p", "no_need", 5.0)) == 0


def test_generator_is_deterministic_and_split_does_not_leak() -> None:
    shown = {q: ["p1", "p2", "p3"] for q in DATA.queries}
    events, prospect = simulate(DATA, shown, seed=7)
    assert (events, prospect) == simulate(DATA, shown, seed=7)
    assert simulate(DATA, shown, seed=8)[1] != prospect
    pairs = [(e.enterprise, e.patent) for e in events]
    assert len(pairs) == len(set(pairs))  # one reaction per shown pair
    feats, held = split(events, seed=7)
    used = {(e.enterprise, e.patent) for e in feats}
    assert used.isdisjoint((e.enterprise, e.patent) for e in held)
    assert len(feats) + len(held) == len(events)


def test_replay_reports_every_variant() -> None:
    row = run_feedback(DATA, {}, seed=3)
    assert row["feedback"]["feature_pairs"] + row["feedback"]["label_pairs"] > 0
    for variant in ("off", "ratings", "peers", "on"):
        assert set(row[variant]) >= {"ndcg@10", "intent_recall@10", "no_need@10"}
    assert row == run_feedback(DATA, {}, seed=3)  # deterministic


def test_command_line_feedback_mode(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "toy"
    (root / "qrels").mkdir(parents=True)
    docs = "\n".join(
        f'{{"_id": "{d.id}", "title": "{d.title}", "text": "{d.abstract}"}}' for d in TOY
    )
    (root / "corpus.jsonl").write_text(docs + "\n", encoding="utf-8")
    (root / "queries.jsonl").write_text('{"_id": "q1", "text": "锂电池"}\n', encoding="utf-8")
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tp1\t1\n")
    assert main([str(root), "--feedback", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "generated feedback" in out and "  on " in out and "  off " in out
