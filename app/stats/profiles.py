"""画像: what an institution offers and what an enterprise looks for, for matching staff."""

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.reference import sei_categories, sei_names
from app.deals.models import Deal
from app.enterprises import service as enterprises
from app.errors import NotFound
from app.feedback.models import Feedback
from app.institutions import service as institutions
from app.needs.models import Need, NeedStatus
from app.patents.models import Patent, PatentIpc, PoolStatus
from app.stats import service as stats
from app.stats.scope import StatsFilters

TOP = 10


def institution(session: Session, actor: Principal, institution_id: int) -> dict[str, Any]:
    found = institutions.find(session, institution_id)
    other_province = actor.role is Role.province and not found.region_code.startswith(
        actor.province_prefix[:2]
    )
    if other_province or (actor.role is Role.institution and actor.institution_id != found.id):
        raise NotFound(
            Msg(f"机构不存在：{institution_id}", f"institution {institution_id} not found")
        )
    in_pool = (Patent.institution_id == found.id) & (Patent.pool_status == PoolStatus.in_pool)
    # Counted in Python: GROUP BY on a parametrised substr() is not portable to PostgreSQL.
    sections = Counter(
        (main or "?")[:1] for main in session.scalars(select(Patent.ipc_main).where(in_pool))
    )
    codes = session.execute(
        select(PatentIpc.patent_id, PatentIpc.code)
        .join(Patent, Patent.id == PatentIpc.patent_id)
        .where(in_pool)
    ).all()
    by_patent: dict[int, list[str]] = {}
    for patent_id, code in codes:
        by_patent.setdefault(patent_id, []).append(code)
    industries = Counter(c for cs in by_patent.values() for c in sei_categories(cs))
    summary = stats.summary(session, actor, StatsFilters(institution_id=found.id))
    return {
        "institution": {"id": found.id, "name": found.name, "region_code": found.region_code},
        "rates": summary["rates"],
        "outcomes": summary["outcomes"],
        "pool_size": summary["funnel"]["in_pool"],
        "ipc_sections": dict(sorted(sections.items())),
        "industries": [
            {"code": c, "name": sei_names().get(c), "patents": n}
            for c, n in industries.most_common(TOP)
        ],
        "intents": summary["funnel"]["intents"],
        "deals": summary["funnel"]["deals"],
    }


def enterprise(session: Session, actor: Principal, enterprise_id: int) -> dict[str, Any]:
    found = enterprises.get(session, actor, enterprise_id)  # scoped: 404 outside the scope
    needs = session.execute(
        select(Need.keywords, Need.ipc_hints, Need.status).where(Need.enterprise_id == found.id)
    ).all()
    keywords = Counter(k for kw, _, _ in needs for k in kw)
    ipc = Counter(code[:4] for _, hints, _ in needs for code in hints)
    intents = session.execute(
        select(Feedback.intent, func.count())
        .where(Feedback.enterprise_id == found.id, Feedback.is_current.is_(True))
        .group_by(Feedback.intent)
    ).all()
    deals = session.execute(
        select(Deal.status, func.count())
        .where(Deal.enterprise_id == found.id)
        .group_by(Deal.status)
    ).all()
    return {
        "enterprise": {
            "id": found.id,
            "name": found.name,
            "region_code": found.region_code,
            "industry": found.industry,
        },
        "needs": {"total": len(needs), "open": sum(1 for *_, s in needs if s is NeedStatus.open)},
        "topics": [{"keyword": k, "needs": n} for k, n in keywords.most_common(TOP)],
        "watched_fields": [{"ipc_subclass": c, "needs": n} for c, n in ipc.most_common(TOP)],
        "intents": {str(k): v for k, v in intents},
        "deals": {str(k): v for k, v in deals},
    }
