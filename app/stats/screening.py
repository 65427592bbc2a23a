"""Screening (筛选): high-value patents by a documented score, and sleeping patents.

Value score, 0-100:
  30 × value grade (A 1, B ⅔, C ⅓, D 0; ungraded ⅓)
+ 20 × remaining term / statutory term (invention 20, design 15, utility model 10 years
       from filing; unknown filing date 0.5)
+ 10 × min(number of IPC codes, 5) / 5          (claims breadth)
+ 15 × legal status (valid 1, pending 0.5, other 0)
+ 15 × (mean prospect rating − 1) / 4           (unrated 0.5)
+ 10 × min(positive intents, 5) / 5             (intents other than 无需求)
Only valid and pending patents are scored (lapsed ones have nothing left to
value). Ties break on id. Sleeping: valid, granted at least N years ago, not implemented, never
in a deal; ``state_funded_5y`` flags state-funded ones granted five or more years ago.
"""

from datetime import date
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.paging import Page, PageParams
from app.deals.models import DealPatent
from app.feedback.models import Feedback, Intent
from app.institutions.models import Institution
from app.patents.models import (
    ImplementationStatus,
    LegalStatus,
    Patent,
    PatentIpc,
    PatentType,
    PoolStatus,
)
from app.stats.schemas import HighValuePatent, SleepingPatent
from app.stats.scope import StatsFilters, patent_condition, scoped

GRADE = {"A": 1.0, "B": 2 / 3, "C": 1 / 3, "D": 0.0}
TERM_YEARS = {PatentType.invention: 20, PatentType.design: 15, PatentType.utility_model: 10}
LEGAL = {LegalStatus.valid: 1.0, LegalStatus.pending: 0.5}


# Lapsed, expired, rejected, withdrawn or invalidated patents have no value to screen for.
ALIVE = (LegalStatus.valid, LegalStatus.pending)
# What a screening row shows of its patent, so that an office can act on it.
_SHOWN = (
    Patent.id,
    Patent.application_number,
    Patent.title,
    Patent.legal_status,
    Patent.institution_id,
    Institution.name.label("institution_name"),
)


def _shown(row: Any) -> dict[str, Any]:
    """The ``ScreenedPatent`` fields of a row selected with ``_SHOWN``."""
    return {
        "patent_id": row.id,
        "application_number": row.application_number,
        "title": row.title,
        "legal_status": row.legal_status,
        "institution_id": row.institution_id,
        "institution_name": row.institution_name,
    }


def _term_left(patent_type: PatentType, filed: date | None, today: date) -> float:
    if filed is None:
        return 0.5
    years = TERM_YEARS[patent_type]
    left = years - (today - filed).days / 365.25
    return max(0.0, min(1.0, left / years))


def value_score(row: Any, today: date) -> dict[str, float]:
    rating = 0.5 if row.rating is None else (float(row.rating) - 1) / 4
    parts = {
        "grade": 30 * GRADE.get(row.value_grade or "", 1 / 3),
        "term": 20 * _term_left(row.patent_type, row.filing_date, today),
        "breadth": 10 * min(row.ipc_count, 5) / 5,
        "legal": 15 * LEGAL.get(row.legal_status, 0.0),
        "rating": 15 * rating,
        "intents": 10 * min(row.intents, 5) / 5,
    }
    return {k: round(v, 2) for k, v in parts.items()}


def high_value(
    session: Session, actor: Principal, f: StatsFilters, paging: PageParams
) -> Page[HighValuePatent]:
    f = scoped(actor, f)
    ipc_count = select(func.count()).where(PatentIpc.patent_id == Patent.id).scalar_subquery()
    current = (Feedback.patent_id == Patent.id) & Feedback.is_current.is_(True)
    rating = (
        select(
            func.avg(
                (Feedback.rating_market + Feedback.rating_maturity + Feedback.rating_difficulty)
                / 3.0
            )
        )
        .where(current, Feedback.rating_market.is_not(None))
        .scalar_subquery()
    )
    intents = select(func.count()).where(current, Feedback.intent != Intent.no_need)
    rows = session.execute(
        select(
            *_SHOWN,
            Patent.value_grade,
            Patent.patent_type,
            Patent.filing_date,
            Patent.legal_status,
            ipc_count.label("ipc_count"),
            rating.label("rating"),
            intents.scalar_subquery().label("intents"),
        )
        .outerjoin(Institution, Institution.id == Patent.institution_id)
        .where(
            patent_condition(f),
            Patent.pool_status == PoolStatus.in_pool,
            Patent.legal_status.in_(ALIVE),
        )
    ).all()
    today = date.today()
    scored = [
        (sum(parts.values()), row, parts) for row in rows for parts in [value_score(row, today)]
    ]
    scored.sort(key=lambda item: (-item[0], item[1].id))
    page = scored[paging.offset : paging.offset + paging.limit]
    items = [
        HighValuePatent(**_shown(row), score=round(score, 2), breakdown=parts)
        for score, row, parts in page
    ]
    return Page(items=items, total=len(scored), limit=paging.limit, offset=paging.offset)


def sleeping(
    session: Session, actor: Principal, f: StatsFilters, years: int, paging: PageParams
) -> Page[SleepingPatent]:
    f = scoped(actor, f)
    today = date.today()
    cutoff = _years_ago(today, years)
    stmt = (
        select(*_SHOWN, Patent.grant_date, Patent.state_funded)
        .outerjoin(Institution, Institution.id == Patent.institution_id)
        .where(
            patent_condition(f),
            Patent.pool_status == PoolStatus.in_pool,
            Patent.legal_status == LegalStatus.valid,
            Patent.grant_date.is_not(None),
            Patent.grant_date <= cutoff,
            Patent.implementation_status == ImplementationStatus.not_implemented,
            ~exists().where(DealPatent.patent_id == Patent.id),
        )
        .order_by(Patent.grant_date, Patent.id)
    )
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    five = _years_ago(today, 5)
    items = [
        SleepingPatent(
            **_shown(r),
            grant_date=r.grant_date,
            state_funded_5y=bool(r.state_funded and r.grant_date <= five),
        )
        for r in session.execute(stmt.limit(paging.limit).offset(paging.offset))
    ]
    return Page(items=items, total=int(total or 0), limit=paging.limit, offset=paging.offset)


def _years_ago(today: date, years: int) -> date:
    return date(today.year - years, today.month, min(today.day, 28))
