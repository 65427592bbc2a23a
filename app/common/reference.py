"""Reference tables shipped in ``data/``: IPC titles, SEI, GB/T 4754 (see data/SOURCES.md)."""

import csv
import json
from functools import lru_cache

from app.config import get_settings


@lru_cache(maxsize=1)
def ipc_titles() -> dict[str, str]:
    path = get_settings().data_dir / "ipc_zh.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)  # header
        return {row[0]: _short(row[1]) for row in reader if len(row) >= 2}


def _short(title: str) -> str:
    # Subclass titles carry long classification notes after the first space ("注意 1. ...").
    return title.split(" 注意", 1)[0].strip()


def ipc_title(code: str) -> str | None:
    """Title of a code, falling back to its main group and then its subclass."""
    titles = ipc_titles()
    if code in titles:
        return titles[code]
    if "/" in code:
        main_group = code.split("/", 1)[0] + "/00"
        if main_group in titles:
            return titles[main_group]
    return titles.get(code[:4])


@lru_cache(maxsize=1)
def industry_codes() -> dict[str, str]:
    """GB/T 4754-2017 code (``C4210``) → name; the first name where the source repeats one."""
    with (get_settings().data_dir / "gbt4754_2017.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    names: dict[str, str] = {}
    for row in rows:
        names.setdefault(row["code"], row["name"])
    return names


@lru_cache(maxsize=1)
def industry_entries() -> dict[str, tuple[str, str]]:
    """GB/T 4754-2017 code → (name, official description), the first where codes repeat."""
    with (get_settings().data_dir / "gbt4754_2017.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    entries: dict[str, tuple[str, str]] = {}
    for row in rows:
        entries.setdefault(row["code"], (row["name"], row.get("description") or ""))
    return entries


@lru_cache(maxsize=1)
def industry_by_digits() -> dict[str, str]:
    """``4210`` → ``C4210``: divisions are numbered across sections, so digits are unique."""
    return {code[1:]: code for code in industry_codes() if len(code) > 1}


@lru_cache(maxsize=1)
def sei_names() -> dict[str, str]:
    """战略性新兴产业 category code (``"1.2"``) → name (``电子核心产业``)."""
    return {code: name for _, (code, name) in _sei_rows().items()}


@lru_cache(maxsize=1)
def _sei_rows() -> dict[int, tuple[str, str]]:
    path = get_settings().data_dir / "sei.jsonl"
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {row["id"]: (row["seiCode"], row["seiName"]) for row in rows}


@lru_cache(maxsize=1)
def _ipc_sei() -> dict[str, frozenset[str]]:
    rows = _sei_rows()
    table: dict[str, set[str]] = {}
    with (get_settings().data_dir / "ipc_sei.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                table.setdefault(item["ipcCode"], set()).add(rows[item["seiId"]][0])
    return {code: frozenset(cats) for code, cats in table.items()}


def sei_categories(ipc_codes: list[str]) -> list[str]:
    """SEI categories of a patent: each code maps by its longest listed prefix
    (subgroup, main group, subclass, class), as the concordance prescribes."""
    table = _ipc_sei()
    found: set[str] = set()
    for code in ipc_codes:
        candidates = [code]
        if "/" in code:
            candidates.append(code.split("/", 1)[0] + "/00")
        candidates += [code[:4], code[:3]]
        for candidate in candidates:
            if candidate in table:
                found |= table[candidate]
                break
    return sorted(found)
