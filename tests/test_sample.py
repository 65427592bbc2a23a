from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.patents.models import Patent
from app.sample import load_sample


def test_sample_loads_once_and_is_idempotent(db: Session) -> None:
    first = load_sample(db, get_settings().data_dir)
    assert first == {"institutions": 5, "enterprises": 5, "patents": 300, "needs": 6}
    again = load_sample(db, get_settings().data_dir)
    assert set(again.values()) == {0}
    assert db.scalar(select(func.count()).select_from(Patent)) == 300


def test_readme_walkthrough_number_is_free_after_the_sample(
    session_factory: sessionmaker[Session], client: TestClient
) -> None:
    with session_factory() as session, session.begin():
        load_sample(session, get_settings().data_dir)
    body = {"application_number": "CN202121635235.X", "patent_type": "实用新型", "title": "巡检"}
    assert client.post("/v1/patents", json=body).status_code == 201
    body["application_number"] = "CN202121635235.1"
    bad = client.post("/v1/patents", json=body)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "application_number"
