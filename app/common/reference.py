"""Reference tables shipped in ``data/``: Chinese IPC titles (see data/SOURCES.md)."""

import csv
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
