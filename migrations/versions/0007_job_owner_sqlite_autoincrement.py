"""job owners; SQLite ids never reused (AUTOINCREMENT)

Import jobs and match runs record the process running them ("host:pid"), so a job whose
process died is failed at once by any worker on that host (see app.common.liveness).

On SQLite a table without AUTOINCREMENT hands the id of a deleted newest row to the next
insert: a feed item id came back and wedged the webhook outbox (``msg_item{id}_ep{n}``
collided), and cursors could skip rows. SQLite cannot add AUTOINCREMENT in place, so every
table whose ids leave the database is rebuilt (batch mode, rows and ids kept; env.py turns
foreign keys off meanwhile). PostgreSQL's sequences never reuse values: nothing to do.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS = ("import_jobs", "match_runs")
# Every table with a surrogate integer id (not feed_producer: its one row is id 1).
TABLES = (
    "institutions",
    "patents",
    "enterprises",
    "needs",
    "api_keys",
    "audit_log",
    "index_changes",
    "match_runs",
    "match_results",
    "import_jobs",
    "import_errors",
    "feedback",
    "open_licenses",
    "open_license_acceptances",
    "deals",
    "subscriptions",
    "watchlist",
    "feed_items",
    "webhook_endpoints",
    "webhook_deliveries",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    for table in JOBS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("owner", sa.String(length=200), nullable=True))
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
    for table in JOBS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("owner")
