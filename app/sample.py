"""Load the development sample data idempotently (``panhuo load-sample``).

Rows go through the same schemas and services as the API, so the sample can never hold
what the API would refuse. Existing rows (by external id, USCC, application number, or
enterprise + need title) are left alone.
"""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import SYSTEM
from app.enterprises import repository as enterprise_repo
from app.enterprises import service as enterprise_service
from app.enterprises.schemas import EnterpriseCreate
from app.institutions import repository as institution_repo
from app.institutions import service as institution_service
from app.institutions.schemas import InstitutionCreate
from app.needs import service as need_service
from app.needs.models import Need
from app.needs.schemas import NeedCreate
from app.patents import repository as patent_repo
from app.patents import service as patent_service
from app.patents.schemas import PatentCreate


def load_sample(session: Session, data_dir: Path) -> dict[str, int]:
    entities = json.loads((data_dir / "sample_entities.json").read_text(encoding="utf-8"))
    added = {"institutions": 0, "enterprises": 0, "patents": 0, "needs": 0}
    institution_ids = {}
    for item in entities["institutions"]:
        institution = institution_repo.by_external_id(session, item["external_id"])
        if institution is None:
            new = institution_service.create(session, InstitutionCreate(**item))
            added["institutions"] += 1
        institution_ids[item["external_id"]] = institution.id if institution else new.id
    enterprise_ids = {}
    for item in entities["enterprises"]:
        existing = enterprise_repo.by_uscc(session, item["uscc"])
        if existing is None:
            created = enterprise_service.create(session, SYSTEM, EnterpriseCreate(**item))
            added["enterprises"] += 1
        enterprise_ids[item["uscc"]] = existing.id if existing else created.id
    added["needs"] = _load_needs(session, entities["needs"], enterprise_ids)
    added["patents"] = _load_patents(session, data_dir / "sample_patents.jsonl", institution_ids)
    return added


def _load_needs(
    session: Session, needs: list[dict[str, Any]], enterprise_ids: dict[str, int]
) -> int:
    added = 0
    for item in needs:
        enterprise_id = enterprise_ids[item.pop("enterprise")]
        exists = session.scalar(
            select(Need.id).where(Need.enterprise_id == enterprise_id, Need.title == item["title"])
        )
        if exists is None:
            need_service.create(session, SYSTEM, NeedCreate(enterprise_id=enterprise_id, **item))
            added += 1
    return added


def _load_patents(session: Session, path: Path, institution_ids: dict[str, int]) -> int:
    added = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            row.pop("source", None)
            row["institution_id"] = institution_ids[row.pop("institution")]
            data = PatentCreate(**row)
            if patent_repo.by_application_number(session, data.application_number) is None:
                patent_service.create(session, SYSTEM, data)
                added += 1
    return added
