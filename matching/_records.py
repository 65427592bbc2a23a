"""Per-document attributes: text fields, structured columns, filters and features."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ._errors import MatchingError
from ._ipc import ipc_text, subclasses
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
    codes: tuple[tuple[str, ...], ...]  # full IPC codes for prefix filters

    def concat(self, other: Columns) -> Columns:
        arrays = [
            np.concatenate([a, b]) for a, b in zip(self._arrays(), other._arrays(), strict=True)
        ]
        return Columns(*arrays, self.codes + other.codes)  # type: ignore[arg-type, call-arg]

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


def build_columns(docs: Sequence[Doc], tables: dict[str, Table]) -> Columns:
    """Columns of ``docs``; ``tables`` (region, mode, type, institution) grow in place."""
    regions = np.zeros(len(docs), np.uint64)
    modes = np.zeros(len(docs), np.uint64)
    kind = np.full(len(docs), -1, np.int32)
    inst = np.full(len(docs), -1, np.int32)
    lapsed = np.zeros(len(docs), bool)
    strict = np.zeros(len(docs), bool)
    value = np.full(len(docs), np.nan, np.float32)
    industries = np.zeros(len(docs), np.uint64)
    status = np.full(len(docs), -1, np.int32)
    open_license = np.zeros(len(docs), bool)
    granted = np.zeros(len(docs), np.int32)
    for i, doc in enumerate(docs):
        if isinstance(doc, PatentDoc):
            region_values = [doc.region]
            mode_values = sorted(doc.modes | ({"license"} if doc.open_license else set()))
            kind[i] = _code(tables, "type", doc.patent_type)
            inst[i] = _code(tables, "institution", doc.institution_id)
            lapsed[i] = doc.legal_status.strip().lower() in LAPSED_STATUSES
            value[i] = VALUE_GRADES.get(doc.value_grade.strip().upper(), np.nan)
            industries[i] = _bits(tables, "industry", sorted(set(doc.industries)))
            status[i] = _code(tables, "status", doc.legal_status.strip())
            open_license[i] = doc.open_license
            granted[i] = _date_int(doc.grant_date)
        else:
            region_values = [doc.region, *sorted(doc.regions)]
            mode_values = sorted(doc.modes)
            strict[i] = not doc.cross_region
        regions[i] = _bits(tables, "region", region_values)
        modes[i] = _bits(tables, "mode", mode_values)
    codes = tuple(doc_codes(d) for d in docs)
    return Columns(
        regions,
        modes,
        kind,
        inst,
        lapsed,
        strict,
        value,
        industries,
        status,
        open_license,
        granted,
        codes,
    )


def _date_int(value: str) -> int:
    """``2023-03-28`` → 20230328 (orders like the date); 0 when empty or malformed."""
    digits = value.strip().replace("-", "")[:8]
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _code(tables: dict[str, Table], name: str, value: str) -> int:
    if not value:
        return -1
    tables[name], (code,) = tables.get(name, Table()).codes([value])
    return code


def _bits(tables: dict[str, Table], name: str, values: Sequence[str]) -> int:
    tables[name], codes = tables.get(name, Table()).codes(values)
    if any(c >= _MAX_BITS for c in codes):
        raise MatchingError(f"more than {_MAX_BITS} distinct values of {name!r}")
    return sum(1 << c for c in set(codes))


def ipc_matrix(docs: Sequence[Doc], tables: dict[str, Table]) -> sp.csr_matrix:
    """Documents × subclass-table matrix, each row summing to sqrt(#subclasses).

    A document with several subclasses gets ``1/sqrt(n)`` per subclass: agreement on
    one of many subclasses counts less than on a document's only subclass.
    """
    labels = [subclasses(doc_codes(d)) for d in docs]
    tables["subclass"], _ = tables.get("subclass", Table()).codes([s for ls in labels for s in ls])
    index = {s: i for i, s in enumerate(tables["subclass"].values)}
    rows = [i for i, ls in enumerate(labels) for _ in ls]
    cols = [index[s] for ls in labels for s in ls]
    vals = [1 / np.sqrt(len(ls)) for ls in labels for _ in ls]
    shape = (len(docs), len(index))
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
        prefixes = tuple(p.strip().upper().replace(" ", "") for p in filters.ipc_prefixes)
        keep &= np.fromiter((any(c.startswith(prefixes) for c in cs) for cs in cols.codes), bool, n)
    return None if keep.all() else keep
