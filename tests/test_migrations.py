"""The schema comes from Alembic and matches the models, on SQLite and PostgreSQL."""

from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import app.models  # noqa: F401
from app.db import Base, make_engine
from app.migrate import alembic_config, head_revision, upgrade_head


def test_upgrade_from_empty_matches_the_models(fresh_database_url: Callable[[], str]) -> None:
    url = fresh_database_url()
    upgrade_head(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_downgrade_to_base_and_back(fresh_database_url: Callable[[], str]) -> None:
    url = fresh_database_url()
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert {"patents", "needs"} <= set(inspect(engine).get_table_names())
    engine.dispose()
