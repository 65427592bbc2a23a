"""Per-document attributes: text fields, structured columns, filters and features."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ._errors import MatchingError
from ._ipc import ipc_text
from ._types import LAPSED_STATUSES, VALUE_GRADES, Filters, NeedDoc, PatentDoc

Doc = PatentDoc | NeedDoc
_MAX_BITS = 64


def field_texts(doc: Doc, ipc_titles: Mapping[str, str]) -> tuple[str, str, str, str]:
    """(title, body, extra, ipc titles) of a document, in ``FIELD_NAMES`` order."""
    if isinstance(doc, PatentDoc):
        return doc.title, doc.abstract, doc.claim, ipc_text(doc.ipc_codes, ipc_titles)
    return doc.title, doc.description, " ".join(doc.keywords), ipc_text(doc.ipc_hints, ipc_titles)


def doc_codes(doc: Doc) -> tuple[str, ...]:
    """IPC codes of a document: a patent's codes or a need's hints, upper-cased."""
    codes = doc.ipc_codes if isinstance(doc, PatentDoc) else doc.ipc_hints
    return tuple(c.strip().upper().replace(" ", "") for c in codes)


@dataclass(frozen=True)
class Table:
    """Append-only string table mapping values to small integer codes (bit positions)."""

    values: tuple[str, ...] = ()

    @cached_property
    def index(self) -> dict[str, int]:
        # Cached per table: building it per document made columns quadratic in the number
        # of distinct values (thousands of institutions at national scale).
        return {v: i for i, v in enumerate(self.values)}

    def codes(self, values: Sequence[str]) -> tuple[Table, list[int]]:
        index = self.index
        new = [v for v in dict.fromkeys(values) if v and v not in index]
        if not new:
            return self, [index[v] for v in values if v]
        table = Table(self.values + tuple(new))
        return table, [table.index[v] for v in values if v]

    @cached_property
    def ordered(self) -> tuple[list[str], np.ndarray]:
        """Values sorted, and their codes in that order (for prefix ranges)."""
        order = sorted(range(len(self.values)), key=self.values.__getitem__)
        return [self.values[i] for i in order], np.asarray(order, np.int64)

    def mask(self, values: Iterable[str]) -> int:
        """Bitmask of the known ``values`` (unknown values set no bit)."""
        index = self.index
        return sum(1 << index[v] for v in set(values) if v in index and index[v] < _MAX_BITS)


@dataclass(frozen=True)
class Columns:
    """Structured attributes of all indexed documents, one array entry per row."""

    regions: np.ndarray  # uint64 bitmask (patent: its province; need: own + preferred)
    modes: np.ndarray  # uint64 bitmask (offered or wanted modes)
    kind: np.ndarray  # int32 code of patent type (-1 unknown)
    institution: np.ndarray  # int32 code (-1 unknown)
    lapsed: np.ndarray  # bool
    strict_region: np.ndarray  # bool: need refuses patents outside its regions
    value: np.ndarray  # float32 value grade in [0, 1], NaN when unknown
    industries: np.ndarray  # uint64 bitmask of industry tags
    status: np.ndarray  # int32 code of the legal status string (-1 unknown)
    open_license: np.ndarray  # bool
    granted: np.ndarray  # int32 grant date as yyyymmdd, 0 when unknown
    code_ids: np.ndarray  # int32 "ipc" table codes of all rows' full IPC codes, row-major
    code_ptr: np.ndarray  # int64, row r's codes are code_ids[code_ptr[r]:code_ptr[r + 1]]

    def concat(self, other: Columns) -> Columns:
        arrays = [
            np.concatenate([a, b]) for a, b in zip(self._arrays(), other._arrays(), strict=True)
        ]
        ptr = np.concatenate([self.code_ptr, other.code_ptr[1:] + self.code_ptr[-1]])
        return Columns(*arrays, np.concatenate([self.code_ids, other.code_ids]), ptr)  # type: ignore[call-arg]

    def codes(self, row: int, tables: Mapping[str, Table]) -> tuple[str, ...]:
        """Full IPC codes of ``row``."""
        values = tables["ipc"].values if "ipc" in tables else ()
        ids = self.code_ids[self.code_ptr[row] : self.code_ptr[row + 1]]
        return tuple(values[i] for i in ids.tolist())

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return (
            self.regions,
            self.modes,
            self.kind,
            self.institution,
            self.lapsed,
            self.strict_region,
            self.value,
            self.industries,
            self.status,
            self.open_license,
            self.granted,
        )


def build_columns(
    docs: Sequence[Doc], tables: dict[str, Table], codes: Sequence[tuple[str, ...]]
) -> Columns:
    """Columns of ``docs`` (``codes``: their :func:`doc_codes`); ``tables`` grow in place.

    Column by column over distinct values: per document only dictionary lookups.
    """
    n = len(docs)
    patents = [d for d in docs if isinstance(d, PatentDoc)]
    if len(patents) == n:
        regions = _bits(tables, "region", [(d.region,) for d in patents])
        modes = _bits(tables, "mode", [_offered(d) for d in patents])
        status_text = [d.legal_status.strip() for d in patents]
        kind = _codes(tables, "type", [d.patent_type for d in patents])
        inst = _codes(tables, "institution", [d.institution_id for d in patents])
        lapsed = np.fromiter((s.lower() in LAPSED_STATUSES for s in status_text), bool, n)
        grades = (VALUE_GRADES.get(d.value_grade.strip().upper(), np.nan) for d in patents)
        value = np.fromiter(grades, np.float32, n)
        industries = _bits(tables, "industry", [tuple(sorted(set(d.industries))) for d in patents])
        status = _codes(tables, "status", status_text)
        open_license = np.fromiter((d.open_license for d in patents), bool, n)
        granted = np.fromiter((_date_int(d.grant_date) for d in patents), np.int32, n)
        strict = np.zeros(n, bool)
    else:
        needs = [d for d in docs if isinstance(d, NeedDoc)]
        regions = _bits(tables, "region", [(d.region, *sorted(d.regions)) for d in needs])
        modes = _bits(tables, "mode", [tuple(sorted(d.modes)) for d in needs])
        strict = np.fromiter((not d.cross_region for d in needs), bool, n)
        kind, inst, status = (np.full(n, -1, np.int32) for _ in range(3))
        lapsed, open_license = np.zeros(n, bool), np.zeros(n, bool)
        value = np.full(n, np.nan, np.float32)
        industries, granted = np.zeros(n, np.uint64), np.zeros(n, np.int32)
    code_ids = _codes(tables, "ipc", [c for cs in codes for c in cs])
    code_ptr = np.concatenate([[0], np.cumsum([len(cs) for cs in codes], dtype=np.int64)])
    return Columns(
        regions, modes, kind, inst, lapsed, strict, value, industries, status, open_license,
        granted, code_ids, code_ptr.astype(np.int64),
    )  # fmt: skip


def _offered(doc: PatentDoc) -> tuple[str, ...]:
    return tuple(sorted(doc.modes | ({"license"} if doc.open_license else set())))


def _date_int(value: str) -> int:
    """``2023-03-28`` → 20230328 (orders like the date); 0 when empty or malformed."""
    digits = value.strip().replace("-", "")[:8]
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _codes(tables: dict[str, Table], name: str, values: Sequence[str]) -> np.ndarray:
    """int32 table codes of ``values`` (-1 for empty), growing table ``name``."""
    tables[name], _ = tables.get(name, Table()).codes(list(dict.fromkeys(values)))
    index = tables[name].index
    return np.fromiter((index.get(v, -1) for v in values), np.int32, len(values))


def _bits(tables: dict[str, Table], name: str, values: Sequence[tuple[str, ...]]) -> np.ndarray:
    """uint64 bitmasks of value tuples, growing table ``name`` (≤ 64 distinct values)."""
    distinct = list(dict.fromkeys(values))
    tables[name], _ = tables.get(name, Table()).codes([v for vs in distinct for v in vs])
    index = tables[name].index
    if len(index) > _MAX_BITS:
        raise MatchingError(f"more than {_MAX_BITS} distinct values of {name!r}")
    masks = {vs: sum(1 << c for c in {index[v] for v in vs if v}) for vs in distinct}
    return np.fromiter((masks[vs] for vs in values), np.uint64, len(values))


def ipc_matrix(labels: Sequence[Sequence[str]], tables: dict[str, Table]) -> sp.csr_matrix:
    """Documents × subclass-table matrix, each row summing to sqrt(#subclasses).

    ``labels`` are the documents' subclasses.  A document with several subclasses gets
    ``1/sqrt(n)`` per subclass: agreement on one of many subclasses counts less than on
    a document's only subclass.
    """
    tables["subclass"], _ = tables.get("subclass", Table()).codes([s for ls in labels for s in ls])
    index = tables["subclass"].index
    rows = [i for i, ls in enumerate(labels) for _ in ls]
    cols = [index[s] for ls in labels for s in ls]
    vals = [1 / np.sqrt(len(ls)) for ls in labels for _ in ls]
    shape = (len(labels), len(index))
    return sp.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=shape)


def filter_mask(
    filters: Filters, cols: Columns, tables: Mapping[str, Table], n: int
) -> np.ndarray | None:
    """Boolean keep-mask of ``filters`` over all rows, or None when nothing filters."""
    keep = np.ones(n, bool)
    if not filters.include_lapsed:
        keep &= ~cols.lapsed
    for values, column, name in (
        (filters.patent_types, cols.kind, "type"),
        (filters.institution_ids, cols.institution, "institution"),
        (filters.legal_statuses, cols.status, "status"),
    ):
        if values:
            wanted = [i for i, v in enumerate(tables.get(name, Table()).values) if v in values]
            keep &= np.isin(column, wanted)
    for values, column, name in (
        (filters.regions, cols.regions, "region"),
        (filters.modes, cols.modes, "mode"),
        (filters.industries, cols.industries, "industry"),
    ):
        if values:
            keep &= (column & np.uint64(tables.get(name, Table()).mask(values))) != 0
    if filters.open_license_only:
        keep &= cols.open_license
    if filters.granted_after:
        keep &= cols.granted > _date_int(filters.granted_after)
    if filters.ipc_prefixes:
        keep &= _prefix_mask(filters.ipc_prefixes, cols, tables.get("ipc", Table()), n)
    return None if keep.all() else keep


def _prefix_mask(prefixes: Iterable[str], cols: Columns, table: Table, n: int) -> np.ndarray:
    """Rows with any IPC code starting with any of ``prefixes``: vectorized over rows.

    The prefixes select a range of the table's sorted distinct codes (bisect); rows are
    then marked through the row-major code ids, with no Python loop over rows.
    """
    ordered, order = table.ordered
    hit = np.zeros(len(ordered), bool)
    for p in {p.strip().upper().replace(" ", "") for p in prefixes}:
        hit[order[bisect_left(ordered, p) : bisect_left(ordered, p + "\U0010ffff")]] = True
    # A trailing False keeps reduceat's start indices in range for rows without codes.
    pairs = np.append(hit[cols.code_ids], False)
    per_row = np.add.reduceat(pairs, cols.code_ptr[:-1]) if n else np.zeros(0, bool)
    return (per_row > 0) & (np.diff(cols.code_ptr) > 0)
