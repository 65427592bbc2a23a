"""A small world for access tests: two of everything, so every role has a foreign row."""

from dataclasses import dataclass
from itertools import count

from sqlalchemy.orm import Session

from app.auth.models import ApiKey
from app.common.jobs import JobState
from app.deals.models import Deal, DealPatent, DealStatus, DealType
from app.enterprise_imports.models import EnterpriseImport
from app.enterprises.models import Enterprise
from app.feeds.models import (
    DeliveryState,
    EndpointState,
    FeedItem,
    Reason,
    Subscription,
    WatchEntry,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.feeds.webhook_security import new_secret
from app.imports.models import ImportJob
from app.institutions.models import Institution, InstitutionType
from app.licenses.models import DeclarationStatus, FeeType, OpenLicense
from app.matches.models import MatchRun
from app.needs.models import Need, NeedStatus
from app.patents.models import (
    ImplementationStatus,
    LegalStatus,
    Patent,
    PatentType,
    PoolStatus,
)
from app.pushes.models import PushRun, PushState
from tests import factories as f

_n = count(1)


@dataclass
class World:
    inst: int  # institution 1, Hubei (420100): owns patent
    other_inst: int  # institution 2, Henan (410100): owns other_patent
    empty_inst: int  # no patents, deletable
    patent: int
    other_patent: int
    ent: int  # enterprise 1, Hubei: owns need
    other_ent: int  # enterprise 2, Henan: owns other_need
    need: int
    other_need: int
    key: int
    run: int
    job: int  # an import job of institution 1
    free_patent: int  # institution 1's, no open licence yet
    licence: int  # an open licence declared on `patent`
    deal: int  # institution 1 <-> enterprise 1 on `patent`
    # Enterprise 1's, as are the webhook, its delivery, the feed item and a watch on
    # other_patent.
    subscription: int = 0
    webhook: int = 0
    delivery: int = 0
    feed_item: int = 0
    push_run: int = 0  # started by the Hubei province
    enterprise_job: int = 0  # an enterprise import of the Hubei province key


def _patent(session: Session, institution: Institution, price: int) -> Patent:
    patent = Patent(
        application_number=f.application_number(),
        patent_type=PatentType.invention,
        title=f"专利{next(_n)}",
        legal_status=LegalStatus.valid,
        pool_status=PoolStatus.in_pool,
        implementation_status=ImplementationStatus.not_implemented,
        institution_id=institution.id,
        region_code=institution.region_code,
        asking_price=price,
    )
    session.add(patent)
    return patent


def build(session: Session) -> World:
    inst = Institution(name="湖北大学甲", type=InstitutionType.university, region_code="420100")
    other = Institution(name="河南大学乙", type=InstitutionType.university, region_code="410100")
    empty = Institution(name="空机构", type=InstitutionType.other, region_code="110108")
    ent = Enterprise(
        name="湖北企业", uscc=f.credit_code(), region_code="420100", contact_phone="027-1234"
    )
    other_ent = Enterprise(
        name="河南企业", uscc=f.credit_code(), region_code="410100", contact_phone="0371-5678"
    )
    session.add_all([inst, other, empty, ent, other_ent])
    session.flush()
    patent, other_patent = _patent(session, inst, 1000), _patent(session, other, 2000)
    need = Need(enterprise_id=ent.id, title="湖北企业的保密需求", status=NeedStatus.open)
    other_need = Need(
        enterprise_id=other_ent.id, title="河南企业的保密需求", status=NeedStatus.open
    )
    key = ApiKey(name="spare", prefix="pk_x", key_hash="0" * 64, role="portal")
    run = MatchRun(state=JobState.succeeded, per_need=5)
    job = ImportJob(
        state=JobState.succeeded,
        filename="x.csv",
        file_format="csv",
        stored_path="/nonexistent",
        institution_id=inst.id,
    )
    session.add_all([need, other_need, key, run, job])
    session.flush()
    free = _patent(session, inst, 3000)
    licence = OpenLicense(
        patent_id=patent.id,
        status=DeclarationStatus.declared,
        fee_type=FeeType.one_off,
        one_off_fee=50000,
        payment_method="银行转账",
        term_years=3,
    )
    deal = Deal(
        institution_id=inst.id,
        enterprise_id=ent.id,
        type=DealType.ordinary_license,
        status=DealStatus.intent,
    )
    session.add_all([licence, deal])
    session.flush()
    session.add(DealPatent(deal_id=deal.id, patent_id=patent.id))
    session.flush()
    feeds = _feeds(session, ent.id, patent.id)
    session.add(WatchEntry(enterprise_id=ent.id, patent_id=other_patent.id))
    push_run = PushRun(
        state=PushState.succeeded,
        patents={},
        enterprises={"all": True},
        province_prefix="42",
        per_enterprise=5,
        min_score=0.0,
    )
    session.add(push_run)
    session.flush()
    enterprise_job = EnterpriseImport(
        filename="x.csv", file_format="csv", stored_path="/nonexistent", province_code="420000"
    )
    session.add(enterprise_job)
    session.flush()
    world = World(
        inst.id,
        other.id,
        empty.id,
        patent.id,
        other_patent.id,
        ent.id,
        other_ent.id,
        need.id,
        other_need.id,
        key.id,
        run.id,
        job.id,
        free.id,
        licence.id,
        deal.id,
        *feeds,
        enterprise_job=enterprise_job.id,
    )
    world.push_run = push_run.id
    return world


def _feeds(session: Session, enterprise_id: int, patent_id: int) -> tuple[int, int, int, int]:
    sub = Subscription(enterprise_id=enterprise_id, name="订阅", keywords=["无人机"])
    hook = WebhookEndpoint(
        enterprise_id=enterprise_id,
        url="https://93.184.215.14/hooks/panhuo",
        secret=new_secret(),
        events=["feed.item"],
        state=EndpointState.healthy,
    )
    session.add_all([sub, hook])
    session.flush()
    item = FeedItem(
        enterprise_id=enterprise_id,
        patent_id=patent_id,
        subscription_id=sub.id,
        reason=Reason.match,
        score=1.0,
        explanation={"summary": "关键词：无人机"},
    )
    session.add(item)
    session.flush()
    delivery = WebhookDelivery(
        endpoint_id=hook.id,
        webhook_id=f"msg_item{item.id}_ep{hook.id}",
        event_type="feed.item",
        feed_item_id=item.id,
        body="{}",
        state=DeliveryState.failed,
        attempts=12,
    )
    session.add(delivery)
    session.flush()
    return sub.id, hook.id, delivery.id, item.id
