"""Database rows → the matcher's documents. The only place that knows both shapes."""

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.common.reference import sei_categories
from app.enterprises.models import Enterprise
from app.licenses.models import DeclarationStatus, OpenLicense
from app.needs.models import Need, NeedStatus
from app.patents.models import Patent, PatentIpc, PoolStatus
from matching import NeedDoc, PatentDoc

_BATCH = 5000
_DOC_COLUMNS = (
    Patent.id,
    Patent.title,
    Patent.abstract,
    Patent.first_claim,
    Patent.patent_type,
    Patent.region_code,
    Patent.institution_id,
    Patent.transaction_modes,
    Patent.legal_status,
    Patent.value_grade,
    Patent.grant_date,
)


def province(region_code: str | None) -> str:
    """Province prefix of a GB/T 2260 code: the matcher's region unit."""
    return (region_code or "")[:2]


def patent_doc(patent: Patent, open_license: bool = False) -> PatentDoc:
    return _patent_doc(patent, patent.ipc_codes, open_license)


def _patent_doc(patent: Any, ipc_codes: list[str], open_license: bool) -> PatentDoc:
    """``patent``: a Patent or a row of ``_DOC_COLUMNS`` (same attribute names)."""
    return PatentDoc(
        id=str(patent.id),
        title=patent.title,
        abstract=patent.abstract or "",
        claim=patent.first_claim or "",
        ipc_codes=tuple(ipc_codes),
        patent_type=patent.patent_type.value,
        region=province(patent.region_code),
        institution_id=str(patent.institution_id or ""),
        modes=frozenset(patent.transaction_modes),
        open_license=open_license,
        legal_status=patent.legal_status.value,
        value_grade=patent.value_grade.value if patent.value_grade else "",
        industries=tuple(sei_categories(ipc_codes)),
        grant_date=patent.grant_date.isoformat() if patent.grant_date else "",
    )


def need_doc(need: Need, enterprise_region: str | None) -> NeedDoc:
    return NeedDoc(
        id=str(need.id),
        title=need.title,
        description=need.description or "",
        keywords=tuple(need.keywords),
        ipc_hints=tuple(need.ipc_hints),
        modes=frozenset(need.wanted_modes),
        regions=frozenset(province(r) for r in need.preferred_regions),
        region=province(enterprise_region),
    )


def _chunks(ids: Sequence[int] | None) -> Iterator[Sequence[int] | None]:
    # Bounded IN lists: SQLite allows 32766 parameters per statement.
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def patents_by_id(session: Session, ids: Sequence[int] | None) -> Iterator[PatentDoc]:
    """Documents of pool patents (withdrawn ones are not matchable), all or by id."""
    declared = select(OpenLicense.patent_id).where(OpenLicense.status == DeclarationStatus.declared)
    open_licensed = set(session.scalars(declared))
    for chunk in _chunks(ids):
        # Plain rows, not ORM objects: building 100k Patents and their IPC entries cost
        # more than fitting the index on them.
        stmt = select(*_DOC_COLUMNS).where(Patent.pool_status == PoolStatus.in_pool)
        if chunk is not None:
            stmt = stmt.where(Patent.id.in_(chunk))
        result = session.execute(stmt.order_by(Patent.id).execution_options(yield_per=_BATCH))
        for rows in result.partitions():
            codes = _ipc_codes(session, rows[0].id, rows[-1].id, chunk)
            for row in rows:
                yield _patent_doc(row, codes.get(row.id, []), row.id in open_licensed)


def _ipc_codes(
    session: Session, first: int, last: int, ids: Sequence[int] | None
) -> dict[int, list[str]]:
    """IPC codes of patents ``first``..``last`` (of ``ids`` only, when given).

    A key range rather than the partition's ids: an IN list of 5,000 parameters cost
    more to render and convert than the query took."""
    stmt = select(PatentIpc.patent_id, PatentIpc.code)
    stmt = stmt.where(PatentIpc.patent_id.between(first, last))
    if ids is not None:
        stmt = stmt.where(PatentIpc.patent_id.in_(ids))
    codes: dict[int, list[str]] = {}
    for patent_id, code in session.execute(stmt.order_by(PatentIpc.patent_id, PatentIpc.position)):
        codes.setdefault(patent_id, []).append(code)
    return codes


def needs_by_id(session: Session, ids: Sequence[int] | None) -> Iterator[tuple[Need, str]]:
    """Open needs with their enterprise's region code, all or by id."""
    for chunk in _chunks(ids):
        stmt = (
            select(Need, Enterprise.region_code)
            .join(Enterprise, Enterprise.id == Need.enterprise_id)
            .where(Need.status == NeedStatus.open)
            .order_by(Need.id)
        )
        if chunk is not None:
            stmt = stmt.where(Need.id.in_(chunk))
        for row in session.execute(stmt.execution_options(yield_per=_BATCH)):
            yield row[0], row[1]
