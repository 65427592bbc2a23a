"""Ids that leave the database are never handed out again, on SQLite too.

Without AUTOINCREMENT SQLite gives the next row the id of a deleted newest row: a feed
item id came back, its outbox ``webhook-id`` (``msg_item{id}_ep{n}``) collided with the
old delivery, and the producer failed every round from then on.
"""

from sqlalchemy import Engine, delete, func, select

from app.config import Settings
from app.db import make_sessionmaker
from app.feeds.models import FeedItem, WebhookDelivery
from app.feeds.producer import Producer
from app.patents.models import ImplementationStatus, LegalStatus, Patent, PatentType, PoolStatus
from tests import factories as f
from tests.feeds.test_crash import _world


def _patent(title: str) -> Patent:
    return Patent(
        application_number=f.application_number(),
        patent_type=PatentType.invention,
        title=title,
        legal_status=LegalStatus.valid,
        pool_status=PoolStatus.in_pool,
        implementation_status=ImplementationStatus.not_implemented,
    )


def test_deleted_newest_patent_id_is_not_reused(committed: tuple[str, Engine]) -> None:
    _url, engine = committed
    factory = make_sessionmaker(engine)
    with factory() as session, session.begin():
        session.add_all([_patent("甲"), _patent("乙")])
    with factory() as session, session.begin():
        newest = session.scalar(select(func.max(Patent.id)))
        session.execute(delete(Patent).where(Patent.id == newest))
    with factory() as session, session.begin():
        again = _patent("丙")
        session.add(again)
        session.flush()
        assert newest is not None and again.id > newest


def test_feed_keeps_producing_after_the_newest_item_is_deleted(
    committed: tuple[str, Engine],
) -> None:
    url, engine = committed
    factory = make_sessionmaker(engine)
    settings = Settings(database_url=url, index_dir=None)
    _world(factory, "https://hooks.example.com/in", 3)
    producer = Producer()
    assert producer.run(factory, None, settings) == 3
    with factory() as session, session.begin():
        item = session.scalars(select(FeedItem).order_by(FeedItem.id.desc()).limit(1)).one()
        newest = item.id
        # The patent goes, and its feed items with it; the delivery log keeps its row.
        session.execute(delete(Patent).where(Patent.id == item.patent_id))
    with factory() as session, session.begin():
        session.add(_patent("无人机巡检装置新"))
    assert producer.run(factory, None, settings) == 1
    with factory() as session, session.begin():
        session.add(_patent("无人机巡检装置再新"))
    assert producer.run(factory, None, settings) == 1
    with factory() as session:
        ids = list(session.scalars(select(FeedItem.id).where(FeedItem.id > newest)))
        assert len(ids) == 2
        hooks = session.scalars(select(WebhookDelivery.webhook_id)).all()
        assert len(hooks) == len(set(hooks)) == 5


def test_every_table_with_a_surrogate_id_never_reuses_it(committed: tuple[str, Engine]) -> None:
    import app.models  # noqa: F401  (every table)
    from app.db import Base

    _url, engine = committed
    tables = [
        t
        for t in Base.metadata.sorted_tables
        if [c.name for c in t.primary_key.columns] == ["id"] and t.name != "feed_producer"
    ]
    assert len(tables) >= 20
    missing = [t.name for t in tables if not t.dialect_kwargs.get("sqlite_autoincrement")]
    assert missing == []  # new tables declare it too (the model's __table_args__)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            ddl: dict[str, str] = dict(
                conn.exec_driver_sql("SELECT name, sql FROM sqlite_master").all()
            )
        assert [t.name for t in tables if "AUTOINCREMENT" not in ddl[t.name]] == []
