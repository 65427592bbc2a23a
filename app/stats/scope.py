"""Which patents a statistics or screening request covers, and who may ask for it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, true

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.identifiers import region_prefix
from app.common.messages import Msg
from app.common.reference import sei_ipc_codes
from app.db import UTCDateTime
from app.errors import NotFound
from app.patents.models import Patent, PatentIpc


@dataclass(frozen=True)
class StatsFilters:
    institution_id: int | None = None
    province: str | None = None  # GB/T 2260 code; matched by province
    ipc: str | None = None  # prefix of any of the patent's codes
    sei: str | None = None  # 战略性新兴产业 category code
    since: date | None = None
    until: date | None = None


def scoped(actor: Principal, f: StatsFilters) -> StatsFilters:
    """Provinces see their province, institutions themselves; asking for another is 404."""
    if actor.role is Role.province:
        own = actor.province_code
        if f.province is not None and region_prefix(f.province)[:2] != (own or "")[:2]:
            raise NotFound(Msg("没有该地区的数据", "no data for that region"))
        return StatsFilters(f.institution_id, own, f.ipc, f.sei, f.since, f.until)
    if actor.role is Role.institution:
        if f.institution_id not in (None, actor.institution_id):
            raise NotFound(Msg("没有该机构的数据", "no data for that institution"))
        return StatsFilters(actor.institution_id, f.province, f.ipc, f.sei, f.since, f.until)
    return f


def patent_condition(f: StatsFilters) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if f.institution_id is not None:
        conditions.append(Patent.institution_id == f.institution_id)
    if f.province:
        conditions.append(Patent.region_code.startswith(region_prefix(f.province)[:2]))
    if f.ipc:
        conditions.append(
            exists().where(
                PatentIpc.patent_id == Patent.id, PatentIpc.code.startswith(f.ipc, autoescape=True)
            )
        )
    if f.sei:
        codes = sorted(sei_ipc_codes(f.sei))
        # Exact, subclass and class level: the concordance's main-group rows are matched
        # at subclass level here (an approximation, documented in the README).
        conditions.append(
            exists().where(
                PatentIpc.patent_id == Patent.id,
                or_(
                    PatentIpc.code.in_(codes),
                    func.substr(PatentIpc.code, 1, 4).in_(codes),
                    func.substr(PatentIpc.code, 1, 3).in_(codes),
                ),
            )
        )
    return and_(*conditions)


def date_condition(column: Any, f: StatsFilters) -> ColumnElement[bool]:
    """``since`` and ``until`` are whole days, inclusive, for date and timestamp columns."""
    conditions: list[ColumnElement[bool]] = [true()]
    stamp = isinstance(column.type, UTCDateTime)
    if f.since is not None:
        since = datetime.combine(f.since, time.min, UTC) if stamp else f.since
        conditions.append(column >= since)
    if f.until is not None:
        if stamp:
            end = datetime.combine(f.until + timedelta(days=1), time.min, UTC)
            conditions.append(column < end)
        else:
            conditions.append(column <= f.until)
    return and_(*conditions)
