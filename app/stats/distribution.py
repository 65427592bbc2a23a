"""Distributions of the pool in scope: by IPC section, by 战略性新兴产业, by province.

Same scope rules as the summary (``scoped``): provinces see their province, institutions
themselves. Group keys are SQL ``substr`` with inlined literals: a parametrised substr()
in both SELECT and GROUP BY is not recognised as the same expression by PostgreSQL.
"""

from collections import Counter
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.common.identifiers import region_name
from app.common.reference import sei_categories, sei_names
from app.feedback.models import Feedback, Intent
from app.patents.models import ImplementationStatus, LegalStatus, Patent, PatentIpc, PoolStatus
from app.stats.scope import StatsFilters, patent_condition, scoped

TOP = 12


def _prefix(column: Any, length: int) -> Any:
    return func.substr(column, literal_column("1"), literal_column(str(length)))


def _in_pool(f: StatsFilters) -> Any:
    return and_(patent_condition(f), Patent.pool_status == PoolStatus.in_pool)


def by_ipc_section(session: Session, actor: Principal, f: StatsFilters) -> list[dict[str, Any]]:
    """Pool patents per IPC section (A–H) of their main classification."""
    section = _prefix(Patent.ipc_main, 1)
    rows = session.execute(
        select(section, func.count()).where(_in_pool(scoped(actor, f))).group_by(section)
    )
    return [
        {"key": key or "?", "patents": int(n)} for key, n in sorted(rows, key=lambda r: r[0] or "~")
    ]


def by_sei(session: Session, actor: Principal, f: StatsFilters) -> list[dict[str, Any]]:
    """Pool patents per 战略性新兴产业 category (a patent counts once per category).

    Mapped in Python by the concordance's longest-prefix rule, so it reads every IPC code
    in scope: fine for a province or an institution, seconds for a whole national pool.
    """
    rows = session.execute(
        select(PatentIpc.patent_id, PatentIpc.code)
        .join(Patent, Patent.id == PatentIpc.patent_id)
        .where(_in_pool(scoped(actor, f)))
    )
    codes: dict[int, list[str]] = {}
    for patent_id, code in rows:
        codes.setdefault(patent_id, []).append(code)
    counts = Counter(c for cs in codes.values() for c in sei_categories(cs))
    names = sei_names()
    return [
        {"key": code, "name": names.get(code, code), "patents": n}
        for code, n in counts.most_common(TOP)
    ]


def by_province(session: Session, actor: Principal, f: StatsFilters) -> list[dict[str, Any]]:
    """Per province: pool size, valid, implemented patents, and current intents received."""
    f = scoped(actor, f)
    province = _prefix(Patent.region_code, 2)
    valid = Patent.legal_status == LegalStatus.valid
    implemented = valid & (Patent.implementation_status == ImplementationStatus.implemented)
    pool = session.execute(
        select(
            province,
            func.count(),
            func.sum(case((valid, 1), else_=0).cast(Integer)),
            func.sum(case((implemented, 1), else_=0).cast(Integer)),
        )
        .where(_in_pool(f))
        .group_by(province)
    ).all()
    intents: dict[str | None, int] = dict(
        session.execute(
            select(province, func.count())
            .join(Feedback, Feedback.patent_id == Patent.id)
            .where(
                patent_condition(f),
                Feedback.is_current.is_(True),
                Feedback.intent != Intent.no_need,
            )
            .group_by(province)
        ).all()
    )
    out = []
    for key, total, n_valid, n_implemented in sorted(pool, key=lambda r: r[0] or "~"):
        code = f"{key}0000" if key else None
        out.append(
            {
                "province": code,
                "name": (region_name(code) if code else None) or "未知地区",
                "in_pool": int(total),
                "valid": int(n_valid or 0),
                "implemented": int(n_implemented or 0),
                "intents": int(intents.get(key, 0)),
            }
        )
    return out
