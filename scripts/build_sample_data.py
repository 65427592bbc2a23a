"""Rebuild data/sample_patents.jsonl from ../shared/data (run by hand; output is committed).

Sources (see data/SOURCES.md):
- patent_export_sample.csv: 10 complete real records;
- cn_patent_titles.jsonl: real titles and IPC subclasses, without application numbers.
  Those get *synthetic* application numbers in year 2099 (valid check digit), so they can
  never collide with a real number, and belong to fictional sample institutions.
"""

import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.common.identifiers import application_check_digit  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
KIND_TYPE = {
    "A": ("invention", "1", "pending"),
    "B": ("invention", "1", "valid"),
    "U": ("utility_model", "2", "valid"),
    "S": ("design", "3", "valid"),
}
INSTITUTIONS = ["SAMPLE-U1", "SAMPLE-U2", "SAMPLE-U3", "SAMPLE-R1"]
MODES = [["transfer", "license"], ["license"], ["transfer", "equity"], ["license", "cooperation"]]


def _date(value: str) -> str | None:
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 else None


# Left out of the sample so the README walk-through can create it on a fresh service.
WALKTHROUGH_NUMBER = "CN202121635235.X"


def export_rows() -> list[dict[str, object]]:
    rows = []
    with (SHARED / "patent_export_sample.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["申请号"] == WALKTHROUGH_NUMBER:
                continue
            rows.append(
                {
                    "application_number": r["申请号"],
                    "publication_number": r["公开号"],
                    "patent_type": r["专利类型"],
                    "title": r["专利名称"],
                    "abstract": r["申请摘要"],
                    "first_claim": r["主权项"],
                    "ipc_main": r["主分类号"],
                    "ipc_codes": r["分类号"].split(";"),
                    "applicants": r["申请人"].split(";"),
                    "inventors": r["发明人"].split(";"),
                    "filing_date": _date(r["申请日"]),
                    "publication_date": _date(r["公开日"]),
                    "grant_date": _date(r["授权公告日"]),
                    "legal_status": r["法律状态"],
                    "institution": "SAMPLE-ZK",
                    "transaction_modes": ["transfer", "license"],
                    "source": "patent_export_sample.csv",
                }
            )
    return rows


def title_rows(count: int) -> list[dict[str, object]]:
    lines = (SHARED / "cn_patent_titles.jsonl").read_text(encoding="utf-8").splitlines()
    step = max(1, len(lines) // count)
    rows = []
    for i, line in enumerate(lines[::step][:count]):
        rec = json.loads(line)
        kind = rec["publication_number"][-1]
        patent_type, type_digit, status = KIND_TYPE.get(kind, KIND_TYPE["A"])
        digest = int(hashlib.sha1(rec["publication_number"].encode()).hexdigest(), 16)
        body = f"2099{type_digit}{digest % 10_000_000:07d}"
        rows.append(
            {
                "application_number": f"CN{body}.{application_check_digit(body)}",
                "publication_number": rec["publication_number"],
                "patent_type": patent_type,
                "title": rec["title"],
                "ipc_codes": rec["ipc_subclasses"],
                "legal_status": status,
                "institution": INSTITUTIONS[i % len(INSTITUTIONS)],
                "value_grade": "ABC"[digest % 3],
                "transaction_modes": MODES[digest % len(MODES)],
                "state_funded": digest % 2 == 0,
                "source": "cn_patent_titles.jsonl",
            }
        )
    return rows


def main() -> None:
    rows = export_rows() + title_rows(291)
    out = ROOT / "data" / "sample_patents.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} patents to {out}")


if __name__ == "__main__":
    main()
