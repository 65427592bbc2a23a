"""The profile (企业画像) as its readers see it: which sources filled it, its main
terms, IPC areas and 战略性新兴产业 categories, beside the enterprise's activity.

Only the enterprise itself, admins, the portal and its province read a profile (the
route refuses institutions with 403): a profile is built from the enterprise's needs,
which are confidential, so no redacted form is offered to the supply side — it sees the
enterprise's evidence through ``GET /v1/patents/{id}/matches`` instead.
"""

from collections import Counter

from sqlalchemy.orm import Session

import matching
from app.auth.principal import Principal
from app.common.reference import ipc_title, sei_categories, sei_names
from app.matches.engine import MatchEngine
from app.profiles.builder import Profile, profile_doc, profiles_by_id
from app.profiles.schemas import ProfileIpc, ProfileRead, ProfileSei, ProfileSource, ProfileTerm
from app.stats import profiles as activity

LABELS = {
    "main_products": "主营产品",
    "business_scope": "经营范围",
    "description": "企业简介",
    "industry": "国民经济行业",
    "patents_held": "持有的专利",
    "patents_licensed": "获许可的专利",
    "needs": "技术需求",
    "intents": "表达意向的专利",
}
TERMS = 15
IPC_AREAS = 10
MIN_PROBABILITY = 0.05


def read(
    session: Session, engine: MatchEngine, actor: Principal, enterprise_id: int
) -> ProfileRead:
    shown = activity.enterprise(session, actor, enterprise_id)  # scoped: 404 outside it
    profile = next(iter(profiles_by_id(session, [enterprise_id])))
    shown["enterprise"]["industry_code"] = profile.industry_code or None
    doc = profile_doc(profile)
    text = f"{doc.title}\n{doc.description}"
    engine.catch_up(session)  # idf of the terms from the current profiles
    terms = engine.profiles.key_terms(text, TERMS) if engine.profiles and text.strip() else []
    ipc = _ipc_areas(profile, engine, text)
    return ProfileRead(
        **shown,
        sources=[
            ProfileSource(
                source=s,
                label=LABELS[s],
                texts=len(profile.texts.get(s, [])),
                ipc_codes=len(profile.ipc.get(s, [])),
            )
            for s in profile.sources
        ],
        terms=[ProfileTerm(term=t, weight=round(w, 4)) for t, w in terms],
        ipc=ipc,
        sei=_sei(profile, ipc),
    )


def _ipc_areas(profile: Profile, engine: MatchEngine, text: str) -> list[ProfileIpc]:
    """Subclasses of the profile's own IPC codes, then those predicted from its text by
    the patent index's classifier (the patents' own fields)."""
    held = Counter(c[:4] for codes in profile.ipc.values() for c in codes)
    out = [
        ProfileIpc(code=c, title=ipc_title(c) or "", source="held", weight=n)
        for c, n in held.most_common(IPC_AREAS)
    ]
    for e in _predicted(engine, text):
        if e.code not in held and len(out) < IPC_AREAS and e.probability >= MIN_PROBABILITY:
            title = e.title or ipc_title(e.code) or ""
            weight = round(e.probability, 4)
            out.append(ProfileIpc(code=e.code, title=title, source="predicted", weight=weight))
    return out


def _predicted(engine: MatchEngine, text: str) -> list[matching.IpcEvidence]:
    if engine.patents is None:
        return []
    try:
        return engine.patents.predict_ipc(text, top=IPC_AREAS)
    except matching.EmptyQueryError:  # no term the patent index knows
        return []


def _sei(profile: Profile, ipc: list[ProfileIpc]) -> list[ProfileSei]:
    """Categories of the profile's own codes (the concordance lists groups, not only
    subclasses) and of the predicted subclasses, each with the subclasses behind it."""
    codes = {c for cs in profile.ipc.values() for c in cs}
    codes |= {area.code for area in ipc if area.source == "predicted"}
    by_category: dict[str, set[str]] = {}
    for code in codes:
        for category in sei_categories([code]):
            by_category.setdefault(category, set()).add(code[:4])
    names = sei_names()
    return [
        ProfileSei(code=c, name=names.get(c, ""), ipc=sorted(subclasses))
        for c, subclasses in sorted(by_category.items())
    ]
