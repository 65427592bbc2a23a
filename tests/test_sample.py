from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.patents.models import Patent
from app.sample import load_sample


def test_sample_loads_once_and_is_idempotent(db: Session) -> None:
    first = load_sample(db, get_settings().data_dir)
    assert first == {"institutions": 5, "enterprises": 5, "patents": 300, "needs": 6}
    again = load_sample(db, get_settings().data_dir)
    assert set(again.values()) == {0}
    assert db.scalar(select(func.count()).select_from(Patent)) == 300
