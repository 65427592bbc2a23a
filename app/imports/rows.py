"""One raw row (header → cell) → a validated ``PatentCreate`` or bilingual cell errors."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.imports.columns import ALIASES, CellError, cell_value, map_headers
from app.imports.readers import FileProblem
from app.patents.schemas import PatentCreate

_NOT_PATENT_FIELDS = {"patentee", "applicant_type"}
REQUIRED = tuple(n for n, f in PatentCreate.model_fields.items() if f.is_required())


@dataclass
class CellProblem:
    column: str | None
    raw: str | None
    zh: str
    en: str


@dataclass
class ParsedRow:
    number: int
    data: PatentCreate | None = None
    names: list[str] = field(default_factory=list)  # patentee first, then applicants
    problems: list[CellProblem] = field(default_factory=list)


def check_required(headers: list[str], found: set[str]) -> None:
    """A table without a required column fails as a whole: every row would fail alike."""
    missing = [name for name in REQUIRED if name not in found]
    if not missing:
        return
    shown = "、".join(h for h in headers[:40] if h.strip()) or "（无）"
    expected_zh = "；".join(f"{ALIASES[m][0]}（或 {'、'.join(ALIASES[m][1:3])}）" for m in missing)
    expected_en = "; ".join(" / ".join(ALIASES[m][:3]) for m in missing)
    raise FileProblem(
        f"文件缺少必填列：{expected_zh}。文件中的列：{shown}",
        f"missing required columns: {expected_en}; the file has: {shown}",
    )


class RowParser:
    """Maps headers once per distinct header set (files have one; JSONL rows may vary).

    ``tabular`` (CSV, XLSX): the one header row must carry every required column.
    """

    def __init__(self, tabular: bool = False) -> None:
        self._maps: dict[tuple[str, ...], dict[str, str]] = {}
        self.unknown: list[str] = []
        self.tabular = tabular

    def _fields(self, headers: tuple[str, ...]) -> dict[str, str]:
        if headers not in self._maps:
            indexes, unknown = map_headers(list(headers))
            if self.tabular:
                check_required([str(h) for h in headers], set(indexes))
            self._maps[headers] = {f: headers[i] for f, i in indexes.items()}
            self.unknown += [u for u in unknown if u not in self.unknown]
        return self._maps[headers]

    def parse(self, number: int, raw: dict[str, Any]) -> ParsedRow:
        row = ParsedRow(number)
        if "__error__" in raw:
            message = str(raw["__error__"])
            row.problems.append(CellProblem(None, None, message, message))
            return row
        columns = self._fields(tuple(raw))
        values: dict[str, Any] = {}
        for name, header in columns.items():
            try:
                value = cell_value(name, raw[header])
            except CellError as exc:
                row.problems.append(CellProblem(header, _raw(raw[header]), exc.zh, exc.en))
                continue
            if value not in (None, [], ""):
                values[name] = value
        row.names = values.pop("patentee", []) + values.get("applicants", [])
        for name in _NOT_PATENT_FIELDS:
            values.pop(name, None)
        if not row.problems:
            self._validate(row, values, columns, raw)
        return row

    def _validate(
        self, row: ParsedRow, values: dict[str, Any], columns: dict[str, str], raw: dict[str, Any]
    ) -> None:
        try:
            row.data = PatentCreate.model_validate(values)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                header = columns.get(name, name)
                zh, en = _reasons(str(err["msg"]), name, header)
                row.problems.append(CellProblem(header or None, _raw(raw.get(header)), zh, en))


def _reasons(message: str, name: str, header: str) -> tuple[str, str]:
    message = message.removeprefix("Value error, ")
    if message == "Field required":
        return f"缺少必填列：{header}", f"missing required column {name}"
    if " / " in message:  # our validators write "中文 / English"
        zh, en = message.split(" / ", 1)
        return zh, en
    return f"字段值无效：{header}", message


def _raw(value: object) -> str | None:
    return None if value is None else str(value)[:500]
