"""One raw row (header → cell) → a validated request model (``PatentCreate`` for patent
imports) or bilingual cell errors."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from app.common.pydantic_errors import translate
from app.imports.columns import ALIASES, CellError, cell_value, map_headers
from app.imports.readers import FileProblem
from app.patents.schemas import PatentCreate

M = TypeVar("M", bound=BaseModel)
_NOT_PATENT_FIELDS = {"patentee", "applicant_type"}
REQUIRED = tuple(n for n, f in PatentCreate.model_fields.items() if f.is_required())
# NUL (PostgreSQL text refuses it) and lone surrogates (no driver can encode them; JSON
# can carry them): refused on every backend alike, so a file imports the same everywhere.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UNSTORABLE_ZH = "包含无法保存的字符（NUL 或孤立代理项），请删除后重新导入"
_UNSTORABLE_EN = "contains a character that cannot be stored (NUL or a lone surrogate)"


@dataclass
class CellProblem:
    column: str | None
    raw: str | None
    zh: str
    en: str


@dataclass
class ParsedRow(Generic[M]):
    number: int
    data: M | None = None
    names: list[str] = field(default_factory=list)  # patents: patentee first, then applicants
    problems: list[CellProblem] = field(default_factory=list)


@dataclass(frozen=True)
class RowSpec(Generic[M]):
    """What one kind of import reads: header aliases (``columns.ALIASES`` for patents), how a
    cell becomes a value, which columns a table must have, and the model rows validate as.
    ``prepare`` turns a row's cell values into the model's input, in place; it may raise
    ``CellError`` naming the field at fault."""

    model: type[M]
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    cell: Callable[[str, object], Any]
    prepare: Callable[[ParsedRow[M], dict[str, Any]], None]


def _prepare_patent(row: ParsedRow[PatentCreate], values: dict[str, Any]) -> None:
    row.names = values.pop("patentee", []) + values.get("applicants", [])
    for name in _NOT_PATENT_FIELDS:
        values.pop(name, None)


PATENT_ROWS = RowSpec(PatentCreate, ALIASES, REQUIRED, cell_value, _prepare_patent)


def check_required(headers: list[str], found: set[str], spec: RowSpec[Any] = PATENT_ROWS) -> None:
    """A table without a required column fails as a whole: every row would fail alike."""
    missing = [name for name in spec.required if name not in found]
    if not missing:
        return
    aliases = spec.aliases
    shown = "、".join(h for h in headers[:40] if h.strip()) or "（无）"
    expected_zh = "；".join(f"{aliases[m][0]}（或 {'、'.join(aliases[m][1:3])}）" for m in missing)
    expected_en = "; ".join(" / ".join(aliases[m][:3]) for m in missing)
    raise FileProblem(
        f"文件缺少必填列：{expected_zh}。文件中的列：{shown}",
        f"missing required columns: {expected_en}; the file has: {shown}",
    )


class TableParser(Generic[M]):
    """Maps headers once per distinct header set (files have one; JSONL rows may vary).

    ``tabular`` (CSV, XLSX): the one header row must carry every required column.
    """

    def __init__(self, spec: RowSpec[M], tabular: bool = False) -> None:
        self.spec = spec
        self._maps: dict[tuple[str, ...], dict[str, str]] = {}
        self.unknown: list[str] = []
        self.tabular = tabular

    def _fields(self, headers: tuple[str, ...]) -> dict[str, str]:
        if headers not in self._maps:
            indexes, unknown = map_headers(list(headers), self.spec.aliases)
            if self.tabular:
                check_required([str(h) for h in headers], set(indexes), self.spec)
            self._maps[headers] = {f: headers[i] for f, i in indexes.items()}
            self.unknown += [u for u in unknown if u not in self.unknown]
        return self._maps[headers]

    def parse(self, number: int, raw: dict[str, Any]) -> ParsedRow[M]:
        row: ParsedRow[M] = ParsedRow(number)
        if "__error__" in raw:
            message = str(raw["__error__"])
            row.problems.append(CellProblem(None, None, message, message))
            return row
        raw = {_storable(str(k)): v for k, v in raw.items()}  # headers reach the job's JSON
        columns = self._fields(tuple(raw))
        values: dict[str, Any] = {}
        for name, header in columns.items():
            if _unstorable(raw[header]):
                row.problems.append(
                    CellProblem(header, _raw(raw[header]), _UNSTORABLE_ZH, _UNSTORABLE_EN)
                )
                continue
            try:
                value = self.spec.cell(name, raw[header])
            except CellError as exc:
                row.problems.append(CellProblem(header, _raw(raw[header]), exc.zh, exc.en))
                continue
            if value not in (None, [], ""):
                values[name] = value
        if not row.problems:
            self._validate(row, values, columns, raw)
        return row

    def _validate(
        self,
        row: ParsedRow[M],
        values: dict[str, Any],
        columns: dict[str, str],
        raw: dict[str, Any],
    ) -> None:
        try:
            self.spec.prepare(row, values)
            row.data = self.spec.model.model_validate(values)
        except CellError as exc:
            field = exc.field or ""
            header = columns.get(field) or self.spec.aliases.get(field, (field,))[0]
            row.problems.append(CellProblem(header or None, _raw(raw.get(header)), exc.zh, exc.en))
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                header = columns.get(name, name)
                has_column = name in columns
                zh, en = _reasons(dict(err), name, has_column, header, self.spec.aliases)
                row.problems.append(CellProblem(header or None, _raw(raw.get(header)), zh, en))


class RowParser(TableParser[PatentCreate]):
    """Rows of a patent list."""

    def __init__(self, tabular: bool = False) -> None:
        super().__init__(PATENT_ROWS, tabular)


def _reasons(
    err: dict[str, Any],
    name: str,
    has_column: bool,
    header: str,
    aliases: dict[str, tuple[str, ...]],
) -> tuple[str, str]:
    if err.get("type") == "missing":
        if has_column:  # the column is there, this row's cell is empty
            return f"缺少必填值：{header}", f"required value missing: {name} (column {header})"
        column = aliases.get(name, (header,))[0]
        return f"缺少必填列：{column}", f"missing required column {name} ({column})"
    message = translate(err)  # the cell's column is reported beside the reason
    return message.zh, message.en


def _unstorable(value: object) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_unstorable(v) for v in value)
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    return False


def _storable(text: str) -> str:
    return _UNSTORABLE.sub("\ufffd", text)


def _raw(value: object) -> str | None:
    return None if value is None else _storable(str(value)[:500])
