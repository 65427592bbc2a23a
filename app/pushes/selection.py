"""What a push run selects: its patents and its enterprises, as SQL conditions.

Both are stored as posted and evaluated again by each worker: patents when it starts on
the run (only those created before the run, so every worker ranks the same pool, save for
patents withdrawn meanwhile), enterprises partition by partition.
"""

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session

from app.auth.principal import SYSTEM
from app.common.identifiers import region_prefix
from app.enterprises.models import Enterprise
from app.patents import repository as patent_rows
from app.patents.models import Patent, PoolStatus
from app.pushes.models import PushRun
from app.pushes.schemas import EnterpriseSelection, PatentSelection

FLAG_COLUMNS = {
    "specialized": Enterprise.is_specialized,
    "high_tech": Enterprise.is_high_tech,
    "soe": Enterprise.is_soe,
    "little_giant": Enterprise.is_little_giant,
    "tech_sme": Enterprise.is_tech_sme,
}


def patent_statement(run: PushRun) -> Select[Any]:
    """Ids of the run's patents, in id order."""
    sel = PatentSelection.model_validate(run.patents)
    filters = patent_rows.PatentFilters(
        **sel.model_dump(exclude={"pool_since", "ids"}), pool_status=PoolStatus.in_pool
    )
    # The whole pool: pool patents are public to every principal that may push.
    stmt = patent_rows.list_statement(SYSTEM, filters).with_only_columns(Patent.id)
    stmt = stmt.where(Patent.created_at <= run.created_at)
    if sel.pool_since is not None:
        stmt = stmt.where(Patent.created_at >= datetime.combine(sel.pool_since, time(), UTC))
    if sel.ids is not None:
        stmt = stmt.where(Patent.id.in_(sel.ids))
    return stmt


def patent_ids(session: Session, run: PushRun) -> list[int]:
    return list(session.scalars(patent_statement(run)))


def enterprise_condition(run: PushRun) -> ColumnElement[bool]:
    sel = EnterpriseSelection.model_validate(run.enterprises)
    parts: list[ColumnElement[bool]] = [true()]
    if run.province_prefix:
        parts.append(Enterprise.region_code.startswith(run.province_prefix))
    if sel.provinces:
        parts.append(
            or_(*(Enterprise.region_code.startswith(region_prefix(p)) for p in sel.provinces))
        )
    if sel.industries:
        parts.append(or_(*(Enterprise.industry_code.startswith(i) for i in sel.industries)))
    parts += [FLAG_COLUMNS[flag].is_(True) for flag in sel.flags]
    if sel.ids is not None:
        parts.append(Enterprise.id.in_(sel.ids))
    return and_(*parts)


def enterprise_ids(session: Session, run: PushRun) -> list[int]:
    stmt = select(Enterprise.id).where(enterprise_condition(run)).order_by(Enterprise.id)
    return list(session.scalars(stmt))
