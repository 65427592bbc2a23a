"""Enterprise feedback on patents (企业反馈) and prospect ratings (产业化前景评价).

Privacy: the owning institution sees intents addressed to it, with the enterprise's
contact data only when it opted in; the portal sees intents without identities; an
enterprise sees only its own feedback; everyone reads the aggregated ratings, whose
comments name the author only with consent.
"""

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.audit import recorder
from app.auth.models import Role
from app.auth.principal import Principal
from app.common.messages import Msg
from app.enterprises.models import Enterprise
from app.errors import Forbidden
from app.feedback.models import Feedback, Intent
from app.feedback.schemas import (
    EnterpriseContact,
    FeedbackCreate,
    FeedbackRead,
    RatingComment,
    RatingSummary,
)
from app.patents import service as patents


def submit(
    session: Session, actor: Principal, patent_id: int, data: FeedbackCreate
) -> FeedbackRead:
    if actor.role is not Role.enterprise or actor.enterprise_id is None:
        raise Forbidden(Msg("只有企业可以提交反馈", "only an enterprise key can give feedback"))
    patents.find(session, actor, patent_id)
    # The previous current row becomes history before the new one is inserted, so the
    # partial unique index (one current row per pair) holds at every statement.
    session.execute(
        update(Feedback)
        .where(
            Feedback.enterprise_id == actor.enterprise_id,
            Feedback.patent_id == patent_id,
            Feedback.is_current.is_(True),
        )
        .values(is_current=False)
    )
    rating = data.rating
    row = Feedback(
        enterprise_id=actor.enterprise_id,
        patent_id=patent_id,
        intent=data.intent,
        message=data.message,
        share_contact=data.share_contact,
        show_author=data.show_author,
        rating_market=rating.market if rating else None,
        rating_maturity=rating.maturity if rating else None,
        rating_difficulty=rating.difficulty if rating else None,
        rating_comment=rating.comment if rating else None,
    )
    session.add(row)
    session.flush()
    recorder.touch(session, "enterprise", actor.enterprise_id)  # intents are in its profile
    return FeedbackRead.model_validate(row)


def for_patent(session: Session, actor: Principal, patent_id: int) -> list[FeedbackRead]:
    """Current feedback on a patent as the caller may see it (own history for enterprises)."""
    patent = patents.find(session, actor, patent_id)
    stmt = select(Feedback, Enterprise).join(Enterprise, Enterprise.id == Feedback.enterprise_id)
    stmt = stmt.where(Feedback.patent_id == patent.id).order_by(Feedback.id.desc())
    if actor.role is Role.enterprise:
        stmt = stmt.where(Feedback.enterprise_id == actor.enterprise_id)
    else:
        stmt = stmt.where(Feedback.is_current.is_(True))
    if actor.role is Role.institution:  # addressed to it: not the "no need" answers
        stmt = stmt.where(Feedback.intent != Intent.no_need)
    return [_present(fb, ent, actor) for fb, ent in session.execute(stmt)]


def _present(fb: Feedback, ent: Enterprise, actor: Principal) -> FeedbackRead:
    read = FeedbackRead.model_validate(fb)
    if actor.role is Role.portal:
        return read  # intents without identities
    contact = actor.is_admin or actor.owns_enterprise(ent.id) or fb.share_contact
    read.enterprise = EnterpriseContact(
        id=ent.id,
        name=ent.name,
        region_code=ent.region_code,
        contact_name=ent.contact_name if contact else None,
        contact_phone=ent.contact_phone if contact else None,
        contact_email=ent.contact_email if contact else None,
    )
    return read


def ratings(session: Session, actor: Principal, patent_id: int) -> RatingSummary:
    patents.find(session, actor, patent_id)
    rated = (
        (Feedback.patent_id == patent_id)
        & Feedback.is_current.is_(True)
        & (Feedback.rating_market.is_not(None))
    )
    count, market, maturity, difficulty = session.execute(
        select(
            func.count(),
            func.avg(Feedback.rating_market),
            func.avg(Feedback.rating_maturity),
            func.avg(Feedback.rating_difficulty),
        ).where(rated)
    ).one()
    comments = session.execute(
        select(Feedback.rating_comment, Feedback.show_author, Enterprise.name, Feedback.created_at)
        .join(Enterprise, Enterprise.id == Feedback.enterprise_id)
        .where(rated, Feedback.rating_comment.is_not(None))
        .order_by(Feedback.id)
    ).all()
    return RatingSummary(
        patent_id=patent_id,
        count=count,
        market=_mean(market),
        maturity=_mean(maturity),
        difficulty=_mean(difficulty),
        comments=[
            RatingComment(comment=c, author=name if show else None, at=at)
            for c, show, name, at in comments
        ],
    )


def _mean(value: object) -> float | None:
    return round(float(value), 2) if value is not None else None  # type: ignore[arg-type]


def no_need_patents(session: Session, enterprise_id: int) -> set[int]:
    """Patents the enterprise answered 无需求: never matched or pushed to it again."""
    stmt = select(Feedback.patent_id).where(
        Feedback.enterprise_id == enterprise_id,
        Feedback.is_current.is_(True),
        Feedback.intent == Intent.no_need,
    )
    return set(session.scalars(stmt))
