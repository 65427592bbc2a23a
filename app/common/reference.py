"""Reference tables shipped in ``data/``: IPC titles, SEI, GB/T 4754 (see data/SOURCES.md).

They are read from the directory of the running app's settings, which ``create_app`` and
the CLI hand to ``use``; validators and schemas look tables up without a request at hand,
so the choice is per process. Each table is parsed once per directory.
"""

import csv
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from app.config import DATA_DIR

_data_dir = DATA_DIR


def use(data_dir: Path) -> None:
    """Read the tables from ``data_dir`` from now on (the app's ``settings.data_dir``)."""
    global _data_dir
    _data_dir = data_dir


def ipc_titles() -> dict[str, str]:
    return _ipc_titles(_data_dir)


@cache
def _ipc_titles(data_dir: Path) -> dict[str, str]:
    with (data_dir / "ipc_zh.tsv").open(encoding="utf-8", newline="") as fh:
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


def industry_codes() -> dict[str, str]:
    """GB/T 4754-2017 code (``C4210``) → name; the first name where the source repeats one."""
    return _industry_codes(_data_dir)


@cache
def _industry_codes(data_dir: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in _jsonl(data_dir / "gbt4754_2017.jsonl"):
        names.setdefault(row["code"], row["name"])
    return names


def industry_entries() -> dict[str, tuple[str, str]]:
    """GB/T 4754-2017 code → (name, official description), the first where codes repeat."""
    return _industry_entries(_data_dir)


@cache
def _industry_entries(data_dir: Path) -> dict[str, tuple[str, str]]:
    entries: dict[str, tuple[str, str]] = {}
    for row in _jsonl(data_dir / "gbt4754_2017.jsonl"):
        entries.setdefault(row["code"], (row["name"], row.get("description") or ""))
    return entries


def industry_by_digits() -> dict[str, str]:
    """``4210`` → ``C4210``: divisions are numbered across sections, so digits are unique."""
    return _industry_by_digits(_data_dir)


@cache
def _industry_by_digits(data_dir: Path) -> dict[str, str]:
    return {code[1:]: code for code in _industry_codes(data_dir) if len(code) > 1}


def sei_names() -> dict[str, str]:
    """战略性新兴产业 category code (``"1.2"``) → name (``电子核心产业``)."""
    return _sei_names(_data_dir)


@cache
def _sei_names(data_dir: Path) -> dict[str, str]:
    return {code: name for _, (code, name) in _sei_rows(data_dir).items()}


@cache
def _sei_rows(data_dir: Path) -> dict[int, tuple[str, str]]:
    return {row["id"]: (row["seiCode"], row["seiName"]) for row in _jsonl(data_dir / "sei.jsonl")}


@cache
def _ipc_sei(data_dir: Path) -> dict[str, frozenset[str]]:
    """IPC code as the concordance lists it → the SEI categories it belongs to."""
    rows = _sei_rows(data_dir)
    table: dict[str, set[str]] = {}
    for item in _jsonl(data_dir / "ipc_sei.jsonl"):
        table.setdefault(item["ipcCode"], set()).add(rows[item["seiId"]][0])
    return {code: frozenset(cats) for code, cats in table.items()}


def sei_categories(ipc_codes: list[str]) -> list[str]:
    """SEI categories of a patent: each code maps by its longest listed prefix
    (subgroup, main group, subclass, class), as the concordance prescribes."""
    table = _ipc_sei(_data_dir)
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


def sei_ipc_codes(category: str) -> frozenset[str]:
    """The IPC codes the concordance lists for a category, at the level it lists them."""
    return _sei_ipc_codes(_data_dir, category)


@lru_cache(maxsize=64)
def _sei_ipc_codes(data_dir: Path, category: str) -> frozenset[str]:
    return frozenset(code for code, cats in _ipc_sei(data_dir).items() if category in cats)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
