from sqlalchemy import Select, select

from app.feedback.models import Feedback, Intent


def no_need_statement() -> Select[int, int]:
    """Current 无需求 answers as (enterprise_id, patent_id) rows.

    That patent is never matched with, proposed or pushed to that enterprise again; callers
    narrow the statement to the enterprises or patents at hand.
    """
    return select(Feedback.enterprise_id, Feedback.patent_id).where(
        Feedback.is_current.is_(True), Feedback.intent == Intent.no_need
    )
